//! The application's settings, as read from `Leptos.toml` and the environment.
//!
//! Every number of DESIGN.md §2 lives here with its default. The defaults in
//! [`Settings::default`] and the values written in `Leptos.toml` are kept equal by a test,
//! so the file documents what the server does when a key is left out. Secrets (the PIN
//! pepper, SMTP and Twilio credentials) are not part of this struct: the server reads
//! them from the environment only.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub site: SiteSettings,
    pub database: DatabaseSettings,
    pub brands: BrandSettings,
    pub sessions: SessionSettings,
    pub pin: PinSettings,
    pub argon2: Argon2Settings,
    pub setup_link: SetupLinkSettings,
    pub two_step: TwoStepSettings,
    pub verification: VerificationSettings,
    pub mail: MailSettings,
    pub sms: SmsSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Dev mailbox page, demo data, a built-in pepper when none is given.
    Development,
    /// Refuses to start without real secrets.
    Production,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteSettings {
    /// Address the server listens on.
    pub address: String,
    /// Address people use to reach the site; links in messages start with it. `https://`
    /// here turns on Secure cookies.
    pub public_url: String,
    pub mode: Mode,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            address: "127.0.0.1:3000".into(),
            public_url: "http://127.0.0.1:3000".into(),
            mode: Mode::Development,
        }
    }
}

