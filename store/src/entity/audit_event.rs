use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::ids::{AuditEventId, ClientId, ContactId, StaffId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: AuditEventId,
    pub at: DateTimeUtc,
    pub staff_user_id: Option<StaffId>,
    pub client_id: Option<ClientId>,
    pub contact_id: Option<ContactId>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    /// Free text for people; never holds a secret.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
