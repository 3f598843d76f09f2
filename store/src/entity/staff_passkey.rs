use janus_domain::ids::StaffId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_passkeys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub staff_user_id: StaffId,
    /// The credential's id as the browser names it (base64url).
    #[sea_orm(unique)]
    pub credential_id: String,
    /// What its owner called it ("Work laptop").
    pub name: String,
    /// webauthn-rs's `Passkey`, as JSON: the public key and the signature counter.
    pub passkey: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
