//! Second factors for staff: who must have one, where a fresh sign-in stands on its way to
//! the dashboard, how recent a confirmation an admin action needs, and the shape of the
//! authenticator codes and recovery codes people type.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::StaffRole;

/// Who must sign in with a second factor (`staff.second_factor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::EnumIter)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorPolicy {
    /// Everyone.
    Required,
    /// Admins; others may set one up.
    Admins,
    /// Nobody, though anyone who has set one up is asked for it.
    Optional,
}

impl SecondFactorPolicy {
    /// Whether staff of `role` must have a second factor before they can work.
    pub fn requires(self, role: StaffRole) -> bool {
        match self {
            Self::Required => true,
            Self::Admins => role == StaffRole::Admin,
            Self::Optional => false,
        }
    }
}

/// The second factors an account has set up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factors {
    /// A confirmed TOTP authenticator app.
    pub authenticator_app: bool,
    pub passkeys: u32,
    /// Unused recovery codes (they come with the authenticator app).
    pub recovery_codes_left: u32,
}

impl Factors {
    pub fn is_empty(&self) -> bool {
        !self.authenticator_app && self.passkeys == 0
    }
}

stored_set! {
    /// Where a session stands between the password and the dashboard. Until it is
    /// [`SignInStep::Done`], the session opens nothing but the step it is at.
    pub enum SignInStep {
        /// The account has a factor and this session has not yet shown it.
        SecondFactor,
        /// An admin issued this password: the person chooses their own.
        ChangePassword,
        /// The policy wants a factor and the account has none: the person sets one up.
        EnrolFactor,
        Done,
    }
}

impl SignInStep {
    /// The next step of a session: its factor first (a password alone proves little),
    /// then the password change, then the enrolment the policy asks for.
    pub fn of(
        policy: SecondFactorPolicy,
        role: StaffRole,
        factors: Factors,
        factor_shown: bool,
        must_change_password: bool,
    ) -> Self {
        if !factors.is_empty() && !factor_shown {
            Self::SecondFactor
        } else if must_change_password {
            Self::ChangePassword
        } else if factors.is_empty() && policy.requires(role) {
            Self::EnrolFactor
        } else {
            Self::Done
        }
    }

    /// What is left to do, as the audit trail says it ("then a second factor").
    pub fn still_to_do(self) -> &'static str {
        match self {
            Self::SecondFactor => "then a second factor",
            Self::ChangePassword => "then a password of their own",
            Self::EnrolFactor => "then setting up a second factor",
            Self::Done => "signed in",
        }
    }

    /// The page that finishes this step.
    pub fn path(self) -> &'static str {
        match self {
            Self::SecondFactor => "/login/second-factor",
            Self::ChangePassword => "/login/new-password",
            Self::EnrolFactor => "/login/set-up-second-factor",
            Self::Done => "/",
        }
    }

    /// What a server function refused on a session at this step says.
    pub fn refusal(self) -> &'static str {
        match self {
            Self::SecondFactor => "Finish signing in: confirm it is you with your second factor.",
            Self::ChangePassword => "Finish signing in: choose your own password first.",
            Self::EnrolFactor => {
                "Finish signing in: set up a passkey or an authenticator app first."
            }
            Self::Done => "",
        }
    }
}

/// Whether a second-factor confirmation at `confirmed_at` is recent enough, at `now`, for
/// an admin action that asks for one within `minutes` (step-up).
pub fn step_up_is_fresh(
    confirmed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    minutes: u32,
) -> bool {
    confirmed_at.is_some_and(|at| at <= now && now - at < Duration::minutes(minutes.into()))
}

/// RFC 6238 as authenticator apps expect it: 6 digits, a 30-second step, HMAC-SHA1.
pub const TOTP_DIGITS: usize = 6;
pub const TOTP_STEP_SECONDS: u64 = 30;
/// Codes one step before or after the current one are accepted too, for clocks a little
/// apart and the seconds it takes to type (ASVS 6.5.5 allows a short drift).
pub const TOTP_SKEW_STEPS: u8 = 1;

/// Recovery codes are 24 characters of Crockford's base32 (120 bits: enough that a
/// plain SHA-256 stores them safely, ASVS 6.5.2), shown in four groups of six.
pub const RECOVERY_CODES: usize = 10;
pub const RECOVERY_CODE_CHARS: usize = 24;
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A recovery code as it is stored and compared: lower case, without the dashes and
/// spaces people type, with the letters Crockford's base32 leaves out read as the digits
/// they look like. `None` when what was typed cannot be a recovery code.
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            other => other,
        })
        .collect();
    let valid = code.chars().count() == RECOVERY_CODE_CHARS
        && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A stored recovery code as it is shown: four groups of six.
pub fn display_recovery_code(code: &str) -> String {
    code.as_bytes()
        .chunks(6)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What the authenticator app's set-up shows: the QR code and, for typing in by hand, the
/// secret it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    /// Base32, in groups of four.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code as an SVG document, drawn on the server.
    pub qr_svg: String,
}

