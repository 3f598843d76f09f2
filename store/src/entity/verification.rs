use janus_domain::contact::ContactRole;
use janus_domain::ids::{ClientId, ContactId, StaffId, VerificationId};
use janus_domain::security::{VerificationEnd, VerifyMethod};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: VerificationId,
    pub client_id: ClientId,
    pub staff_user_id: StaffId,
    pub method: VerifyMethod,
    pub contact_id: Option<ContactId>,
    pub verified_at: DateTimeUtc,
    /// When it ends; for one ended early, when it was ended.
    pub until: DateTimeUtc,
    /// The role the contact held when checked.
    pub contact_role: Option<ContactRole>,
    pub end_reason: Option<VerificationEnd>,
    pub ended_by: Option<StaffId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
