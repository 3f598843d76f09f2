//! Routers built while pages render. leptos_axum's `generate_route_list` runs the app once
//! with a process-wide flag set that parks every resource first polled meanwhile forever
//! (leptos-rs/leptos#4773). A CI run once hung here: one HTTP test built its router while
//! another rendered the client PIN page. The route list is therefore generated once per
//! process; this test renders pages while other routers are being built and fails, instead
//! of hanging, if any render stalls.

mod common;

use std::time::Duration;

use common::{app_and_store, get, send};
use http::StatusCode;
use leptos::config::LeptosOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_routers_are_built() {
    let (app, store) = app_and_store().await;
    let builder = {
        let store = store.clone();
        std::thread::spawn(move || {
            for _ in 0..200 {
                let options = LeptosOptions::builder().output_name("janus").build();
                drop(server::router::app(store.clone(), options));
            }
        })
    };
    let mut rendered = 0;
    while rendered < 20 || !builder.is_finished() {
        let page = tokio::time::timeout(
            Duration::from_secs(10),
            send(&app, get("/pin/complete/compeo?purpose=setup", None)),
        )
        .await
        .expect("a page render stalled while another router was being built");
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Setup complete"), "{}", page.body);
        rendered += 1;
    }
    builder.join().unwrap();
}
