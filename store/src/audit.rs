//! The audit trail: who did what to which client, when, and how it ended (ASVS 16.3).
//! Details are for people and never contain a secret.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use crate::entity::audit_event;

/// What happened. Stored as `code()`; new actions are added here, never as free strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignOut,
    StaffCreated,
    SyncEmployees,
    SendToBeia,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignOut => "sign_out",
            Self::StaffCreated => "staff_created",
            Self::SyncEmployees => "sync_employees",
            Self::SendToBeia => "send_to_beia",
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
    .insert(db)
    .await
    .map(|_| ())
}
