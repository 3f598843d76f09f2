//! Loading the settings: `Leptos.toml`, then environment variables over it.
//!
//! Any key can be overridden as `JANUS_<SECTION>__<KEY>` (for example
//! `JANUS_VERIFICATION__WINDOW_MINUTES=2`); `DATABASE_URL` also sets `database.url`.
//! Secrets are read from the environment only and never from the file.

use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use janus_domain::settings::{Mode, Settings};

pub const ENV_PREFIX: &str = "JANUS_";
pub const PEPPER_VAR: &str = "JANUS_PIN_PEPPER";
/// The outbox sealing key's secret, when it is not the pepper (`store/src/sealing.rs`).
pub const SEALING_KEY_VAR: &str = "JANUS_SEALING_KEY";
/// Earlier sealing secrets, comma-separated, kept after a rotation until the bodies they
/// sealed are delivered or erased.
pub const RETIRED_SEALING_KEYS_VAR: &str = "JANUS_SEALING_KEYS_RETIRED";

/// Used only in development mode when no pepper is set, so a newcomer can run the app
/// without secrets. Production refuses to start without a real one.
const DEVELOPMENT_PEPPER: &str = "janus-development-pepper-not-for-production";

pub struct Secrets {
    pub pepper: Vec<u8>,
    /// Seals new outbox bodies; the pepper unless `JANUS_SEALING_KEY` is set.
    pub sealing_key: Vec<u8>,
    pub retired_sealing_keys: Vec<Vec<u8>>,
}

impl Secrets {
    /// Every secret from the pepper alone (tests, and the development default).
    pub fn from_pepper(pepper: &[u8]) -> Self {
        Self {
            pepper: pepper.to_vec(),
            sealing_key: pepper.to_vec(),
            retired_sealing_keys: Vec::new(),
        }
    }

    /// The outbox's sealer, under these keys.
    pub fn sealer(&self) -> janus_store::sealing::Sealer {
        janus_store::sealing::Sealer::with_keys(
            &self.pepper,
            &self.sealing_key,
            &self.retired_sealing_keys,
        )
    }
}

/// Environment variables holding secrets: never settings keys, so the settings loader
/// skips them (`JANUS_` + each).
const SECRET_VARS: [&str; 6] = [
    "PIN_PEPPER",
    "SEALING_KEY",
    "SEALING_KEYS_RETIRED",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "TWILIO_AUTH_TOKEN",
];

/// The transports' secrets: the SMTP login from `JANUS_SMTP_USERNAME` /
/// `JANUS_SMTP_PASSWORD` (when both are set) and `JANUS_TWILIO_AUTH_TOKEN`.
pub fn transport_secrets() -> janus_store::transports::TransportSecrets {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let smtp = match (var("JANUS_SMTP_USERNAME"), var("JANUS_SMTP_PASSWORD")) {
        (Some(username), Some(password)) => Some(janus_store::transports::SmtpCredentials {
            username,
            password: janus_domain::Secret::new(password),
        }),
        _ => None,
    };
    janus_store::transports::TransportSecrets {
        smtp,
        twilio_auth_token: var("JANUS_TWILIO_AUTH_TOKEN").map(janus_domain::Secret::new),
    }
}

