use janus_domain::audit::{AuditAction, AuditOutcome};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub staff_user_id: Option<i32>,
    pub client_id: Option<i32>,
    pub contact_id: Option<i32>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    /// Free text for people; never holds a secret.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
