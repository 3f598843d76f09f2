//! The steps between a staff member's password and the dashboard: showing their second
//! factor, choosing their own password when an admin issued it, and setting up a second
//! factor when the policy wants one and they have none. Each page is only for a session at
//! its step (the page guard sends others on); each form works without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{ChangePassword, ConfirmSecondFactor, SignOut, my_account};
use crate::components::{AddPasskeyPanel, AuthenticatorSetupPanel, ErrorNotice};

/// Where the person was going before signing in, carried from step to step.
fn next() -> impl Fn() -> String + Copy {
    move || use_query_map().with(|q| q.get("next")).unwrap_or_default()
}

/// The frame of each step: the product's name, the step's title, and a way out.
#[component]
fn StepCard(title: &'static str, children: Children) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <Title text=title />
        <main class="login">
            <div class="login-card">
                <div class="wordmark wordmark-large">
                    <span class="wordmark-mark" aria-hidden="true">"J"</span>
                    "Janus Enrollment"
                </div>
                <h1>{title}</h1>
                {children()}
                <ActionForm action=sign_out attr:class="step-sign-out">
                    <button type="submit" class="button button-quiet">"Sign out and start again"</button>
                </ActionForm>
            </div>
        </main>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmSecondFactor>::new();
    let next = next();
    let error = move || confirm.value().get().and_then(Result::err);
    let account = LocalResource::new(my_account);
    let factors = move || account.get().and_then(Result::ok).map(|a| a.factors);
    let passkey_error = RwSignal::new(None::<janus_domain::AppError>);
    let use_passkey = move |_| {
        leptos::task::spawn_local(async move {
            match crate::passkey_browser::confirm(next()).await {
                Ok(path) => crate::passkey_browser::go(&path),
                Err(e) => passkey_error.set(Some(e)),
            }
        });
    };
    view! {
        <StepCard title="Confirm it is you">
            {move || factors().filter(|f| f.passkeys > 0).map(|_| view! {
                <button type="button" class="button button-primary button-wide" on:click=use_passkey data-testid="use-passkey">
                    "Use your passkey"
                </button>
                {move || passkey_error.get().map(|e| view! { <ErrorNotice error=e /> })}
            })}
            <p class="muted">"Open your authenticator app and type the code it shows for Janus Enrollment. Lost your phone? Type one of your recovery codes instead."</p>
            <ActionForm action=confirm attr:class="stack" attr:novalidate="">
                <input type="hidden" name="next" prop:value=next />
                <label>
                    "Code"
                    <input type="text" name="code" autocomplete="one-time-code" inputmode="text" required autofocus
                        spellcheck="false" data-testid="second-factor-code" />
                </label>
                {move || error().map(|e| view! { <ErrorNotice error=e /> })}
                <button type="submit" class="button button-primary" disabled=move || confirm.pending().get()>
                    {move || if confirm.pending().get() { "Checking…" } else { "Continue" }}
                </button>
            </ActionForm>
        </StepCard>
    }
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let next = next();
    let error = move || change.value().get().and_then(Result::err);
    view! {
        <StepCard title="Choose your own password">
            <p class="muted">"An admin set the password you signed in with. Choose one only you know: at least 12 characters, not your name or email. A few unrelated words together make a strong one."</p>
            <PasswordForm change next=Signal::derive(next) error=Signal::derive(error) />
        </StepCard>
    }
}

/// The password change form, at sign-in and on the account page.
#[component]
pub fn PasswordForm(
    change: ServerAction<ChangePassword>,
    #[prop(into)] next: Signal<String>,
    #[prop(into)] error: Signal<Option<janus_domain::AppError>>,
) -> impl IntoView {
    view! {
        <ActionForm action=change attr:class="stack" attr:novalidate="">
            <input type="hidden" name="next" prop:value=move || next.get() />
            <label>
                "Current password"
                <input type="password" name="current_password" autocomplete="current-password" required />
            </label>
            <label>
                "New password"
                <input type="password" name="password" autocomplete="new-password" required minlength="12" />
            </label>
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            <button type="submit" class="button button-primary" disabled=move || change.pending().get()>
                {move || if change.pending().get() { "Saving…" } else { "Save password" }}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn SetUpFactorPage() -> impl IntoView {
    let next = next();
    view! {
        <StepCard title="Set up a second factor">
            <p class="muted">"Your account needs a second factor besides your password: a passkey (your computer's fingerprint reader or PIN, your phone, or a security key), or an authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator or 1Password)."</p>
            <h2 class="step-subtitle">"A passkey"</h2>
            <AddPasskeyPanel on_added=Callback::new(move |()| crate::passkey_browser::go(&janus_domain::url::local_redirect(Some(&next())))) />
            <h2 class="step-subtitle">"Or an authenticator app"</h2>
            <AuthenticatorSetupPanel then=Signal::derive(move || janus_domain::url::local_redirect(Some(&next()))) />
        </StepCard>
    }
}
