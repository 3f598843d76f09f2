//! The application's settings, as read from `Leptos.toml` and the environment.
//!
//! Every number of the security rules lives here with its default. The defaults in
//! [`Settings::default`] and the values written in `Leptos.toml` are kept equal by a test,
//! so the file documents what the server does when a key is left out. Secrets (the PIN
//! pepper, SMTP and Twilio credentials) are not part of this struct: the server reads
//! them from the environment only.

use serde::{Deserialize, Serialize};

mod messaging;
mod security;
mod validate;
pub use messaging::*;
pub use security::*;
pub use validate::SettingsError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub site: SiteSettings,
    pub database: DatabaseSettings,
    pub brands: BrandSettings,
    pub sessions: SessionSettings,
    pub staff: StaffSettings,
    pub pin: PinSettings,
    pub argon2: Argon2Settings,
    pub setup_link: SetupLinkSettings,
    pub two_step: TwoStepSettings,
    pub verification: VerificationSettings,
    pub contacts: ContactSettings,
    pub prove_its_us: ProveItsUsSettings,
    /// Who must be verified for each sensitive action (`crate::authority`).
    pub authority: crate::authority::AuthoritySettings,
    pub mail: MailSettings,
    pub sms: SmsSettings,
    pub messages: MessageSettings,
    pub throttle: ThrottleSettings,
    pub outbox: OutboxSettings,
}

/// How many requests of each kind one account, address or link may make per window
/// before it is told to wait (HTTP 429). Counted in the database, so every server process
/// shares the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThrottleSettings {
    pub window_minutes: u32,
    /// Sign-in attempts per staff email from browsers that have not signed in to it
    /// before; a successful sign-in starts the count again.
    pub sign_in_per_account: u32,
    /// Sign-in attempts from one browser that has (it holds a device cookie for the
    /// account): failures from elsewhere never lock it out.
    pub sign_in_per_device: u32,
    /// How long a device cookie vouches for a browser.
    pub trusted_device_days: u32,
    /// Sign-in attempts per client address, whatever the email.
    pub sign_in_per_address: u32,
    /// Second-factor codes (authenticator or recovery) one account may try per window:
    /// with three codes valid at a time, five tries leave a guesser who already has the
    /// password about one chance in 70,000 per window (about 1 in 700 per day of steady
    /// guessing, every failure in the sign-in audit).
    pub second_factor_per_account: u32,
    /// Client PIN page requests (views and submissions) per client address.
    pub pin_page_per_address: u32,
    /// PIN submissions per setup link.
    pub pin_page_per_link: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            window_minutes: 15,
            sign_in_per_account: 10,
            sign_in_per_device: 10,
            trusted_device_days: 90,
            sign_in_per_address: 30,
            second_factor_per_account: 5,
            pin_page_per_address: 60,
            pin_page_per_link: 10,
        }
    }
}

/// Stored too, as the mode a database was served in (`deployment_marks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::EnumIter)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "db", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "lowercase")
)]
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
    /// Whether a reverse proxy stands in front and appends the client's address to
    /// `X-Forwarded-For`. Throttling per address then counts that address (only the last
    /// entry, the one the proxy added). Leave off when clients connect directly: the header
    /// would be theirs to forge.
    pub behind_proxy: bool,
    /// Other host names this site answers to besides the public URL's (say, the name an
    /// internal load balancer uses). Requests naming any other host are refused.
    pub host_aliases: Vec<String>,
    /// Development mode (dev mailbox, demo sign-ins) listens on loopback only unless this
    /// is set: its mailbox shows live links and codes.
    pub allow_remote_development: bool,
    /// On SIGTERM, how long the server waits for requests in flight and the delivery
    /// worker before it exits anyway.
    pub shutdown_seconds: u32,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            address: "127.0.0.1:3000".into(),
            public_url: "http://127.0.0.1:3000".into(),
            mode: Mode::Development,
            behind_proxy: false,
            host_aliases: Vec::new(),
            allow_remote_development: false,
            shutdown_seconds: 20,
        }
    }
}

impl Settings {
    /// Who must sign in with a second factor: the setting, or by mode when it is unset.
    pub fn second_factor_policy(&self) -> crate::staff::second_factor::SecondFactorPolicy {
        use crate::staff::second_factor::SecondFactorPolicy;
        self.staff.second_factor.unwrap_or(match self.site.mode {
            Mode::Production => SecondFactorPolicy::Required,
            Mode::Development => SecondFactorPolicy::Optional,
        })
    }

    /// The verification `action` needs, as the server enforces it: its row of the table
    /// (or the settings'), no more recent than the verified window itself, which ends
    /// first.
    pub fn authority(
        &self,
        action: crate::authority::SensitiveAction,
    ) -> crate::authority::Authority {
        let mut rule = self.authority.of(action);
        rule.within_minutes = rule.within_minutes.min(self.verification.window_minutes);
        rule
    }
}

