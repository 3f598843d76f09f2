//! The account page: one's own second factors and sessions. Sessions of others are for
//! admins (the staff page).

use janus_domain::AppError;
use janus_domain::ids::StaffId;
use janus_domain::staff::sessions::{SessionId, SessionView};
use leptos::prelude::*;

/// `whose` open sessions: one's own, or (admins) anyone's.
#[server(prefix = "/api", endpoint = "list_sessions")]
pub async fn list_sessions(whose: StaffId) -> Result<Vec<SessionView>, AppError> {
    let (store, session) = context::require_session().await?;
    session.clone().finished()?;
    store.list_sessions(&session, whose).await
}

/// Ends one of `whose` sessions. Another person's is an admin action (step-up).
#[server(prefix = "/api", endpoint = "end_session")]
pub async fn end_session(whose: StaffId, session: SessionId) -> Result<(), AppError> {
    let (store, asking) = context::require_session().await?;
    let me = asking.clone().finished()?;
    if whose != me.id {
        janus_domain::staff::require(&me, janus_domain::staff::Permission::ManageStaff)?;
        store.require_step_up(&asking).await?;
    }
    store.end_session(&asking, whose, &session).await
}

/// Removes one's authenticator app (and its recovery codes); asks for step-up.
#[server(prefix = "/api", endpoint = "remove_authenticator")]
pub async fn remove_authenticator() -> Result<(), AppError> {
    let (store, session) = context::require_session().await?;
    store.remove_authenticator(&session).await
}

/// Ten new recovery codes in place of the old; asks for step-up.
#[server(prefix = "/api", endpoint = "renew_recovery_codes")]
pub async fn renew_recovery_codes() -> Result<Vec<String>, AppError> {
    let (store, session) = context::require_session().await?;
    store.renew_recovery_codes(&session).await
}

#[cfg(feature = "ssr")]
use super::context;
