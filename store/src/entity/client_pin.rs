use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_pins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: i32,
    /// argon2id PHC string (peppered); `None` while the client has no usable PIN.
    pub pin_hash: Option<String>,
    pub pin_set_at: Option<DateTimeUtc>,
    pub reset_started_at: Option<DateTimeUtc>,
    pub consecutive_failures: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
