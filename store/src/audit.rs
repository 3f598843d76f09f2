//! The audit trail: who did what to which client, when, and how it ended (ASVS 16.3).
//! Details are for people and never contain a secret.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::ids::{ClientId, ContactId, StaffId};
use janus_domain::security::AuditView;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set, Statement,
};

use crate::entity::{audit_event, client, contact, staff_user};
use crate::{OrInternal, Store};

/// How many events the lead card lists.
pub const CLIENT_AUDIT_LIMIT: u64 = 50;

/// One event to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub staff_user_id: Option<StaffId>,
    pub client_id: Option<ClientId>,
    pub contact_id: Option<ContactId>,
    pub detail: String,
}

impl Entry {
    pub fn new(action: AuditAction, outcome: AuditOutcome) -> Self {
        Self {
            action,
            outcome,
            staff_user_id: None,
            client_id: None,
            contact_id: None,
            detail: String::new(),
        }
    }

    pub fn staff(mut self, id: StaffId) -> Self {
        self.staff_user_id = Some(id);
        self
    }

    pub fn client(mut self, id: ClientId) -> Self {
        self.client_id = Some(id);
        self
    }

    pub fn contact(mut self, id: ContactId) -> Self {
        self.contact_id = Some(id);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// Writes one entry; pass a transaction to make it part of the change it describes.
pub async fn record(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    entry: Entry,
) -> Result<(), DbErr> {
    row(at, entry).insert(db).await.map(|_| ())
}

/// The statement [`record`] runs, for a change that sends its statements together
/// (`db::write_atomically`).
pub(crate) fn insert(backend: DbBackend, at: DateTime<Utc>, entry: Entry) -> Statement {
    audit_event::Entity::insert(row(at, entry)).build(backend)
}

fn row(at: DateTime<Utc>, entry: Entry) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        at: Set(at),
        staff_user_id: Set(entry.staff_user_id),
        client_id: Set(entry.client_id),
        contact_id: Set(entry.contact_id),
        action: Set(entry.action),
        outcome: Set(entry.outcome),
        detail: Set(entry.detail),
        ..Default::default()
    }
}

impl Store {
    /// The lead card's activity list alone: [`Self::client_audit`] of a client that exists
    /// (`NotFound` otherwise, rather than an empty list that would look like no activity).
    pub async fn client_activity(&self, client_id: ClientId) -> Result<Vec<AuditView>, AppError> {
        client::Entity::find_by_id(client_id)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Client".into()))?;
        self.client_audit(client_id).await
    }

    /// A client's most recent events, newest first, with staff and contact names.
    pub async fn client_audit(&self, client_id: ClientId) -> Result<Vec<AuditView>, AppError> {
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::ClientId.eq(client_id))
            .order_by_desc(audit_event::Column::At)
            .order_by_desc(audit_event::Column::Id)
            .limit(CLIENT_AUDIT_LIMIT)
            .all(&self.db)
            .await
            .or_internal()?;
        let staff_ids: Vec<StaffId> = events.iter().filter_map(|e| e.staff_user_id).collect();
        let contact_ids: Vec<ContactId> = events.iter().filter_map(|e| e.contact_id).collect();
        let staff: HashMap<StaffId, String> = staff_user::Entity::find()
            .filter(staff_user::Column::Id.is_in(staff_ids))
            .all(&self.db)
            .await
            .or_internal()?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let contacts: HashMap<ContactId, String> = contact::Entity::find()
            .filter(contact::Column::Id.is_in(contact_ids))
            .all(&self.db)
            .await
            .or_internal()?
            .into_iter()
            .map(|k| (k.id, k.name))
            .collect();
        Ok(events
            .into_iter()
            .map(|e| AuditView {
                at: e.at,
                action: e.action,
                outcome: e.outcome,
                staff_name: e.staff_user_id.and_then(|id| staff.get(&id).cloned()),
                contact_name: e.contact_id.and_then(|id| contacts.get(&id).cloned()),
                detail: e.detail,
            })
            .collect())
    }
}
