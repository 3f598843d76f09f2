use janus_domain::ids::{CallerProofId, ClientId, ContactId, StaffId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "caller_proofs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: CallerProofId,
    pub client_id: ClientId,
    pub contact_id: ContactId,
    pub staff_user_id: StaffId,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
