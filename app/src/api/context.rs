//! What every server function needs from the request: the store and the signed-in staff member.

use janus_domain::AppError;
use janus_domain::staff::{Permission, StaffView};
use janus_store::Store;
use janus_store::auth::StaffSession;
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

/// The browser this request came from, as the sessions list names it.
pub fn browser() -> Result<janus_store::auth::Browser, AppError> {
    let user_agent = request_parts()?
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok(janus_store::auth::Browser {
        user_agent,
        address: client_address()?,
    })
}

/// The request's headers (cookies, for one).
pub fn request_headers() -> Result<http::HeaderMap, AppError> {
    Ok(request_parts()?.headers)
}

/// The staff member whose session cookie came with this request, if signing in is
/// finished (`Unauthenticated` without a session, `SignInUnfinished` part-way) and their
/// role may do `permission`'s work (403 with the reason otherwise).
pub async fn require_staff(permission: Permission) -> Result<(Store, StaffView), AppError> {
    let (store, session) = require_session().await?;
    let staff = session.finished()?;
    janus_domain::staff::require(&staff, permission)?;
    Ok((store, staff))
}

/// Like [`require_staff`], for what a page asks by itself (polling): it does not count as
/// the person's activity, so it never holds off the idle timeout.
pub async fn require_staff_in_background(
    permission: Permission,
) -> Result<(Store, StaffView), AppError> {
    let (store, token) = store_and_session_token()?;
    let session = store
        .session_in_background(&token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let staff = session.finished()?;
    janus_domain::staff::require(&staff, permission)?;
    Ok((store, staff))
}

/// Like [`require_staff`], for an admin action: the session must also have confirmed its
/// second factor within `staff.step_up_minutes` (403 `StepUpRequired` otherwise, which
/// the page answers by asking for it).
pub async fn require_step_up(permission: Permission) -> Result<(Store, StaffView), AppError> {
    let (store, session) = require_session().await?;
    let staff = session.clone().finished()?;
    janus_domain::staff::require(&staff, permission)?;
    store.require_step_up(&session).await?;
    Ok((store, staff))
}

/// For a change to a client's contacts: enrollment work, and, when it carries an
/// admin's written reason (overriding the verification it would need), an admin action
/// that asks for step-up.
pub async fn require_contact_change(reason: &str) -> Result<(Store, StaffView), AppError> {
    let (store, session) = require_session().await?;
    let staff = session.clone().finished()?;
    janus_domain::staff::require(&staff, Permission::WorkEnrollments)?;
    if !reason.trim().is_empty() && staff.role.may(Permission::OverrideSafeguards) {
        store.require_step_up(&session).await?;
    }
    Ok((store, staff))
}

/// The session this request came with, at whatever step of signing in: for the steps
/// themselves and the account page.
pub async fn require_session() -> Result<(Store, StaffSession), AppError> {
    let (store, token) = store_and_session_token()?;
    let session = store
        .session(&token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((store, session))
}

/// The store and the session cookie's token, or `Unauthenticated` when there is none.
fn store_and_session_token() -> Result<(Store, janus_store::auth::SessionToken), AppError> {
    let store = store()?;
    let token = crate::session_cookie::read(&store.settings, &request_parts()?.headers)
        .ok_or(AppError::Unauthenticated)?;
    Ok((store, token))
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

/// Whether this request is a plain HTML form post (a browser without JavaScript), which
/// wants a page or a redirect back rather than data.
pub fn is_plain_form_post() -> Result<bool, AppError> {
    Ok(request_parts()?
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html")))
}

/// The address the request came from, for throttling: the socket's, or, when the settings
/// say a reverse proxy stands in front (`site.behind_proxy`), the last `X-Forwarded-For`
/// entry, the one the proxy added (earlier entries come from the client and can be forged).
/// `unknown` when the router runs without a socket, as in the HTTP tests.
pub fn client_address() -> Result<String, AppError> {
    let parts = request_parts()?;
    if store()?.settings.site.behind_proxy {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse::<std::net::IpAddr>().ok());
        if let Some(address) = forwarded {
            return Ok(address.to_string());
        }
    }
    Ok(parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string()))
}
