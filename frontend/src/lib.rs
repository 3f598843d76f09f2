//! The WebAssembly entry point; everything else lives in `app`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages other than the dashboard are chunks of their own (`app/src/pages/lazy.rs`):
    // the page's chunk is fetched before its HTML can be hydrated, so hydration waits for it.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // A marker that event handlers are attached: end-to-end tests wait for it before
        // clicking.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
