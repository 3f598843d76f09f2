//! SMTP through lettre: pooled, with TLS, STARTTLS, or plain for a relay on this machine.

use std::time::Duration;

use janus_domain::Secret;
use janus_domain::settings::{MailSettings, SmtpSecurity};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::entity::message;
use crate::outbox::Attempt;

/// The SMTP login, from the environment (never the settings file).
pub struct SmtpCredentials {
    pub username: String,
    pub password: Secret,
}

#[derive(Clone)]
pub(super) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    pub(super) fn new(
        settings: &MailSettings,
        credentials: Option<SmtpCredentials>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let host = settings.smtp_host.trim();
        let builder = match settings.smtp_security {
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            SmtpSecurity::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
        }
        .map_err(|e| format!("setting `mail.smtp_host`: {e}"))?
        .port(settings.smtp_port)
        .timeout(Some(timeout));
        let builder = match credentials {
            Some(c) => {
                builder.credentials(Credentials::new(c.username, c.password.expose().to_owned()))
            }
            None => builder,
        };
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("setting `mail.from`: {e}"))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    pub(super) async fn send(&self, m: &message::Model) -> Attempt {
        send_email(&self.transport, &self.from, m).await
    }
}

async fn send_email(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    m: &message::Model,
) -> Attempt {
    let to: Mailbox = match m.recipient.parse() {
        Ok(to) => to,
        Err(e) => return Attempt::Permanent(format!("invalid email address: {e}")),
    };
    // Quoted-printable for both parts: readable in any client, and links stay intact.
    let part = |kind: ContentType, body: String| {
        SinglePart::builder()
            .header(kind)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body)
    };
    let body = MultiPart::alternative()
        .singlepart(part(ContentType::TEXT_PLAIN, m.text_body.clone()))
        .singlepart(part(
            ContentType::TEXT_HTML,
            m.html_body.clone().unwrap_or_default(),
        ));
    let email = match Message::builder()
        .from(from.clone())
        .to(to)
        .subject(m.subject.clone())
        .multipart(body)
    {
        Ok(email) => email,
        Err(e) => return Attempt::Permanent(format!("the message could not be built: {e}")),
    };
    match transport.send(email).await {
        Ok(_) => Attempt::Sent,
        Err(e) if e.is_permanent() => {
            Attempt::Permanent(format!("the mail server refused the message: {e}"))
        }
        Err(e) => Attempt::Transient(format!("the mail server could not be reached: {e}")),
    }
}
