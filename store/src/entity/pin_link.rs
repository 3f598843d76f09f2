use janus_domain::ids::{ClientId, ContactId, PinLinkId, StaffId};
use janus_domain::security::LinkPurpose;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pin_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: PinLinkId,
    pub client_id: ClientId,
    pub contact_id: ContactId,
    pub staff_user_id: StaffId,
    pub purpose: LinkPurpose,
    /// SHA-256 of the link's token, hex; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub sent_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