impl SiteSettings {
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`.
    pub url: String,
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/janus.db?mode=rwc".into(),
            max_connections: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BrandSettings {
    /// Slugs of the brands whose new clients get the security PIN workflow.
    pub in_scope: Vec<String>,
}

impl Default for BrandSettings {
    fn default() -> Self {
        Self {
            in_scope: ["cornerstone", "peopaygo", "compeo", "coguardhr"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl BrandSettings {
    pub fn is_in_scope(&self, slug: &str) -> bool {
        self.in_scope.iter().any(|s| s == slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSettings {
    /// A staff session ends after this long without a request (OWASP ASVS 7.3.1).
    pub idle_minutes: u32,
    /// And after this long in any case (ASVS 7.3.2).
    pub absolute_hours: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_minutes: 30,
            absolute_hours: 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PinSettings {
    /// Consecutive failed PIN checks that lock PIN verification for a client.
    pub max_failures: u32,
    pub lockout_minutes: u32,
}

impl Default for PinSettings {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lockout_minutes: 15,
        }
    }
}

/// argon2id cost (OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once; bounds memory at about `memory_kib × max_concurrent`.
    pub max_concurrent: u32,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            max_concurrent: 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SetupLinkSettings {
    /// Random bytes in a link's token; at least 16 (128 bits, OWASP Forgot Password).
    pub token_bytes: u32,
    pub valid_hours: u32,
}

impl Default for SetupLinkSettings {
    fn default() -> Self {
        Self {
            token_bytes: 32,
            valid_hours: 24,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TwoStepSettings {
    pub valid_minutes: u32,
    pub max_checks: u32,
    pub max_sends: u32,
    pub send_window_minutes: u32,
}

impl Default for TwoStepSettings {
    fn default() -> Self {
        Self {
            valid_minutes: 10,
            max_checks: 5,
            max_sends: 5,
            send_window_minutes: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerificationSettings {
    /// How long a successful PIN or code check keeps a client verified.
    pub window_minutes: u32,
}

impl Default for VerificationSettings {
    fn default() -> Self {
        Self { window_minutes: 60 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MailTransport {
    DevMailbox,
    Smtp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: MailTransport::DevMailbox,
            from: "Janus Enrollment <no-reply@janus.example>".into(),
            smtp_host: "localhost".into(),
            smtp_port: 587,
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
    /// E.164 sender number, when not using a messaging service.
    pub from_number: String,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            transport: SmsTransport::DevMailbox,
            from_number: String::new(),
        }
    }
}

/// A settings value that is not allowed, naming the key as it is written in `Leptos.toml`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("setting `{key}` {problem}")]
pub struct SettingsError {
    pub key: &'static str,
    pub problem: String,
}

impl Settings {
    /// Checks every value; returns all problems at once so one restart fixes them all.
    pub fn validate(&self) -> Result<(), Vec<SettingsError>> {
        let mut problems = Vec::new();
        let mut range = |key: &'static str, value: u32, lo: u32, hi: u32| {
            if !(lo..=hi).contains(&value) {
                problems.push(SettingsError {
                    key,
                    problem: format!("must be between {lo} and {hi} (got {value})"),
                });
            }
        };
        range(
            "database.max_connections",
            self.database.max_connections,
            1,
            1000,
        );
        range(
            "sessions.idle_minutes",
            self.sessions.idle_minutes,
            1,
            24 * 60,
        );
        range(
            "sessions.absolute_hours",
            self.sessions.absolute_hours,
            1,
            24 * 30,
        );
        // NIST SP 800-63B allows at most 100 consecutive failures; we keep it far lower.
        range("pin.max_failures", self.pin.max_failures, 1, 10);
        range("pin.lockout_minutes", self.pin.lockout_minutes, 1, 24 * 60);
        // argon2id minimums from the OWASP cheat sheet's weakest acceptable row (m=7 MiB, t=5).
        range(
            "argon2.memory_kib",
            self.argon2.memory_kib,
            7_168,
            1_048_576,
        );
        range("argon2.iterations", self.argon2.iterations, 1, 20);
        range("argon2.parallelism", self.argon2.parallelism, 1, 16);
        range("argon2.max_concurrent", self.argon2.max_concurrent, 1, 64);
        range(
            "setup_link.token_bytes",
            self.setup_link.token_bytes,
            16,
            64,
        );
        range("setup_link.valid_hours", self.setup_link.valid_hours, 1, 72);
        range("two_step.valid_minutes", self.two_step.valid_minutes, 1, 60);
        range("two_step.max_checks", self.two_step.max_checks, 1, 10);
        range("two_step.max_sends", self.two_step.max_sends, 1, 20);
        range(
            "two_step.send_window_minutes",
            self.two_step.send_window_minutes,
            1,
            24 * 60,
        );
        range(
            "verification.window_minutes",
            self.verification.window_minutes,
            1,
            8 * 60,
        );

        if self.site.address.parse::<std::net::SocketAddr>().is_err() {
            problems.push(SettingsError {
                key: "site.address",
                problem: format!(
                    "must be an IP address and port such as 127.0.0.1:3000 (got {:?})",
                    self.site.address
                ),
            });
        }
        let url = self.site.public_url.trim_end_matches('/');
        let has_host = url
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty());
        if !(url.starts_with("http://") || url.starts_with("https://")) || !has_host {
            problems.push(SettingsError {
                key: "site.public_url",
                problem: format!(
                    "must start with http:// or https:// and name a host (got {:?})",
                    self.site.public_url
                ),
            });
        }
        if !(self.database.url.starts_with("sqlite:")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            problems.push(SettingsError {
                key: "database.url",
                problem: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }
        if self.brands.in_scope.is_empty() {
            problems.push(SettingsError {
                key: "brands.in_scope",
                problem: "must name at least one brand".into(),
            });
        }
        if let Some(bad) = self.brands.in_scope.iter().find(|s| {
            s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }) {
            problems.push(SettingsError {
                key: "brands.in_scope",
                problem: format!(
                    "holds brand slugs of lower-case letters, digits and hyphens (got {bad:?})"
                ),
            });
        }
        if self.mail.transport == MailTransport::Smtp && self.mail.smtp_host.trim().is_empty() {
            problems.push(SettingsError {
                key: "mail.smtp_host",
                problem: "must be set when mail.transport is \"smtp\"".into(),
            });
        }
        if self.sms.transport == SmsTransport::Twilio && self.sms.from_number.trim().is_empty() {
            problems.push(SettingsError {
                key: "sms.from_number",
                problem: "must be set when sms.transport is \"twilio\"".into(),
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Settings::default().validate().unwrap();
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let mut s = Settings::default();
        s.pin.max_failures = 0;
        s.setup_link.token_bytes = 8;
        s.site.address = "localhost".into();
        let keys: Vec<_> = s
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(
            keys,
            ["pin.max_failures", "setup_link.token_bytes", "site.address"]
        );
    }

    #[test]
    fn messages_say_what_is_allowed() {
        let mut s = Settings::default();
        s.verification.window_minutes = 0;
        let e = &s.validate().unwrap_err()[0];
        assert_eq!(
            e.to_string(),
            "setting `verification.window_minutes` must be between 1 and 480 (got 0)"
        );
    }

    #[test]
    fn brand_slugs_are_checked() {
        let mut s = Settings::default();
        s.brands.in_scope = vec!["Cornerstone".into()];
        assert_eq!(s.validate().unwrap_err()[0].key, "brands.in_scope");
    }
}
