//! The audit trail: who did what to which client, when, and how it ended (ASVS 16.3).
//! Details are for people and never contain a secret.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use janus_domain::AppError;
use janus_domain::security::AuditView;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set, Statement,
};

use crate::entity::{audit_event, contact, staff_user};
use crate::{OrInternal, Store};

/// How many events the lead card lists.
pub const CLIENT_AUDIT_LIMIT: u64 = 50;

/// What happened. Stored as `code()`; new actions are added here, never as free strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignOut,
    StaffCreated,
    /// An admin deactivated a staff account (its sessions end with it) or reactivated it.
    StaffDeactivated,
    StaffReactivated,
    StaffRoleChanged,
    SyncEmployees,
    SendToBeia,
    PinLinkSent,
    /// A client used a setup or reset link (success) or tried a dead one (failure).
    PinSet,
    PinCheck,
    PinLocked,
    /// Lock windows came too often: PIN checks stay locked until lifted.
    PinLockHeld,
    /// PIN checks unlocked: by a 2-step code that succeeded, or by an admin with a reason.
    PinUnlocked,
    CodeSent,
    CodeCheck,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Self::SignIn,
        Self::SignOut,
        Self::StaffCreated,
        Self::StaffDeactivated,
        Self::StaffReactivated,
        Self::StaffRoleChanged,
        Self::SyncEmployees,
        Self::SendToBeia,
        Self::PinLinkSent,
        Self::PinSet,
        Self::PinCheck,
        Self::PinLocked,
        Self::PinLockHeld,
        Self::PinUnlocked,
        Self::CodeSent,
        Self::CodeCheck,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignOut => "sign_out",
            Self::StaffCreated => "staff_created",
            Self::StaffDeactivated => "staff_deactivated",
            Self::StaffReactivated => "staff_reactivated",
            Self::StaffRoleChanged => "staff_role_changed",
            Self::SyncEmployees => "sync_employees",
            Self::SendToBeia => "send_to_beia",
            Self::PinLinkSent => "pin_link_sent",
            Self::PinSet => "pin_set",
            Self::PinCheck => "pin_check",
            Self::PinLocked => "pin_locked",
            Self::PinLockHeld => "pin_lock_held",
            Self::PinUnlocked => "pin_unlocked",
            Self::CodeSent => "code_sent",
            Self::CodeCheck => "code_check",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// How the lead card's audit list names the action.
    pub fn label(self) -> &'static str {
        match self {
            Self::SignIn => "Signed in",
            Self::SignOut => "Signed out",
            Self::StaffCreated => "Staff user created",
            Self::StaffDeactivated => "Staff user deactivated",
            Self::StaffReactivated => "Staff user reactivated",
            Self::StaffRoleChanged => "Staff role changed",
            Self::SyncEmployees => "Sync Employees",
            Self::SendToBeia => "Send to BEIA",
            Self::PinLinkSent => "PIN link sent",
            Self::PinSet => "PIN set by client",
            Self::PinCheck => "PIN verification",
            Self::PinLocked => "PIN checks locked",
            Self::PinLockHeld => "PIN checks held locked",
            Self::PinUnlocked => "PIN checks unlocked",
            Self::CodeSent => "2-step code sent",
            Self::CodeCheck => "2-step code check",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub action: Action,
    pub outcome: Outcome,
    pub staff_user_id: Option<i32>,
    pub client_id: Option<i32>,
    pub contact_id: Option<i32>,
    pub detail: String,
}

impl Entry {
    pub fn new(action: Action, outcome: Outcome) -> Self {
        Self {
            action,
            outcome,
            staff_user_id: None,
            client_id: None,
            contact_id: None,
            detail: String::new(),
        }
    }

    pub fn staff(mut self, id: i32) -> Self {
        self.staff_user_id = Some(id);
        self
    }

    pub fn client(mut self, id: i32) -> Self {
        self.client_id = Some(id);
        self
    }

    pub fn contact(mut self, id: i32) -> Self {
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
        action: Set(entry.action.code().to_owned()),
        outcome: Set(entry.outcome.code().to_owned()),
        detail: Set(entry.detail),
        ..Default::default()
    }
}

impl Store {
    /// A client's most recent events, newest first, with staff and contact names.
    pub async fn client_audit(&self, client_id: i32) -> Result<Vec<AuditView>, AppError> {
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::ClientId.eq(client_id))
            .order_by_desc(audit_event::Column::At)
            .order_by_desc(audit_event::Column::Id)
            .limit(CLIENT_AUDIT_LIMIT)
            .all(&self.db)
            .await
            .or_internal()?;
        let staff_ids: Vec<i32> = events.iter().filter_map(|e| e.staff_user_id).collect();
        let contact_ids: Vec<i32> = events.iter().filter_map(|e| e.contact_id).collect();
        let staff: HashMap<i32, String> = staff_user::Entity::find()
            .filter(staff_user::Column::Id.is_in(staff_ids))
            .all(&self.db)
            .await
            .or_internal()?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        let contacts: HashMap<i32, String> = contact::Entity::find()
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
                action: Action::from_code(&e.action)
                    .map_or_else(|| e.action.clone(), |a| a.label().to_owned()),
                success: e.outcome == Outcome::Success.code(),
                staff_name: e.staff_user_id.and_then(|id| staff.get(&id).cloned()),
                contact_name: e.contact_id.and_then(|id| contacts.get(&id).cloned()),
                detail: e.detail,
            })
            .collect())
    }
}
