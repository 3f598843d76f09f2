use janus_domain::ids::StaffId;
use janus_domain::staff::StaffRole;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: StaffId,
    pub name: String,
    #[sea_orm(unique)]
    pub email: String,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub role: StaffRole,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
