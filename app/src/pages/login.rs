use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::SignIn;
use crate::components::ErrorNotice;

#[component]
pub fn LoginPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let next = move || use_query_map().with(|q| q.get("next")).unwrap_or_default();
    let error = move || sign_in.value().get().and_then(Result::err);
    let passkey_error = RwSignal::new(None::<janus_domain::AppError>);
    let passkey_busy = RwSignal::new(false);
    let with_passkey = move |_| {
        passkey_busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::passkey_browser::sign_in(next()).await {
                Ok(path) => crate::passkey_browser::go(&path),
                Err(e) => {
                    passkey_error.set(Some(e));
                    passkey_busy.set(false);
                }
            }
        });
    };
    view! {
        <Title text="Sign in" />
        <main class="login">
            <div class="login-card">
                <div class="wordmark wordmark-large">
                    <span class="wordmark-mark" aria-hidden="true">"J"</span>
                    "Janus Enrollment"
                </div>
                <h1>"Staff sign-in"</h1>
                <ActionForm action=sign_in attr:class="stack" attr:novalidate="">
                    <input type="hidden" name="next" prop:value=next />
                    <label>
                        "Work email"
                        <input type="email" name="email" autocomplete="username" required autofocus />
                    </label>
                    <label>
                        "Password"
                        <input type="password" name="password" autocomplete="current-password" required />
                    </label>
                    {move || error().map(|e| view! { <ErrorNotice error=e /> })}
                    <button type="submit" class="button button-primary" disabled=move || sign_in.pending().get()>
                        {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <div class="or-divider" aria-hidden="true"><span>"or"</span></div>
                <button type="button" class="button button-wide" on:click=with_passkey disabled=move || passkey_busy.get()
                    data-testid="passkey-sign-in">
                    "Sign in with a passkey"
                </button>
                {move || passkey_error.get().map(|e| view! { <ErrorNotice error=e /> })}
                <p class="muted small">"For staff of Cornerstone, PeoPayGo, Compeo and CoGuardHR enrollment teams."</p>
            </div>
        </main>
    }
}