impl SiteSettings {
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Whether a request whose `Host` header says `host` is meant for this site: the
    /// public URL's host, an alias, or, in development, this machine (any port). A page
    /// of another site whose name was pointed at our address (DNS rebinding) names its own
    /// host and is refused.
    pub fn accepts_host(&self, host: &str) -> bool {
        let Some(asked) = host_name(host) else {
            return false;
        };
        if self.mode == Mode::Development && is_loopback(&asked) {
            return true;
        }
        let public = url::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| u.host().map(|h| h.to_owned()));
        public.as_ref() == Some(&asked)
            || self
                .host_aliases
                .iter()
                .any(|alias| host_name(alias).as_ref() == Some(&asked))
    }
}

/// The host of a `Host` header value (`name`, `name:port`, `[v6]:port`), as the URL
/// parser normalises it (lower case, IP addresses canonical); `None` for anything that is
/// not just a host and port.
pub fn host_name(host: &str) -> Option<url::Host> {
    if host.is_empty()
        || host
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/\\?#@".contains(c))
    {
        return None;
    }
    let parsed = url::Url::parse(&format!("http://{host}/")).ok()?;
    parsed.host().map(|h| h.to_owned())
}

fn is_loopback(host: &url::Host) -> bool {
    match host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(name) => name == "localhost" || name.ends_with(".localhost"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_sites_hosts_are_accepted() {
        let mut site = SiteSettings {
            public_url: "https://janus.example.com".into(),
            host_aliases: vec!["janus-internal:8443".into()],
            ..SiteSettings::default()
        };
        for ours in [
            "janus.example.com",
            "JANUS.example.com:443",
            "janus-internal",
            "127.0.0.1:3000",
            "localhost:9999",
            "[::1]:3000",
        ] {
            assert!(site.accepts_host(ours), "{ours}");
        }
        for foreign in [
            "evil.example",
            "janus.example.com.evil.example",
            "evil.example@janus.example.com",
            "janus.example.com/x",
            "",
            "janus.example.com\r\n",
        ] {
            assert!(!site.accepts_host(foreign), "{foreign:?}");
        }
        site.mode = Mode::Production;
        assert!(
            !site.accepts_host("127.0.0.1:3000"),
            "loopback is development's"
        );
        assert!(site.accepts_host("janus.example.com"));
    }

    #[test]
    fn defaults_are_valid() {
        Settings::default().validate().unwrap();
    }

    #[test]
    fn an_authority_is_never_said_to_outlast_the_window() {
        use crate::authority::SensitiveAction;
        let mut s = Settings::default();
        s.verification.window_minutes = 1;
        s.validate().unwrap();
        assert_eq!(s.authority(SensitiveAction::SendToBeia).within_minutes, 1);
    }

    #[test]
    fn an_authority_row_must_be_satisfiable() {
        use crate::authority::{Authority, SensitiveAction};
        let mut s = Settings::default();
        s.authority.0.insert(
            SensitiveAction::SendToBeia,
            Authority {
                roles: vec![],
                methods: vec![],
                within_minutes: 481,
                checked_by_actor: true,
            },
        );
        let problems: Vec<String> = s
            .validate()
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "setting `authority` send_to_beia: within_minutes must be between 1 and 480 (got 481)",
                "setting `authority` send_to_beia: roles must name at least one contact role",
                "setting `authority` send_to_beia: methods must name at least one verification method",
            ]
        );
    }

    #[test]
    fn twilio_needs_an_account_and_exactly_one_sender() {
        let keys = |s: &Settings| -> Vec<&'static str> {
            s.validate()
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.key)
                .collect()
        };
        let mut s = Settings::default();
        s.sms.transport = SmsTransport::Twilio;
        assert_eq!(keys(&s), ["sms.twilio_account_sid", "sms.from_number"]);
        s.sms.twilio_account_sid = format!("AC{}", "0a".repeat(16));
        s.sms.from_number = "+15550100199".into();
        assert_eq!(keys(&s), Vec::<&str>::new());
        s.sms.messaging_service_sid = format!("MG{}", "1b".repeat(16));
        assert_eq!(keys(&s), ["sms.messaging_service_sid"]);
        s.sms.from_number.clear();
        assert_eq!(keys(&s), Vec::<&str>::new());
        s.sms.messaging_service_sid = "MG123".into();
        s.sms.twilio_api_url = "http://api.twilio.example".into();
        s.sms.max_validity_seconds = 0;
        assert_eq!(
            keys(&s),
            [
                "sms.max_validity_seconds",
                "sms.messaging_service_sid",
                "sms.twilio_api_url"
            ]
        );
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
