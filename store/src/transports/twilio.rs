//! SMS through the Twilio Messages REST API: one form POST per message, with HTTP basic
//! auth (Account SID and auth token), a sender (a From number or a Messaging Service),
//! and a `ValidityPeriod` no longer than the code or link the text carries, so Twilio
//! drops a text it could not hand on in time rather than deliver a stale code.
//!
//! Twilio answers 201 with the message resource once it has accepted the text; errors
//! come as JSON with a numeric `code` and a `message`. 429 and 5xx, like a network
//! failure, are worth retrying; other 4xx are not (a bad number stays bad) except 401,
//! which an operator fixes by correcting the token while the text waits.

use std::time::Duration;

use chrono::{DateTime, Utc};
use janus_domain::Secret;
use janus_domain::settings::SmsSettings;
use serde::Deserialize;

use crate::entity::message;
use crate::outbox::Attempt;

/// Where Twilio sends from.
#[derive(Clone)]
enum Sender {
    Number(String),
    MessagingService(String),
}

#[derive(Clone)]
pub(super) struct Twilio {
    http: reqwest::Client,
    /// `{api}/2010-04-01/Accounts/{sid}/Messages.json`
    messages_url: String,
    account_sid: String,
    auth_token: std::sync::Arc<Secret>,
    sender: Sender,
    max_validity_seconds: i64,
}

/// The part of Twilio's error body we use.
#[derive(Deserialize)]
struct ApiError {
    code: Option<u32>,
    message: Option<String>,
}

/// The part of Twilio's message resource we log.
#[derive(Deserialize)]
struct Accepted {
    sid: Option<String>,
}

impl Twilio {
    pub(super) fn new(
        settings: &SmsSettings,
        auth_token: Secret,
        timeout: Duration,
    ) -> Result<Self, String> {
        let sender = match settings.messaging_service_sid.trim() {
            "" => Sender::Number(settings.from_number.trim().to_owned()),
            service => Sender::MessagingService(service.to_owned()),
        };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("the Twilio client could not be built: {e}"))?;
        let account_sid = settings.twilio_account_sid.trim().to_owned();
        Ok(Self {
            http,
            messages_url: format!(
                "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
                settings.twilio_api_url.trim().trim_end_matches('/')
            ),
            account_sid,
            auth_token: std::sync::Arc::new(auth_token),
            sender,
            max_validity_seconds: settings.max_validity_seconds.into(),
        })
    }

    pub(super) async fn send(&self, m: &message::Model, now: DateTime<Utc>) -> Attempt {
        let validity = match m.deliver_by {
            Some(by) => (by - now).num_seconds().min(self.max_validity_seconds),
            None => self.max_validity_seconds,
        };
        if validity < 1 {
            return Attempt::Permanent("expired before it could be sent".into());
        }
        let validity = validity.to_string();
        let mut form = vec![
            ("To", m.recipient.as_str()),
            ("Body", m.text_body.as_str()),
            ("ValidityPeriod", validity.as_str()),
        ];
        match &self.sender {
            Sender::Number(n) => form.push(("From", n)),
            Sender::MessagingService(s) => form.push(("MessagingServiceSid", s)),
        }
        let response = self
            .http
            .post(&self.messages_url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .form(&form)
            .send()
            .await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Transient(format!(
                    "Twilio could not be reached: {}",
                    without_url(e)
                ));
            }
        };
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if status.is_success() {
            let sid = serde_json::from_str::<Accepted>(&body)
                .ok()
                .and_then(|a| a.sid)
                .unwrap_or_default();
            tracing::info!(message = %m.id, twilio_sid = %sid, "SMS accepted by Twilio");
            return Attempt::Sent;
        }
        let reason = describe(status.as_u16(), &body);
        match status.as_u16() {
            401 | 429 | 500..=599 => Attempt::Transient(reason),
            _ => Attempt::Permanent(reason),
        }
    }
}

/// A reqwest error without the request URL, which holds the Account SID.
fn without_url(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in 15 s".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        e.without_url().to_string()
    }
}

/// Twilio's refusal in words staff can act on, with Twilio's own code and text after it.
fn describe(status: u16, body: &str) -> String {
    let error = serde_json::from_str::<ApiError>(body).ok();
    let code = error.as_ref().and_then(|e| e.code);
    let text = error
        .and_then(|e| e.message)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let plain = match code {
        Some(21211) => "invalid phone number",
        Some(21614) => "not a mobile number",
        Some(21610) => "the recipient has opted out of texts (replied STOP)",
        Some(21408) => "texts to this country are not enabled for the account",
        Some(21612) | Some(21606) => "this sender cannot text that number",
        Some(20003) => "Twilio refused the account credentials",
        _ if status == 429 => "Twilio is busy (too many requests)",
        _ if status >= 500 => "Twilio is unavailable",
        _ => "Twilio refused the message",
    };
    match code {
        Some(code) => format!("{plain} (Twilio {code}: {text})"),
        None => format!("{plain} ({text})"),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn refusals_are_put_in_words_with_twilios_code() {
        let body = r#"{"code": 21211, "message": "The 'To' number 5550100 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        assert_eq!(
            describe(400, body),
            "invalid phone number (Twilio 21211: The 'To' number 5550100 is not a valid phone number.)"
        );
        assert_eq!(
            describe(503, "<html>down</html>"),
            "Twilio is unavailable (HTTP 503)"
        );
    }
}
