//! Where queued messages go. Chosen from the settings at start-up; the delivery worker
//! hands each claimed message to [`Transports::deliver`].
//!
//! Email: the development mailbox (the stored row *is* the delivery, so it is marked sent
//! at once and the mailbox page shows it) or SMTP through lettre. SMS: the development
//! mailbox or the Twilio Messages REST API.

mod smtp;
mod twilio;

use chrono::{DateTime, Utc};
use janus_domain::Secret;
use janus_domain::messages::Channel;
use janus_domain::settings::{MailTransport, Settings, SmsTransport};

use crate::entity::message;
use crate::outbox::Attempt;
use smtp::Smtp;
pub use smtp::SmtpCredentials;
use twilio::Twilio;

/// The transports' secrets, read from the environment by the server (never from the
/// settings file).
#[derive(Default)]
pub struct TransportSecrets {
    /// SMTP login, if the mail server wants one.
    pub smtp: Option<SmtpCredentials>,
    /// Twilio's auth token; required when `sms.transport` is `twilio`.
    pub twilio_auth_token: Option<Secret>,
}

#[derive(Clone)]
enum Email {
    DevMailbox,
    Smtp(Smtp),
}

#[derive(Clone)]
enum Sms {
    DevMailbox,
    Twilio(Twilio),
}

#[derive(Clone)]
pub struct Transports {
    email: Email,
    sms: Sms,
}

impl Transports {
    pub fn from_settings(settings: &Settings, secrets: TransportSecrets) -> Result<Self, String> {
        // Each attempt ends by this timeout, which the outbox lease is sized against.
        let timeout =
            std::time::Duration::from_secs(settings.outbox.attempt_timeout_seconds.into());
        let email = match settings.mail.transport {
            MailTransport::DevMailbox => Email::DevMailbox,
            MailTransport::Smtp => Email::Smtp(Smtp::new(&settings.mail, secrets.smtp, timeout)?),
        };
        let sms = match settings.sms.transport {
            SmsTransport::DevMailbox => Sms::DevMailbox,
            SmsTransport::Twilio => {
                let token = secrets.twilio_auth_token.ok_or(
                    "sms.transport is \"twilio\" but JANUS_TWILIO_AUTH_TOKEN is not set in the environment",
                )?;
                Sms::Twilio(Twilio::new(&settings.sms, token, timeout)?)
            }
        };
        Ok(Self { email, sms })
    }

    /// One delivery attempt of one claimed message, at `now` (which bounds how long an
    /// SMS may wait at the provider).
    pub async fn deliver(&self, m: &message::Model, now: DateTime<Utc>) -> Attempt {
        match m.channel {
            Channel::Email => match &self.email {
                Email::DevMailbox => Attempt::Sent,
                Email::Smtp(smtp) => smtp.send(m).await,
            },
            Channel::Sms => match &self.sms {
                Sms::DevMailbox => Attempt::Sent,
                Sms::Twilio(twilio) => twilio.send(m, now).await,
            },
        }
    }
}
