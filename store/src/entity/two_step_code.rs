use janus_domain::ids::{ClientId, ContactId, StaffId, TwoStepCodeId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "two_step_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: TwoStepCodeId,
    pub client_id: ClientId,
    pub contact_id: ContactId,
    pub staff_user_id: StaffId,
    /// argon2id PHC string (peppered).
    pub code_hash: String,
    pub sent_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub checks_used: i32,
    pub used_at: Option<DateTimeUtc>,
    pub voided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
