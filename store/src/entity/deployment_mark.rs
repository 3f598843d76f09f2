use janus_domain::settings::Mode;
use sea_orm::entity::prelude::*;

/// What a mark records; one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Mark {
    /// The mode the database has been served in: `production` once it ever was.
    Mode,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment_marks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: Mark,
    pub value: Mode,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
