//! Messages to clients, written in the same transaction as the link or code they carry so
//! neither exists without the other (a transactional outbox). They wait as `queued` until
//! the delivery worker (`outbox.rs`) hands them to a transport. In development mode the
//! mailbox page lists every one, whatever its status.

use janus_domain::AppError;
use janus_domain::ids::{ClientId, ContactId, PinLinkId, TwoStepCodeId};
use janus_domain::messages::{Channel, Email, MailboxMessage, MessageKind};
use janus_domain::security::DeliveryStatus;
use janus_domain::settings::Mode;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect, Set,
};

use crate::entity::message;
use crate::sealing::Sealer;
use crate::{OrInternal, Store};

/// What a message carries, so its delivery status can be shown beside the link or code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    Link(PinLinkId),
    Code(TwoStepCodeId),
    /// A notice.
    Nothing,
}

/// Who a message is for, what it carries, and until when it is worth delivering (the
/// expiry of the link or code; `None` for a notice).
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// The client and contact it is for; `None` for a message to a staff member.
    pub client_id: Option<ClientId>,
    pub contact_id: Option<ContactId>,
    pub address: &'a str,
    pub carries: Carries,
    pub deliver_by: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn queue_email(
    db: &impl ConnectionTrait,
    sealer: &Sealer,
    now: chrono::DateTime<chrono::Utc>,
    kind: MessageKind,
    to: Recipient<'_>,
    email: Email,
) -> Result<(), DbErr> {
    insert(
        db,
        sealer,
        now,
        kind,
        Channel::Email,
        to,
        email.subject,
        email.text,
        Some(email.html),
    )
    .await
}

pub async fn queue_sms(
    db: &impl ConnectionTrait,
    sealer: &Sealer,
    now: chrono::DateTime<chrono::Utc>,
    kind: MessageKind,
    to: Recipient<'_>,
    text: String,
) -> Result<(), DbErr> {
    insert(
        db,
        sealer,
        now,
        kind,
        Channel::Sms,
        to,
        String::new(),
        text,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    db: &impl ConnectionTrait,
    sealer: &Sealer,
    now: chrono::DateTime<chrono::Utc>,
    kind: MessageKind,
    channel: Channel,
    to: Recipient<'_>,
    subject: String,
    text: String,
    html: Option<String>,
) -> Result<(), DbErr> {
    message::ActiveModel {
        client_id: Set(to.client_id),
        contact_id: Set(to.contact_id),
        kind: Set(kind),
        channel: Set(channel),
        recipient: Set(to.address.to_owned()),
        subject: Set(subject),
        // The bodies carry live links and codes: sealed at rest (see `sealing.rs`).
        text_body: Set(sealer.seal(&text)),
        html_body: Set(html.map(|h| sealer.seal(&h))),
        status: Set(DeliveryStatus::Queued),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        claimed_until: Set(None),
        deliver_by: Set(to.deliver_by),
        sent_at: Set(None),
        last_error: Set(None),
        pin_link_id: Set(match to.carries {
            Carries::Link(id) => Some(id),
            _ => None,
        }),
        two_step_code_id: Set(match to.carries {
            Carries::Code(id) => Some(id),
            _ => None,
        }),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// How many messages the mailbox page shows, newest first.
pub const MAILBOX_PAGE: u64 = 100;

impl Store {
    /// The development mailbox. It exists only in development mode: in production these
    /// messages carry live links and codes and are nobody's to browse.
    pub async fn dev_mailbox(&self) -> Result<Vec<MailboxMessage>, AppError> {
        if self.settings.site.mode != Mode::Development {
            return Err(AppError::NotFound("Page".into()));
        }
        message::Entity::find()
            .order_by_desc(message::Column::Id)
            .limit(MAILBOX_PAGE)
            .all(&self.db)
            .await
            .or_internal()?
            .into_iter()
            .map(|m| {
                Ok(MailboxMessage {
                    id: m.id,
                    at: m.created_at,
                    channel: m.channel,
                    recipient: m.recipient,
                    subject: m.subject,
                    text: self.sealer.open(&m.text_body).or_internal()?,
                    html: m
                        .html_body
                        .map(|h| self.sealer.open(&h))
                        .transpose()
                        .or_internal()?,
                    status: m.status,
                    error: m.last_error,
                })
            })
            .collect()
    }
}
