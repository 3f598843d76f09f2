//! The lead card's contact editor. Each answers with the lead card as it now stands. A
//! change to who speaks for the business is refused (428) without their verification;
//! `reason` is an admin's written reason to make it anyway (empty otherwise).

use janus_domain::AppError;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::LeadCard;
use janus_domain::ids::{ClientId, ContactId};
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "add_contact")]
pub async fn add_contact(
    client_id: ClientId,
    name: String,
    role: ContactRole,
    email: String,
    mobile: String,
    reason: String,
) -> Result<LeadCard, AppError> {
    use janus_domain::contact_edit::ContactDraft;
    let (store, staff) = context::require_contact_change(&reason).await?;
    let draft = ContactDraft::parse(&name, role, &email, &mobile)?;
    store.add_contact(client_id, draft, &reason, &staff).await
}

#[server(prefix = "/api", endpoint = "edit_contact")]
#[allow(clippy::too_many_arguments)]
pub async fn edit_contact(
    client_id: ClientId,
    contact_id: ContactId,
    name: String,
    role: ContactRole,
    email: String,
    mobile: String,
    reason: String,
) -> Result<LeadCard, AppError> {
    use janus_domain::contact_edit::ContactDraft;
    let (store, staff) = context::require_contact_change(&reason).await?;
    let draft = ContactDraft::parse(&name, role, &email, &mobile)?;
    store
        .edit_contact(client_id, contact_id, draft, &reason, &staff)
        .await
}

#[server(prefix = "/api", endpoint = "remove_contact")]
pub async fn remove_contact(
    client_id: ClientId,
    contact_id: ContactId,
    reason: String,
) -> Result<LeadCard, AppError> {
    let (store, staff) = context::require_contact_change(&reason).await?;
    store
        .remove_contact(client_id, contact_id, &reason, &staff)
        .await
}

#[cfg(feature = "ssr")]
use super::context;
