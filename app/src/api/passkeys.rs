//! Passkeys: registering one, using one as the second factor or for step-up, and signing
//! in with one alone. Each ceremony is begun by one function and finished by another with
//! the browser's answer (the JSON of its `PublicKeyCredential`).

use janus_domain::AppError;
use janus_domain::staff::second_factor::{PasskeyChallenge, PasskeyView};
use leptos::prelude::*;

/// The session owner's passkeys.
#[server(prefix = "/api", endpoint = "my_passkeys")]
pub async fn my_passkeys() -> Result<Vec<PasskeyView>, AppError> {
    use janus_domain::staff::second_factor::SignInStep;
    let (store, session) = context::require_session().await?;
    if !matches!(session.step, SignInStep::EnrolFactor | SignInStep::Done) {
        return Err(AppError::SignInUnfinished(session.step));
    }
    store.passkeys(session.staff.id).await
}

#[server(prefix = "/api", endpoint = "begin_passkey_registration")]
pub async fn begin_passkey_registration() -> Result<PasskeyChallenge, AppError> {
    let (store, session) = context::require_session().await?;
    store.begin_passkey_registration(&session).await
}

#[server(prefix = "/api", endpoint = "finish_passkey_registration")]
pub async fn finish_passkey_registration(
    ceremony: String,
    credential: String,
    name: String,
) -> Result<(), AppError> {
    let (store, session) = context::require_session().await?;
    store
        .finish_passkey_registration(&session, &ceremony, &credential, &name)
        .await
        .map(|_| ())
}

/// Removes one of one's passkeys (after step-up).
#[server(prefix = "/api", endpoint = "remove_passkey")]
pub async fn remove_passkey(id: i32) -> Result<(), AppError> {
    let (store, session) = context::require_session().await?;
    store.remove_passkey(&session, id).await
}

/// Starts checking one of one's passkeys: at the second step of signing in, or for step-up.
#[server(prefix = "/api", endpoint = "begin_passkey_check")]
pub async fn begin_passkey_check() -> Result<PasskeyChallenge, AppError> {
    use janus_domain::staff::second_factor::SignInStep;
    let (store, session) = context::require_session().await?;
    if !matches!(session.step, SignInStep::SecondFactor | SignInStep::Done) {
        return Err(AppError::SignInUnfinished(session.step));
    }
    store.begin_passkey_check(&session).await
}

/// Finishes a passkey check; answers where to go next (the dashboard, or the next step of
/// signing in, or back to `next`).
#[server(prefix = "/api", endpoint = "finish_passkey_check")]
pub async fn finish_passkey_check(
    ceremony: String,
    credential: String,
    next: Option<String>,
) -> Result<String, AppError> {
    let (store, session) = context::require_session().await?;
    let session = store
        .finish_passkey_check(&session, &ceremony, &credential)
        .await?;
    Ok(super::auth::next_page(session.step, next.as_deref()))
}

/// Starts "Sign in with a passkey" (no account named).
#[server(prefix = "/api", endpoint = "begin_passkey_sign_in")]
pub async fn begin_passkey_sign_in() -> Result<PasskeyChallenge, AppError> {
    let address = context::client_address()?;
    context::store()?.begin_passkey_sign_in(&address).await
}

/// Finishes "Sign in with a passkey": sets the session cookie and answers where to go.
#[server(prefix = "/api", endpoint = "finish_passkey_sign_in")]
pub async fn finish_passkey_sign_in(
    ceremony: String,
    credential: String,
    next: Option<String>,
) -> Result<String, AppError> {
    let store = context::store()?;
    let browser = context::browser()?;
    let (token, session) = store
        .finish_passkey_sign_in(&ceremony, &credential, &browser)
        .await?;
    context::set_cookie(crate::session_cookie::set(&store.settings, &token))?;
    Ok(super::auth::next_page(session.step, next.as_deref()))
}

#[cfg(feature = "ssr")]
use super::context;
