//! Authenticator-app codes (RFC 6238) through totp-rs: 6 digits, 30-second steps, one
//! step of drift either way. A code is accepted once: the step it matched is kept, and a
//! code for that step or an earlier one is refused (RFC 6238 §5.2), so a code seen over
//! someone's shoulder cannot be replayed in the same half-minute.

use chrono::{DateTime, Utc};
use janus_domain::staff::second_factor::{TOTP_DIGITS, TOTP_SKEW_STEPS, TOTP_STEP_SECONDS};
use rand::RngCore;
use totp_rs::{Algorithm, Builder, Totp};

/// 160 random bits, the length RFC 4226 recommends for the shared secret.
const SEED_BYTES: usize = 20;
/// What authenticator apps show above the account.
pub(crate) const ISSUER: &str = "Janus Enrollment";

/// A TOTP seed in the Base32 authenticator apps take. Not `Debug`: it is a secret.
pub struct Seed(zeroize::Zeroizing<String>);

impl Seed {
    pub(crate) fn generate() -> Self {
        let mut raw = zeroize::Zeroizing::new([0u8; SEED_BYTES]);
        rand::rng().fill_bytes(raw.as_mut());
        Self(zeroize::Zeroizing::new(
            totp_rs::Secret::from(*raw).to_base32(),
        ))
    }

    pub fn from_base32(base32: String) -> Self {
        Self(zeroize::Zeroizing::new(base32))
    }

    pub(crate) fn base32(&self) -> &str {
        &self.0
    }

    fn totp(&self, account: &str) -> Result<Totp, String> {
        let secret = totp_rs::Secret::try_from_base32(self.0.as_str())
            .map_err(|e| format!("a stored TOTP seed is not Base32: {e}"))?;
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(TOTP_DIGITS as u8)
            .with_skew(TOTP_SKEW_STEPS.into())
            .with_step_duration(TOTP_STEP_SECONDS)
            .with_secret(secret)
            .with_issuer(Some(ISSUER))
            .with_account_name(account)
            .build()
            .map_err(|e| format!("cannot build the TOTP generator: {e}"))
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn otpauth_url(&self, account: &str) -> Result<String, String> {
        self.totp(account)?
            .to_url()
            .map_err(|e| format!("cannot write the otpauth address: {e}"))
    }

    /// The time step `code` matches at `now`, if it matches one inside the drift window
    /// and that step is later than `last_step` (the one a code was last accepted for).
    pub(crate) fn accepts(
        &self,
        code: &str,
        now: DateTime<Utc>,
        last_step: Option<i64>,
    ) -> Result<Option<i64>, String> {
        let Ok(seconds) = u64::try_from(now.timestamp()) else {
            return Ok(None);
        };
        let matched = self.totp("")?.check(code, seconds);
        Ok(matched
            .and_then(|step| i64::try_from(step).ok())
            .filter(|&step| last_step.is_none_or(|last| step > last)))
    }

    /// The code an app shows at `at` (tests compute codes as an app would).
    pub fn code_at(&self, at: DateTime<Utc>) -> Result<String, String> {
        let seconds = u64::try_from(at.timestamp()).map_err(|e| e.to_string())?;
        Ok(self.totp("")?.generate(seconds).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    /// RFC 6238's own test vector (SHA-1, the ASCII seed "12345678901234567890").
    #[test]
    fn codes_agree_with_rfc_6238() {
        let seed = Seed::from_base32(totp_rs::Secret::from(*b"12345678901234567890").to_base32());
        assert_eq!(seed.code_at(at(59)).unwrap(), "287082");
        assert_eq!(seed.code_at(at(1_111_111_109)).unwrap(), "081804");
        assert_eq!(seed.code_at(at(2_000_000_000)).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let seed = Seed::generate();
        let now = at(1_800_000_000);
        let step = 1_800_000_000 / 30;
        for (offset, accepted) in [
            (-60, false),
            (-30, true),
            (0, true),
            (30, true),
            (60, false),
        ] {
            let code = seed.code_at(now + Duration::seconds(offset)).unwrap();
            let matched = seed.accepts(&code, now, None).unwrap();
            assert_eq!(matched.is_some(), accepted, "offset {offset}s");
            if accepted {
                assert_eq!(matched, Some(step + offset / 30));
            }
        }
        assert_eq!(seed.accepts("000000x", now, None).unwrap(), None);
    }

    #[test]
    fn a_code_is_never_accepted_twice() {
        let seed = Seed::generate();
        let now = at(1_800_000_000);
        let code = seed.code_at(now).unwrap();
        let step = seed.accepts(&code, now, None).unwrap().unwrap();
        assert_eq!(seed.accepts(&code, now, Some(step)).unwrap(), None);
        // Nor is the previous step's code, once a later one was used.
        let earlier = seed.code_at(now - Duration::seconds(30)).unwrap();
        assert_eq!(seed.accepts(&earlier, now, Some(step)).unwrap(), None);
        // The next step's code still is.
        let later = seed.code_at(now + Duration::seconds(30)).unwrap();
        assert_eq!(
            seed.accepts(&later, now + Duration::seconds(30), Some(step))
                .unwrap(),
            Some(step + 1)
        );
    }

    #[test]
    fn the_setup_address_names_the_issuer_and_account() {
        let seed = Seed::generate();
        let url = seed.otpauth_url("ana@example.com").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Janus%20Enrollment:ana%40example.com?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={}", seed.base32())), "{url}");
    }
}
