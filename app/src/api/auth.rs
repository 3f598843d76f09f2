//! Signing in and out, and who is signed in.

use janus_domain::AppError;
use janus_domain::staff::StaffView;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use janus_domain::Secret;
    use janus_store::throttle::Bucket;
    let store = context::store()?;
    // Counted before the password is hashed, so a flood costs the server nothing.
    let account = email.trim().to_ascii_lowercase();
    store
        .throttle(Bucket::SignInAddress, &context::client_address()?)
        .await?;
    store.throttle(Bucket::SignInAccount, &account).await?;
    let (token, _staff) = store.sign_in(&email, Secret::new(password)).await?;
    store.forgive(Bucket::SignInAccount, &account).await?;
    context::set_cookie(crate::session_cookie::set(&store.settings, &token))?;
    leptos_axum::redirect(&janus_domain::url::local_redirect(next.as_deref()));
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let store = context::store()?;
    if let Some(token) = context::session_token()? {
        store.sign_out(&token).await?;
    }
    context::set_cookie(crate::session_cookie::clear(&store.settings))?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/api", endpoint = "current_staff")]
pub async fn current_staff() -> Result<StaffView, AppError> {
    let (_, staff) = context::require_staff().await?;
    Ok(staff)
}

#[cfg(feature = "ssr")]
use super::context;
