//! Step-up: an admin action refused for want of a recent second factor shows this form in
//! place of the error. Once the person confirms (a code from their authenticator app, a
//! recovery code, a passkey, or, for an account without a factor, their password), the
//! action runs again by itself when the page gave a way to, or they press it again.

use janus_domain::AppError;
use leptos::prelude::*;

use crate::api::auth::{my_account, step_up};

#[component]
pub fn StepUpForm(
    /// Why it is asked, as the server said it.
    message: String,
    /// Runs the refused action again; without it the person is asked to.
    #[prop(optional)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    let account = LocalResource::new(my_account);
    let typed = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<AppError>);
    let confirmed = RwSignal::new(false);
    let confirm = move |code: String, password: String| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match step_up(code, password).await {
                Ok(()) => {
                    problem.set(None);
                    confirmed.set(true);
                    if let Some(retry) = retry {
                        retry.run(());
                    }
                }
                Err(error) => problem.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let with_passkey = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::passkey_browser::confirm(String::new()).await {
                Ok(_) => {
                    problem.set(None);
                    confirmed.set(true);
                    if let Some(retry) = retry {
                        retry.run(());
                    }
                }
                Err(error) => problem.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let passkey = move || {
        account
            .get()
            .and_then(Result::ok)
            .filter(|a| a.factors.passkeys > 0)
            .map(|_| view! {
                <button type="button" class="button button-primary" on:click=with_passkey disabled=move || busy.get()>
                    "Use your passkey"
                </button>
            })
    };
    let field = move || {
        account.get().and_then(Result::ok).and_then(|account| {
            let by_code = account.factors.authenticator_app;
            // An account with passkeys only confirms with one (the button above).
            if !by_code && !account.factors.is_empty() {
                return None;
            }
            let (label, kind, complete, mode) = if by_code {
                (
                    "Code from your authenticator app, or a recovery code",
                    "text",
                    "one-time-code",
                    "text",
                )
            } else {
                ("Your password", "password", "current-password", "text")
            };
            Some(view! {
                <label>
                    {label}
                    <input
                        type=kind
                        name=if by_code { "code" } else { "password" }
                        autocomplete=complete
                        inputmode=mode
                        data-testid="step-up-input"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev))
                    />
                </label>
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || busy.get()
                    data-by-code=by_code.to_string()
                >
                    "Confirm"
                </button>
            })
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let by_code = account
            .get_untracked()
            .and_then(Result::ok)
            .is_some_and(|a| a.factors.authenticator_app);
        let value = typed.get_untracked();
        typed.set(String::new());
        if by_code {
            confirm(value, String::new());
        } else {
            confirm(String::new(), value);
        }
    };
    view! {
        <div class="notice notice-warning step-up" role="alert" data-testid="step-up">
            <Show
                when=move || !confirmed.get()
                fallback=move || view! {
                    <p role="status">
                        {if retry.is_some() { "Confirmed." } else { "Confirmed. Now try again." }}
                    </p>
                }
            >
                <p>{message.clone()}</p>
                {passkey}
                <form class="step-up-form" on:submit=submit>
                    {field}
                </form>
                {move || problem.get().map(|e| view! { <p class="field-problem">{e.to_string()}</p> })}
            </Show>
        </div>
    }
}
