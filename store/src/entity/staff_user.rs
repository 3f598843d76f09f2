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
    /// Set when an admin issued the password: it must be changed at the next sign-in.
    pub must_change_password: bool,
    /// The authenticator app's TOTP seed, sealed (`sealing.rs`).
    pub totp_secret_sealed: Option<String>,
    /// When the app was confirmed with a first code; `None` while set-up is under way.
    pub totp_confirmed_at: Option<DateTimeUtc>,
    /// The last time step a code was accepted for: codes of it and earlier are refused.
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
