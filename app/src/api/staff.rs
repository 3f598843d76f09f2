//! Staff users: admins list, add, deactivate, reactivate and change roles. Every function
//! here refuses agents (403) before doing anything; the store checks the role again.

use janus_domain::AppError;
use janus_domain::ids::StaffId;
use janus_domain::staff::{StaffChange, StaffMember, StaffRole};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    let (store, admin) = context::require_admin().await?;
    store.list_staff(&admin).await
}

/// Adds a staff account. The first password is one the admin hands over in person (at
/// least 12 characters).
#[server(prefix = "/api", endpoint = "add_staff")]
pub async fn add_staff(
    name: String,
    email: String,
    role: StaffRole,
    password: String,
) -> Result<StaffMember, AppError> {
    use janus_domain::Secret;
    let (store, admin) = context::require_admin().await?;
    let new = janus_store::auth::NewStaff {
        name,
        email,
        password: Secret::new(password),
        role,
    };
    store.add_staff(&admin, new).await
}

#[server(prefix = "/api", endpoint = "change_staff")]
pub async fn change_staff(id: StaffId, change: StaffChange) -> Result<StaffMember, AppError> {
    let (store, admin) = context::require_admin().await?;
    store.change_staff(&admin, id, change).await
}

#[cfg(feature = "ssr")]
use super::context;
