use janus_domain::dashboard::EnrollmentStage;
use janus_domain::ids::{BrandId, ClientId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ClientId,
    pub brand_id: BrandId,
    pub business_name: String,
    pub legal_name: String,
    pub stage: EnrollmentStage,
    pub address: String,
    pub employee_count: i32,
    pub last_synced_at: Option<DateTimeUtc>,
    pub beia_sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::brand::Entity",
        from = "Column::BrandId",
        to = "super::brand::Column::Id"
    )]
    Brand,
    #[sea_orm(has_many = "super::contact::Entity")]
    Contact,
}

impl Related<super::brand::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Brand.def()
    }
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
