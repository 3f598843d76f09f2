use janus_domain::ids::StaffId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webauthn_ceremonies")]
pub struct Model {
    /// SHA-256 of the ceremony's random id, which only the browser holds.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_digest: String,
    /// Whose ceremony it is; `None` for a passkey sign-in, which names nobody until the
    /// passkey answers.
    pub staff_user_id: Option<StaffId>,
    /// `register`, `authenticate` or `discover`.
    pub kind: String,
    /// webauthn-rs's state for checking the answer, as JSON (it holds the challenge).
    pub state: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
