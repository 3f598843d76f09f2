use janus_domain::ids::ClientId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_pins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub client_id: ClientId,
    /// argon2id PHC string (peppered); `None` while the client has no usable PIN.
    pub pin_hash: Option<String>,
    pub pin_set_at: Option<DateTimeUtc>,
    pub reset_started_at: Option<DateTimeUtc>,
    /// Misses in a row since the last success or lock.
    pub consecutive_failures: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// Checks counted but not yet resolved; they count toward the limit until the lease
    /// `checks_reserved_until` ends.
    pub checks_in_flight: i32,
    pub checks_reserved_until: Option<DateTimeUtc>,
    /// Lock windows came too often: held locked until a 2-step code or an admin lifts it.
    pub held_since: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
