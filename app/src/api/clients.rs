//! The dashboard's list and the lead card.

use janus_domain::AppError;
use janus_domain::dashboard::{ClientPage, DashboardTab, EnrollmentStage, LeadCard};
use janus_domain::ids::ClientId;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "list_clients")]
pub async fn list_clients(
    tab: DashboardTab,
    search: String,
    page: u64,
) -> Result<ClientPage, AppError> {
    let (store, staff) = context::require_staff(Permission::VerifyCallers).await?;
    client_page(&store, &staff, tab, &search, page).await
}

/// [`list_clients`], asked by the dashboard on its own when the live feed says a listed
/// client changed: not the person's activity, so it does not hold off the idle timeout.
#[server(prefix = "/api", endpoint = "watch_clients")]
pub async fn watch_clients(
    tab: DashboardTab,
    search: String,
    page: u64,
) -> Result<ClientPage, AppError> {
    let (store, staff) = context::require_staff_in_background(Permission::VerifyCallers).await?;
    client_page(&store, &staff, tab, &search, page).await
}

#[cfg(feature = "ssr")]
async fn client_page(
    store: &janus_store::Store,
    staff: &janus_domain::staff::StaffView,
    tab: DashboardTab,
    search: &str,
    page: u64,
) -> Result<ClientPage, AppError> {
    use janus_domain::dashboard::ClientQuery;
    let mut listed = store
        .list_clients(&ClientQuery::new(tab, search, page)?)
        .await?;
    listed.viewer = staff.role;
    Ok(listed)
}

#[server(prefix = "/api", endpoint = "get_lead_card")]
pub async fn get_lead_card(client_id: ClientId) -> Result<LeadCard, AppError> {
    let (store, _staff) = context::require_staff(Permission::VerifyCallers).await?;
    store.lead_card(client_id).await
}

/// [`get_lead_card`], asked by the card on its own when the live feed says the client
/// changed: not the person's activity.
#[server(prefix = "/api", endpoint = "watch_lead_card")]
pub async fn watch_lead_card(client_id: ClientId) -> Result<LeadCard, AppError> {
    let (store, _staff) = context::require_staff_in_background(Permission::VerifyCallers).await?;
    store.lead_card(client_id).await
}

/// The lead card's activity list alone, refreshed after the Security Verification modal.
#[server(prefix = "/api", endpoint = "get_client_audit")]
pub async fn get_client_audit(
    client_id: ClientId,
) -> Result<Vec<janus_domain::security::AuditView>, AppError> {
    let (store, _staff) = context::require_staff(Permission::VerifyCallers).await?;
    store.client_activity(client_id).await
}

/// [`get_client_audit`], asked by the card on its own when the live feed says the client
/// changed: not the person's activity.
#[server(prefix = "/api", endpoint = "watch_client_audit")]
pub async fn watch_client_audit(
    client_id: ClientId,
) -> Result<Vec<janus_domain::security::AuditView>, AppError> {
    let (store, _staff) = context::require_staff_in_background(Permission::VerifyCallers).await?;
    store.client_activity(client_id).await
}

#[server(prefix = "/api", endpoint = "sync_employees")]
pub async fn sync_employees(client_id: ClientId) -> Result<LeadCard, AppError> {
    let (store, staff) = context::require_staff(Permission::WorkEnrollments).await?;
    store.sync_employees(client_id, &staff).await
}

#[server(prefix = "/api", endpoint = "send_to_beia")]
pub async fn send_to_beia(client_id: ClientId) -> Result<LeadCard, AppError> {
    let (store, staff) = context::require_staff(Permission::WorkEnrollments).await?;
    store.send_to_beia(client_id, &staff).await
}

/// Moves the client one enrollment stage on, or back with a `reason` (empty when none was
/// typed); for an in-scope brand, Enrolled waits for a security PIN.
#[server(prefix = "/api", endpoint = "move_client_stage")]
pub async fn move_client_stage(
    client_id: ClientId,
    to: EnrollmentStage,
    reason: String,
) -> Result<LeadCard, AppError> {
    let (store, staff) = context::require_staff(Permission::WorkEnrollments).await?;
    store.move_stage(client_id, to, &reason, &staff).await
}

#[cfg(feature = "ssr")]
use super::context;
#[cfg(feature = "ssr")]
use janus_domain::staff::Permission;
