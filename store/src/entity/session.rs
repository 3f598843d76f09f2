use janus_domain::ids::StaffId;
use janus_domain::staff::second_factor::SignInStep;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// SHA-256 of the cookie's token, hex: a stolen database cannot be replayed as cookies.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub staff_user_id: StaffId,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    /// How far signing in has come: only `done` opens the dashboard.
    pub sign_in_step: SignInStep,
    /// When this session last confirmed a second factor: at sign-in, or for an admin
    /// action (step-up). `None`: only the password was shown.
    pub factor_confirmed_at: Option<DateTimeUtc>,
    /// When this session last confirmed its password: at sign-in, or for an admin action
    /// on an account that has no second factor.
    pub password_confirmed_at: Option<DateTimeUtc>,
    /// The browser's User-Agent and the address it signed in from, for the sessions list.
    pub user_agent: String,
    pub address: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::staff_user::Entity",
        from = "Column::StaffUserId",
        to = "super::staff_user::Column::Id"
    )]
    StaffUser,
}

impl Related<super::staff_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StaffUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
