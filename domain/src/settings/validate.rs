//! Checking settings: every value against its allowed range or form, all problems
//! reported at once, each naming its key as `Leptos.toml` writes it.

use super::*;
use crate::staff::second_factor::SecondFactorPolicy;

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
        range("staff.step_up_minutes", self.staff.step_up_minutes, 1, 60);
        range("site.shutdown_seconds", self.site.shutdown_seconds, 1, 300);
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
        range(
            "pin.escalate_after_locks",
            self.pin.escalate_after_locks,
            1,
            20,
        );
        range(
            "pin.escalation_window_hours",
            self.pin.escalation_window_hours,
            1,
            24 * 7,
        );
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
        range("setup_link.max_sends", self.setup_link.max_sends, 1, 50);
        range(
            "setup_link.send_window_minutes",
            self.setup_link.send_window_minutes,
            1,
            1440,
        );
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
        range("prove_its_us.max_sends", self.prove_its_us.max_sends, 1, 20);
        range(
            "prove_its_us.send_window_minutes",
            self.prove_its_us.send_window_minutes,
            1,
            24 * 60,
        );
        range(
            "contacts.cooling_off_hours",
            self.contacts.cooling_off_hours,
            0,
            14 * 24,
        );
        range(
            "throttle.window_minutes",
            self.throttle.window_minutes,
            1,
            24 * 60,
        );
        range(
            "throttle.sign_in_per_account",
            self.throttle.sign_in_per_account,
            1,
            1000,
        );
        range(
            "throttle.sign_in_per_address",
            self.throttle.sign_in_per_address,
            1,
            100_000,
        );
        range(
            "throttle.second_factor_per_account",
            self.throttle.second_factor_per_account,
            1,
            20,
        );
        range(
            "throttle.pin_page_per_address",
            self.throttle.pin_page_per_address,
            1,
            100_000,
        );
        range(
            "outbox.attempt_timeout_seconds",
            self.outbox.attempt_timeout_seconds,
            1,
            120,
        );
        range(
            "throttle.sign_in_per_device",
            self.throttle.sign_in_per_device,
            1,
            1000,
        );
        range(
            "throttle.trusted_device_days",
            self.throttle.trusted_device_days,
            1,
            400,
        );
        range(
            "throttle.pin_page_per_link",
            self.throttle.pin_page_per_link,
            1,
            1000,
        );

        for (action, rule) in &self.authority.0 {
            let action: &'static str = action.into();
            let mut refuse = |problem: String| {
                problems.push(SettingsError {
                    key: "authority",
                    problem: format!("{action}: {problem}"),
                })
            };
            // Longer than the verified window is allowed: the window then ends first.
            if !(1..=8 * 60).contains(&rule.within_minutes) {
                refuse(format!(
                    "within_minutes must be between 1 and 480 (got {})",
                    rule.within_minutes
                ));
            }
            if rule.roles.is_empty() {
                refuse("roles must name at least one contact role".into());
            }
            if rule.methods.is_empty() {
                refuse("methods must name at least one verification method".into());
            }
        }
        if self.site.mode == Mode::Production
            && self.second_factor_policy() != SecondFactorPolicy::Required
        {
            problems.push(SettingsError {
                key: "staff.second_factor",
                problem: "must be \"required\" in production mode: a password alone opens \
                          every client's record"
                    .into(),
            });
        }
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
        if let Some(bad) = self
            .site
            .host_aliases
            .iter()
            .find(|alias| super::host_name(alias).is_none())
        {
            problems.push(SettingsError {
                key: "site.host_aliases",
                problem: format!("each must be a host name, optionally with a port (got {bad:?})"),
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
        let local_relay = matches!(
            self.mail.smtp_host.trim(),
            "localhost" | "127.0.0.1" | "::1"
        );
        if self.mail.transport == MailTransport::Smtp
            && self.mail.smtp_security == SmtpSecurity::Plain
            && !local_relay
        {
            problems.push(SettingsError {
                key: "mail.smtp_security",
                problem: "may be \"plain\" only for a relay on this machine (localhost, 127.0.0.1 or ::1); use \"tls\" or \"starttls\"".into(),
            });
        }
        let min_lease = 2 * self.outbox.attempt_timeout_seconds;
        if self.outbox.lease_seconds < min_lease || self.outbox.lease_seconds > 3600 {
            problems.push(SettingsError {
                key: "outbox.lease_seconds",
                problem: format!(
                    "must be at least twice outbox.attempt_timeout_seconds ({min_lease}) and at most 3600"
                ),
            });
        }
        if !(1..=36_000).contains(&self.sms.max_validity_seconds) {
            problems.push(SettingsError {
                key: "sms.max_validity_seconds",
                problem: "must be between 1 and 36000 (Twilio's limits)".into(),
            });
        }
        if self.sms.transport == SmsTransport::Twilio {
            problems.extend(self.twilio_problems());
        }
        if self.messages.templates_dir.trim().is_empty() {
            problems.push(SettingsError {
                key: "messages.templates_dir",
                problem: "must name the folder of message templates".into(),
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
