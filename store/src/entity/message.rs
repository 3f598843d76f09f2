use janus_domain::ids::{ClientId, ContactId, MessageId, PinLinkId, TwoStepCodeId};
use janus_domain::messages::{Channel, MessageKind};
use janus_domain::security::DeliveryStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: MessageId,
    pub client_id: Option<ClientId>,
    pub contact_id: Option<ContactId>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub status: DeliveryStatus,
    pub created_at: DateTimeUtc,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTimeUtc>,
    /// A worker's lease on the row; past it, another worker may take the row over.
    pub claimed_until: Option<DateTimeUtc>,
    /// After this the message is worthless (its code or link has expired) and is never sent.
    pub deliver_by: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// Why the last attempt failed, in words staff can act on.
    pub last_error: Option<String>,
    /// The setup or reset link this message carries, if any.
    pub pin_link_id: Option<PinLinkId>,
    /// The 2-step code this message carries, if any.
    pub two_step_code_id: Option<TwoStepCodeId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
