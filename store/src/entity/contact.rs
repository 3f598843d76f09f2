use janus_domain::contact::ContactRole;
use janus_domain::ids::{ClientId, ContactId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ContactId,
    pub client_id: ClientId,
    pub name: String,
    pub role: ContactRole,
    pub email: String,
    pub mobile_phone: Option<String>,
    /// When the email address became new (added or changed from the lead card); links and
    /// codes to it wait out the cooling-off period from then.
    pub email_changed_at: Option<DateTimeUtc>,
    pub mobile_changed_at: Option<DateTimeUtc>,
    /// An admin let messages go to the new destinations before the period ended.
    pub cooling_off_approved_at: Option<DateTimeUtc>,
    pub cooling_off_approved_by: Option<janus_domain::ids::StaffId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::client::Entity",
        from = "Column::ClientId",
        to = "super::client::Column::Id"
    )]
    Client,
}

impl Related<super::client::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Client.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