pub fn load(path: &Path) -> Result<Settings, String> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    if path.exists() {
        figment = figment.merge(Toml::file(path));
    } else {
        return Err(format!("settings file {} not found", path.display()));
    }
    let env = Env::prefixed(ENV_PREFIX).split("__").ignore(&SECRET_VARS);
    figment = figment.merge(env).merge(
        Env::raw()
            .only(&["DATABASE_URL"])
            .map(|_| "database.url".into()),
    );
    let mut settings: Settings = figment.extract().map_err(|errors| {
        errors
            .into_iter()
            .map(|e| {
                // Environment keys arrive upper-cased; name them as the file writes them.
                let key = e.path.join(".").to_lowercase();
                let source = e
                    .metadata
                    .as_ref()
                    .map(|m| format!(" (from {})", m.name))
                    .unwrap_or_default();
                format!("settings: setting `{key}`: {}{source}", e.kind)
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let templates = Path::new(&settings.messages.templates_dir);
    if templates.is_relative()
        && let Some(base) = path.parent()
    {
        settings.messages.templates_dir = base.join(templates).to_string_lossy().into_owned();
    }
    settings.validate().map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("settings: {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(settings)
}

pub fn secrets(settings: &Settings) -> Result<Secrets, String> {
    let pepper = match (std::env::var(PEPPER_VAR), settings.site.mode) {
        (Ok(p), _) if p.len() >= 32 => p.into_bytes(),
        (Ok(_), _) => {
            return Err(format!(
                "{PEPPER_VAR} must be at least 32 characters (use a random value)"
            ));
        }
        (Err(_), Mode::Development) => DEVELOPMENT_PEPPER.as_bytes().to_vec(),
        (Err(_), Mode::Production) => {
            return Err(format!("{PEPPER_VAR} must be set in production mode"));
        }
    };
    let strong = |name: &str, value: String| {
        if value.len() >= 32 {
            Ok(value.into_bytes())
        } else {
            Err(format!(
                "{name}: each key must be at least 32 characters (use a random value)"
            ))
        }
    };
    let mut secrets = Secrets::from_pepper(&pepper);
    if let Ok(keys) = std::env::var(RETIRED_SEALING_KEYS_VAR) {
        secrets.retired_sealing_keys = keys
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| strong(RETIRED_SEALING_KEYS_VAR, k.to_owned()))
            .collect::<Result<_, _>>()?;
    }
    if let Ok(key) = std::env::var(SEALING_KEY_VAR) {
        if key.contains(',') || key.trim() != key {
            // It could not be listed among the retired keys at the next rotation.
            return Err(format!(
                "{SEALING_KEY_VAR} must not contain a comma or start or end with a space"
            ));
        }
        secrets.sealing_key = strong(SEALING_KEY_VAR, key)?;
        // Until the first rotation the bodies were sealed under the pepper: they still
        // open, without the operator having to name the pepper a second time.
        if secrets.sealing_key != pepper {
            secrets.retired_sealing_keys.push(pepper);
        }
    }
    Ok(secrets)
}

#[cfg(test)]
// figment's own test helper fixes the closure's error type; its size is not ours to shrink.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn workspace_file() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml")
    }

    #[test]
    fn leptos_toml_documents_the_defaults() {
        // The file is the documentation of what each key does when left out; they must agree.
        let text = std::fs::read_to_string(workspace_file()).unwrap();
        let from_file: Settings = toml_from(&text);
        assert_eq!(from_file, Settings::default());
    }

    fn toml_from(text: &str) -> Settings {
        Figment::from(Toml::string(text)).extract().unwrap()
    }

    #[test]
    fn environment_overrides_the_file_and_bad_values_name_their_key() {
        Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "[verification]\nwindow_minutes = 60\n")?;
            jail.set_env("JANUS_VERIFICATION__WINDOW_MINUTES", "2");
            jail.set_env("DATABASE_URL", "postgres://u@localhost/janus");
            // Secrets share the prefix but are never settings keys.
            for secret in SECRET_VARS {
                jail.set_env(
                    format!("{ENV_PREFIX}{secret}"),
                    "a-secret-value-of-32-characters!",
                );
            }
            let s = load(Path::new("Leptos.toml")).unwrap();
            assert_eq!(s.verification.window_minutes, 2);
            assert_eq!(s.database.url, "postgres://u@localhost/janus");

            jail.set_env("JANUS_PIN__MAX_FAILURES", "50");
            let err = load(Path::new("Leptos.toml")).unwrap_err();
            assert_eq!(
                err,
                "settings: setting `pin.max_failures` must be between 1 and 10 (got 50)"
            );

            jail.set_env("JANUS_PIN__MAX_FAILURES", "five");
            let err = load(Path::new("Leptos.toml")).unwrap_err();
            assert!(err.contains("pin.max_failures"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        Jail::expect_with(|jail| {
            jail.create_file("Leptos.toml", "[pin]\nmax_failure = 3\n")?;
            let err = load(Path::new("Leptos.toml")).unwrap_err();
            assert!(err.contains("max_failure"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_sealing_key_rotates_apart_from_the_pepper() {
        Jail::expect_with(|jail| {
            let settings = Settings::default();
            let pepper = "a pepper of at least thirty-two characters";
            jail.set_env(PEPPER_VAR, pepper);
            let plain = secrets(&settings).unwrap();
            assert_eq!(
                plain.sealing_key,
                pepper.as_bytes(),
                "the pepper by default"
            );
            assert!(plain.retired_sealing_keys.is_empty());

            let (old, new) = (
                "the first sealing key of thirty-two or more",
                "the second sealing key of thirty-two or more",
            );
            jail.set_env(SEALING_KEY_VAR, new);
            jail.set_env(RETIRED_SEALING_KEYS_VAR, format!("{old}, "));
            let rotated = secrets(&settings).unwrap();
            assert_eq!(rotated.sealing_key, new.as_bytes());
            assert_eq!(
                rotated.retired_sealing_keys,
                [old.as_bytes().to_vec(), pepper.as_bytes().to_vec()]
            );
            let before = Secrets {
                sealing_key: old.as_bytes().to_vec(),
                ..Secrets::from_pepper(pepper.as_bytes())
            };
            let body = before.sealer().seal("a body sealed before the rotation");
            assert_eq!(
                rotated.sealer().open(&body).unwrap(),
                "a body sealed before the rotation"
            );

            // The first rotation away from the pepper needs no retired key named: the
            // bodies sealed under the pepper still open.
            jail.set_env(RETIRED_SEALING_KEYS_VAR, "");
            let first = secrets(&settings).unwrap();
            let under_pepper = Secrets::from_pepper(pepper.as_bytes())
                .sealer()
                .seal("sealed before any rotation");
            assert_eq!(
                first.sealer().open(&under_pepper).unwrap(),
                "sealed before any rotation"
            );

            jail.set_env(
                SEALING_KEY_VAR,
                "a sealing key, with a comma, thirty-two long",
            );
            let refused = secrets(&settings).err().unwrap();
            assert!(refused.contains("comma"), "{refused}");
            jail.set_env(SEALING_KEY_VAR, new);

            jail.set_env(RETIRED_SEALING_KEYS_VAR, "short");
            let refused = secrets(&settings).err().unwrap();
            assert!(refused.contains(RETIRED_SEALING_KEYS_VAR), "{refused}");
            Ok(())
        });
    }
}
