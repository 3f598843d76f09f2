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
    use janus_store::sign_in::SignInAttempt;
    let store = context::store()?;
    let address = context::client_address()?;
    let headers = context::request_headers()?;
    let device_cookie = crate::session_cookie::read_device(&store.settings, &headers);
    let signed_in = store
        .sign_in_from(SignInAttempt {
            email: &email,
            password: Secret::new(password),
            address: &address,
            device_cookie: device_cookie.as_deref(),
        })
        .await?;
    context::set_cookie(crate::session_cookie::set(
        &store.settings,
        &signed_in.token,
    ))?;
    context::set_cookie(crate::session_cookie::set_device(
        &store.settings,
        &signed_in.device_cookie,
    ))?;
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
