//! Adding a passkey: a name for it ("Work laptop"), then the browser's own prompt.

use leptos::prelude::*;

use crate::components::ErrorNotice;

#[component]
pub fn AddPasskeyPanel(
    /// Run once the passkey is registered.
    on_added: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<janus_domain::AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let typed = name.get_untracked();
        leptos::task::spawn_local(async move {
            match crate::passkey_browser::add(typed).await {
                Ok(()) => {
                    error.set(None);
                    name.set(String::new());
                    on_added.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="add-passkey stack" on:submit=submit data-testid="add-passkey">
            <label>
                "Name it, so you know it later"
                <input type="text" name="name" maxlength="60" placeholder="Work laptop" autocomplete="off"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="button button-primary" disabled=move || busy.get()>
                {move || if busy.get() { "Waiting for your passkey…" } else { "Add a passkey" }}
            </button>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        </form>
    }
}
