//! The message templates' preview page.

use janus_domain::AppError;
use janus_domain::messages::MessagePreviews;
use leptos::prelude::*;

/// Every message for one brand in scope (the first when `brand` is empty), filled in with
/// sample data. Staff only; no real link or code is involved.
#[server(prefix = "/api", endpoint = "get_message_previews")]
pub async fn get_message_previews(brand: Option<String>) -> Result<MessagePreviews, AppError> {
    let (store, _staff) = context::require_staff(Permission::WorkEnrollments).await?;
    store
        .message_previews(brand.as_deref().filter(|b| !b.is_empty()))
        .await
}

#[cfg(feature = "ssr")]
use super::context;
#[cfg(feature = "ssr")]
use janus_domain::staff::Permission;
