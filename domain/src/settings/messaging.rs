//! Settings of the messages clients receive: the email and SMS transports and the
//! template folder, with the checks that belong to them.

use serde::{Deserialize, Serialize};

use super::{Settings, SettingsError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessageSettings {
    /// The folder of message templates (one folder per message). A relative path is taken
    /// from the folder of the settings file.
    pub templates_dir: String,
}

impl Default for MessageSettings {
    fn default() -> Self {
        Self {
            templates_dir: "templates/messages".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailTransport {
    DevMailbox,
    Smtp,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpSecurity {
    /// TLS from the first byte (usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which must succeed (usually port 587).
    Starttls,
    /// No encryption: only for a relay on this machine.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: MailTransport::DevMailbox,
            from: "Janus Enrollment <no-reply@janus.example>".into(),
            smtp_host: "localhost".into(),
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmsTransport {
    DevMailbox,
    Twilio,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsSettings {
    pub transport: SmsTransport,
    /// The Twilio account (`AC` and 32 hex digits); its auth token comes from the
    /// environment.
    pub twilio_account_sid: String,
    /// E.164 sender number, when not using a messaging service.
    pub from_number: String,
    /// A Twilio Messaging Service (`MG…`) to send from instead of `from_number`.
    pub messaging_service_sid: String,
    /// The longest a text may wait at the provider before it is dropped (Twilio's
    /// `ValidityPeriod`, 1–36000 s). A code's or link's own expiry shortens it further.
    pub max_validity_seconds: u32,
    /// The Twilio REST API; changed only to point tests at a stand-in.
    pub twilio_api_url: String,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            transport: SmsTransport::DevMailbox,
            twilio_account_sid: String::new(),
            from_number: String::new(),
            messaging_service_sid: String::new(),
            max_validity_seconds: 14_400,
            twilio_api_url: "https://api.twilio.com".into(),
        }
    }
}

/// `prefix` followed by 32 hexadecimal digits, as Twilio's SIDs are.
fn is_twilio_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

impl Settings {
    pub(super) fn twilio_problems(&self) -> Vec<SettingsError> {
        let sms = &self.sms;
        let mut problems = Vec::new();
        if !is_twilio_sid(sms.twilio_account_sid.trim(), "AC") {
            problems.push(SettingsError {
                key: "sms.twilio_account_sid",
                problem: "must be the Account SID from the Twilio console (AC and 32 hex digits) when sms.transport is \"twilio\"".into(),
            });
        }
        let from = sms.from_number.trim();
        let service = sms.messaging_service_sid.trim();
        match (from.is_empty(), service.is_empty()) {
            (true, true) => problems.push(SettingsError {
                key: "sms.from_number",
                problem:
                    "or sms.messaging_service_sid must be set when sms.transport is \"twilio\""
                        .into(),
            }),
            (false, false) => problems.push(SettingsError {
                key: "sms.messaging_service_sid",
                problem:
                    "and sms.from_number cannot both be set: Twilio sends from one or the other"
                        .into(),
            }),
            _ => {}
        }
        if !from.is_empty() && crate::contact::normalize_e164("from", from).is_err() {
            problems.push(SettingsError {
                key: "sms.from_number",
                problem: format!("must be an E.164 number such as +15550100199 (got {from:?})"),
            });
        }
        if !service.is_empty() && !is_twilio_sid(service, "MG") {
            problems.push(SettingsError {
                key: "sms.messaging_service_sid",
                problem: "must be a Messaging Service SID (MG and 32 hex digits)".into(),
            });
        }
        let url = sms.twilio_api_url.trim();
        if !(url.starts_with("https://")
            || url.starts_with("http://127.0.0.1")
            || url.starts_with("http://localhost"))
        {
            problems.push(SettingsError {
                key: "sms.twilio_api_url",
                problem:
                    "must be an https:// address (plain http only for a stand-in on this machine)"
                        .into(),
            });
        }
        problems
    }
}

/// How the delivery worker claims and sends queued messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxSettings {
    /// How long one attempt at the SMTP server or the SMS provider may take before it
    /// counts as a transient failure (and is tried again later).
    pub attempt_timeout_seconds: u32,
    /// How long a worker's claim on a message lasts. A message whose server process died
    /// while sending it is claimed again, by any process, once this has passed.
    pub lease_seconds: u32,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            attempt_timeout_seconds: 15,
            lease_seconds: 300,
        }
    }
}

impl OutboxSettings {
    /// Messages one worker claims at once: as many as surely finish within half the lease
    /// (each attempt ends by its timeout), at most 10. So no claim runs out while its
    /// worker is still sending, and another process never sends the same message.
    pub fn batch_size(&self) -> u64 {
        let per_attempt = 2 * u64::from(self.attempt_timeout_seconds.max(1));
        (u64::from(self.lease_seconds) / per_attempt).clamp(1, 10)
    }
}
