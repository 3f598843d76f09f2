//! What every server function needs from the request: the store and the signed-in staff member.

use janus_domain::AppError;
use janus_domain::staff::StaffView;
use janus_store::Store;
use leptos::prelude::use_context;

pub fn store() -> Result<Store, AppError> {
    use_context::<Store>().ok_or_else(|| {
        tracing::error!("the store was not provided to this request's context");
        AppError::Internal
    })
}

fn request_parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from context");
        AppError::Internal
    })
}

/// The staff member whose session cookie came with this request, or `Unauthenticated`.
pub async fn require_staff() -> Result<(Store, StaffView), AppError> {
    let store = store()?;
    let parts = request_parts()?;
    let token = crate::session_cookie::read(&store.settings, &parts.headers)
        .ok_or(AppError::Unauthenticated)?;
    let staff = store
        .session_staff(&token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((store, staff))
}

pub fn session_token() -> Result<Option<janus_store::auth::SessionToken>, AppError> {
    let store = store()?;
    Ok(crate::session_cookie::read(
        &store.settings,
        &request_parts()?.headers,
    ))
}

pub fn set_cookie(value: String) -> Result<(), AppError> {
    let response = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
    let value = http::HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}
