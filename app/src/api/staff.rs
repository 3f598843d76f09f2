//! Staff users: admins list, add, deactivate, reactivate and change roles, and reset
//! passwords and second factors. Every function here refuses other roles (403) before
//! doing anything, and each change asks for a fresh second factor (step-up); the store
//! checks the role again.

use janus_domain::AppError;
use janus_domain::ids::StaffId;
use janus_domain::staff::{StaffChange, StaffMember, StaffRole};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    let (store, admin) = context::require_staff(Permission::ManageStaff).await?;
    store.list_staff(&admin).await
}

/// Adds a staff account. The first password is one the admin hands over in person; its
/// owner replaces it at their first sign-in.
#[server(prefix = "/api", endpoint = "add_staff")]
pub async fn add_staff(
    name: String,
    email: String,
    role: StaffRole,
    password: String,
) -> Result<StaffMember, AppError> {
    use janus_domain::Secret;
    let (store, admin) = context::require_step_up(Permission::ManageStaff).await?;
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
    let (store, admin) = context::require_step_up(Permission::ManageStaff).await?;
    store.change_staff(&admin, id, change).await
}

/// Issues a new first password for `id`, shown this once to hand over; its owner must
/// change it at their next sign-in.
#[server(prefix = "/api", endpoint = "reset_staff_password")]
pub async fn reset_staff_password(id: StaffId) -> Result<IssuedPassword, AppError> {
    let (store, admin) = context::require_step_up(Permission::ManageStaff).await?;
    let (member, password) = store.reset_staff_password(&admin, id).await?;
    Ok(IssuedPassword {
        member,
        password: password.expose().to_owned(),
    })
}

/// A password an admin reset, with the account as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuedPassword {
    pub member: StaffMember,
    /// Shown once on the admin's screen to hand over; never stored in the clear.
    pub password: String,
}

#[cfg(feature = "ssr")]
use super::context;
#[cfg(feature = "ssr")]
use janus_domain::staff::Permission;

/// The sign-in audit (admins): each field as the filter form gives it, empty for "any".
#[server(prefix = "/api", endpoint = "sign_in_audit")]
pub async fn sign_in_audit(
    staff: String,
    action: String,
    outcome: String,
    from: String,
    to: String,
) -> Result<Vec<janus_domain::audit::SignInEvent>, AppError> {
    use janus_domain::audit::SignInAuditFilter;
    let (store, admin) = context::require_staff(Permission::ManageStaff).await?;
    let filter = SignInAuditFilter::parse(&staff, &action, &outcome, &from, &to)?;
    store.sign_in_audit(&admin, &filter).await
}