/// A WebAuthn ceremony begun on the server, for the browser to finish: the options to
/// hand to `navigator.credentials` (JSON, as WebAuthn's `…FromJSON` methods read it),
/// and the ceremony's id, which the browser sends back with its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyChallenge {
    pub ceremony: String,
    pub options: String,
}

/// A passkey as its owner's account page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i32,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A passkey's name as its owner typed it: trimmed, 1 to 60 characters, or "Passkey".
pub fn passkey_name(typed: &str) -> Result<String, crate::AppError> {
    let name = typed.trim();
    match name.chars().count() {
        0 => Ok("Passkey".to_owned()),
        1..=60 => Ok(name.to_owned()),
        _ => Err(crate::AppError::invalid(
            "name",
            "keep the passkey's name to 60 characters or fewer",
        )),
    }
}

/// What someone typed at the second-factor step: a code from their app, or a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedFactor {
    AuthenticatorCode(String),
    RecoveryCode(String),
}

impl TypedFactor {
    pub fn parse(typed: &str) -> Result<Self, crate::AppError> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == TOTP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::AuthenticatorCode(digits));
        }
        normalize_recovery_code(typed)
            .map(Self::RecoveryCode)
            .ok_or_else(|| {
                crate::AppError::invalid(
                    "code",
                    "enter the 6 digits your authenticator app shows, or one of your recovery codes",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    const NONE: Factors = Factors {
        authenticator_app: false,
        passkeys: 0,
        recovery_codes_left: 0,
    };
    const APP: Factors = Factors {
        authenticator_app: true,
        passkeys: 0,
        recovery_codes_left: 10,
    };

    #[test]
    fn the_policy_names_who_must_have_a_factor() {
        for role in StaffRole::iter() {
            assert!(SecondFactorPolicy::Required.requires(role));
            assert!(!SecondFactorPolicy::Optional.requires(role));
            assert_eq!(
                SecondFactorPolicy::Admins.requires(role),
                role == StaffRole::Admin
            );
        }
    }

    #[test]
    fn a_sign_in_goes_factor_then_password_then_enrolment() {
        use SecondFactorPolicy::*;
        let agent = StaffRole::Agent;
        assert_eq!(
            SignInStep::of(Optional, agent, APP, false, true),
            SignInStep::SecondFactor
        );
        assert_eq!(
            SignInStep::of(Optional, agent, APP, true, true),
            SignInStep::ChangePassword
        );
        assert_eq!(
            SignInStep::of(Required, agent, NONE, false, true),
            SignInStep::ChangePassword
        );
        assert_eq!(
            SignInStep::of(Required, agent, NONE, false, false),
            SignInStep::EnrolFactor
        );
        assert_eq!(
            SignInStep::of(Admins, agent, NONE, false, false),
            SignInStep::Done
        );
        assert_eq!(
            SignInStep::of(Admins, StaffRole::Admin, NONE, false, false),
            SignInStep::EnrolFactor
        );
        assert_eq!(
            SignInStep::of(Required, agent, APP, true, false),
            SignInStep::Done
        );
    }

    #[test]
    fn step_up_lasts_five_minutes_from_the_confirmation() {
        let at = DateTime::UNIX_EPOCH + Duration::days(1);
        assert!(step_up_is_fresh(Some(at), at, 5));
        assert!(step_up_is_fresh(Some(at), at + Duration::seconds(299), 5));
        assert!(!step_up_is_fresh(Some(at), at + Duration::minutes(5), 5));
        assert!(!step_up_is_fresh(None, at, 5));
        // A confirmation from the future (a clock moved back) proves nothing.
        assert!(!step_up_is_fresh(Some(at + Duration::minutes(1)), at, 5));
    }

    #[test]
    fn recovery_codes_are_read_as_people_type_them() {
        let code = "k4m9qz7hx2pwabcdefgh0123";
        assert_eq!(display_recovery_code(code), "k4m9qz-7hx2pw-abcdef-gh0123");
        assert_eq!(
            normalize_recovery_code(" K4M9QZ-7HX2PW-ABCDEF-GH0123 ").as_deref(),
            Some(code)
        );
        assert_eq!(
            normalize_recovery_code("k4m9qz-7hx2pw-abcdef-ghOl23").as_deref(),
            Some("k4m9qz7hx2pwabcdefgh0123")
        );
        assert_eq!(normalize_recovery_code("k4m9qz-7hx2pw-abcdef-gh012"), None);
        assert_eq!(normalize_recovery_code("k4m9qz-7hx2pw-abcdef-gh012u"), None);
    }

    #[test]
    fn a_typed_factor_is_a_code_or_a_recovery_code() {
        assert_eq!(
            TypedFactor::parse(" 123 456 "),
            Ok(TypedFactor::AuthenticatorCode("123456".into()))
        );
        assert!(matches!(
            TypedFactor::parse("k4m9qz-7hx2pw-abcdef-gh0123"),
            Ok(TypedFactor::RecoveryCode(_))
        ));
        for bad in ["12345", "1234567", "١٢٣٤٥٦", "", "hello"] {
            assert!(TypedFactor::parse(bad).is_err(), "{bad}");
        }
    }
}
