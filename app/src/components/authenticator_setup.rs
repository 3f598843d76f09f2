//! Setting up an authenticator app: the QR code (and its secret, to type in by hand), a
//! first code to prove the app holds it, then the ten recovery codes, shown once.

use janus_domain::staff::second_factor::AuthenticatorSetup;
use leptos::prelude::*;

use crate::api::auth::{begin_authenticator_setup, confirm_authenticator_setup};
use crate::components::ErrorNotice;

#[component]
pub fn AuthenticatorSetupPanel(
    /// Where "Continue" goes once the recovery codes are noted.
    #[prop(into)]
    then: Signal<String>,
    /// Given, "Continue" runs this (the account page shows its new state) instead of
    /// going to `then`.
    #[prop(optional)]
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    let setup = RwSignal::new(None::<AuthenticatorSetup>);
    let codes = RwSignal::new(None::<Vec<String>>);
    let error = RwSignal::new(None::<janus_domain::AppError>);
    let busy = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let begin = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match begin_authenticator_setup().await {
                Ok(s) => {
                    error.set(None);
                    setup.set(Some(s));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let code = typed.get_untracked();
        leptos::task::spawn_local(async move {
            match confirm_authenticator_setup(code).await {
                Ok(c) => {
                    error.set(None);
                    codes.set(Some(c));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="authenticator-setup" data-testid="authenticator-setup">
            {move || match (setup.get(), codes.get()) {
                (_, Some(codes)) => view! {
                    <div class="recovery-codes" data-testid="recovery-codes">
                        <p><strong>"Your authenticator app is set up."</strong></p>
                        <p>"Keep these recovery codes somewhere safe, away from your phone. Each works once, in place of a code from the app. They are shown only now."</p>
                        <ol class="code-list">
                            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                        </ol>
                        {match on_done {
                            Some(done) => view! {
                                <button type="button" class="button button-primary" on:click=move |_| done.run(())>
                                    "I have saved them: continue"
                                </button>
                            }.into_any(),
                            None => view! {
                                <a class="button button-primary" href=move || then.get() rel="external">"I have saved them: continue"</a>
                            }.into_any(),
                        }}
                    </div>
                }.into_any(),
                (Some(s), None) => view! {
                    <ol class="setup-steps">
                        <li>"Scan this code with your authenticator app."
                            // Drawn on the server from the setup address: our own SVG, no script.
                            <div class="qr" inner_html=s.qr_svg.clone() aria-label="QR code for your authenticator app" role="img"></div>
                            <details>
                                <summary>"Cannot scan? Type this key instead"</summary>
                                <code class="totp-secret" data-testid="totp-secret">{s.secret.clone()}</code>
                            </details>
                        </li>
                        <li>
                            <form class="stack" on:submit=confirm>
                                <label>
                                    "Type the 6-digit code the app shows"
                                    <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                                        maxlength="7" required data-testid="totp-setup-code"
                                        prop:value=move || typed.get()
                                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                                </label>
                                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Finish set-up"</button>
                            </form>
                        </li>
                    </ol>
                }.into_any(),
                (None, None) => view! {
                    <button type="button" class="button button-primary" on:click=begin disabled=move || busy.get()>
                        "Set up an authenticator app"
                    </button>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
        </div>
    }
}
