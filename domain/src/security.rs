//! The Security Verification vocabulary shared by the modal, the client PIN page and the
//! server: what a link is for, how a client was verified, what the modal shows, and the
//! pure rules of links and 2-step codes (expiry, checks, send limits).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::dashboard::{BrandView, ContactView, PinState};
use crate::pin::{PIN_LENGTH, PinProblem, check_format};
use crate::settings::{SetupLinkSettings, TwoStepSettings};

/// Why a PIN link was sent: a first PIN, or a new one replacing a forgotten one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    Setup,
    Reset,
}

impl LinkPurpose {
    pub fn code(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Reset => "reset",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Setup, Self::Reset]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyMethod {
    Pin,
    TwoStepCode,
}

impl VerifyMethod {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pin => "pin",
            Self::TwoStepCode => "two_step_code",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pin, Self::TwoStepCode]
            .into_iter()
            .find(|m| m.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pin => "security PIN",
            Self::TwoStepCode => "2-step code",
        }
    }
}

/// The contact picker's rules, on the contacts the lead card lists too.
impl ContactView {
    /// Why this contact cannot receive a PIN setup or reset link, if it cannot.
    pub fn link_refusal(&self) -> Option<String> {
        if !self.role.may_manage_pin() {
            return Some("Only the Owner or an Authorized Representative may set the PIN.".into());
        }
        self.address_problem()
    }

    /// Why this contact cannot receive a 2-step code, if it cannot.
    pub fn code_refusal(&self) -> Option<String> {
        self.address_problem()
    }

    fn address_problem(&self) -> Option<String> {
        crate::contact::address_problem(&self.name, &self.email, self.mobile_phone.as_deref())
    }

    /// The channels a message to this contact goes out on.
    pub fn channels(&self) -> &'static str {
        if self.mobile_phone.is_some() {
            "Email and SMS"
        } else {
            "Email only (no mobile number)"
        }
    }
}

/// The link that is out now, waiting for the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub purpose: LinkPurpose,
    pub contact_id: i32,
    pub contact_name: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The email and SMS that carry it.
    pub deliveries: Vec<DeliveryView>,
}

/// Where one outgoing message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Waiting for the delivery worker (and, after a transient error, for the next try).
    Queued,
    /// Handed to the mail server or SMS provider.
    Sent,
    /// Refused for good, or out of attempts.
    Failed,
    /// Its link or code ran out before it could go; never sent late.
    Expired,
}

impl DeliveryStatus {
    /// The value stored in `messages.status`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Failed, Self::Expired]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
            Self::Expired => "Expired",
        }
    }
}

/// One message of the current link or code, as the modal lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// `Email` or `SMS`.
    pub channel: String,
    /// The address with most of it hidden.
    pub destination: String,
    pub status: DeliveryStatus,
    /// Why the last attempt failed, when it did (also while a retry is queued).
    pub error: Option<String>,
    pub attempts: u32,
    /// When it was sent, or queued if not yet.
    pub at: DateTime<Utc>,
}

/// One verification of the caller, current or past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationView {
    pub staff_name: String,
    pub method: VerifyMethod,
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// By the server's clock when this view was made; 0 for a window that has ended.
    pub seconds_left: i64,
}

/// The 2-step code that is out now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeView {
    pub contact_id: i32,
    pub contact_name: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub checks_left: u32,
    /// The SMS and email that carry it.
    pub deliveries: Vec<DeliveryView>,
}

/// Everything the Security Verification modal shows about one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityStatus {
    pub client_id: i32,
    pub business_name: String,
    pub brand: BrandView,
    pub pin_state: PinState,
    pub pin_set_at: Option<DateTime<Utc>>,
    pub link: Option<LinkView>,
    /// The verification in force now, if any.
    pub current: Option<VerificationView>,
    /// Otherwise the last one, which has ended.
    pub last: Option<VerificationView>,
    pub locked_until: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    pub max_failures: u32,
    pub code: Option<CodeView>,
    /// Owner and Authorized Representatives first, as on the lead card.
    pub contacts: Vec<ContactView>,
}

impl SecurityStatus {
    /// The status after a PIN check, from the status read while its hash was compared (see
    /// `Store::verify_pin`): a check changes only the failure count, the lock and, when it
    /// succeeds, the verification in force (`opened`).
    pub fn after_pin_check(
        mut self,
        outcome: PinCheckOutcome,
        opened: Option<VerificationView>,
    ) -> Self {
        match outcome {
            PinCheckOutcome::Verified => {
                self.consecutive_failures = 0;
                self.locked_until = None;
                if let Some(new) = opened {
                    // The newest window is the one that lasts longest.
                    let keeps_current = self.current.as_ref().is_some_and(|c| c.until > new.until);
                    if !keeps_current {
                        self.current = Some(new);
                        self.last = None;
                    }
                }
            }
            PinCheckOutcome::Mismatch {
                consecutive_failures,
                locked_until,
            } => {
                // Reaching the limit locks checks and starts the count again.
                self.consecutive_failures = if locked_until.is_some() {
                    0
                } else {
                    consecutive_failures
                };
                self.locked_until = locked_until.or(self.locked_until);
            }
        }
        self
    }

    /// Why *Verify PIN* is unavailable right now, if it is.
    pub fn verify_pin_blocked(&self) -> Option<String> {
        if let Some(until) = self.locked_until {
            return Some(format!(
                "PIN verification is locked until {} after {} failed attempts. Send a 2-step code instead.",
                until.format("%H:%M UTC"),
                self.max_failures
            ));
        }
        match self.pin_state {
            PinState::PinSet => None,
            PinState::ResetPending => Some(
                "The PIN was reset; Verify PIN returns when the client has set the new one.".into(),
            ),
            PinState::LinkSent => Some(
                "The client has not set a PIN yet; Verify PIN opens once they use the link.".into(),
            ),
            PinState::NoPin => Some("No PIN yet: create one first.".into()),
            PinState::NotApplicable => Some("This client has no security PIN workflow.".into()),
        }
    }

    pub fn seconds_verified(&self) -> i64 {
        self.current.as_ref().map_or(0, |v| v.seconds_left)
    }

    /// Whether something the modal shows is about to change by itself: the client may set
    /// a PIN through the link that is out, or a message is still waiting to be delivered.
    pub fn expects_news(&self) -> bool {
        let queued = |d: &[DeliveryView]| d.iter().any(|d| d.status == DeliveryStatus::Queued);
        matches!(self.pin_state, PinState::LinkSent | PinState::ResetPending)
            || self.link.as_ref().is_some_and(|l| queued(&l.deliveries))
            || self.code.as_ref().is_some_and(|c| queued(&c.deliveries))
    }
}

/// How a *Verify PIN* attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinCheckOutcome {
    Verified,
    /// Wrong digits. `consecutive_failures` counts this one; `locked_until` is set when this
    /// miss reached the limit.
    Mismatch {
        consecutive_failures: u32,
        locked_until: Option<DateTime<Utc>>,
    },
}

/// How a 2-step code check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeCheckOutcome {
    Verified,
    Mismatch { checks_left: u32 },
}

/// The answer to every modal action: what happened, and the status to show next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult<O> {
    pub outcome: O,
    pub status: SecurityStatus,
}

/// What the client PIN page shows above the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupPage {
    pub business_name: String,
    pub contact_name: String,
    pub brand: BrandView,
    pub purpose: LinkPurpose,
}

/// Why the client PIN page refused a submission. Carried in the address after a plain
/// (no-JavaScript) form post as `?problem=<code>`; never carries digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupProblem {
    Pin(PinProblem),
    Mismatch,
}

impl SetupProblem {
    pub fn code(self) -> String {
        match self {
            Self::Pin(p) => p.code(),
            Self::Mismatch => "mismatch".into(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        if code == "mismatch" {
            Some(Self::Mismatch)
        } else {
            PinProblem::from_code(code).map(Self::Pin)
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::Pin(p) => p.message(),
            Self::Mismatch => {
                "The two PINs do not match. Type the same 6 digits in both boxes.".into()
            }
        }
    }

    /// The field the message belongs to.
    pub fn field(self) -> &'static str {
        match self {
            Self::Pin(_) => "pin",
            Self::Mismatch => "confirm",
        }
    }
}

/// The client page's rules for a new PIN and its confirmation, in the order the client
/// meets them. The browser runs this as they type; the server runs it again.
pub fn check_new_pin_pair(pin: &str, confirm: &str) -> Result<(), SetupProblem> {
    crate::pin::check_new_pin(pin).map_err(SetupProblem::Pin)?;
    if pin != confirm {
        return Err(SetupProblem::Mismatch);
    }
    Ok(())
}

/// What the client PIN page says under each box while the client types. A box that is
/// empty, or still being filled with digits, gets no message yet; the confirmation is only
/// judged once the PIN itself is acceptable, so the client meets one problem at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypingProblems {
    pub pin: Option<String>,
    pub confirm: Option<String>,
    /// Both boxes hold an acceptable, matching PIN: the form may be sent.
    pub ready: bool,
}

pub fn typing_problems(pin: &str, confirm: &str) -> TypingProblems {
    let still_typing =
        |s: &str| s.is_empty() || (s.len() < PIN_LENGTH && s.bytes().all(|b| b.is_ascii_digit()));
    let pin_problem = if still_typing(pin) {
        None
    } else {
        crate::pin::check_new_pin(pin)
            .err()
            .map(PinProblem::message)
    };
    let confirm_problem = if still_typing(confirm) || pin_problem.is_some() {
        None
    } else {
        (confirm != pin).then(|| SetupProblem::Mismatch.message())
    };
    TypingProblems {
        pin: pin_problem,
        confirm: confirm_problem,
        ready: check_new_pin_pair(pin, confirm).is_ok(),
    }
}

/// A PIN (`field` "pin") or code ("code") typed by staff: six ASCII digits, or a message
/// saying what is wrong.
pub fn check_typed_digits(field: &str, raw: &str) -> Result<(), AppError> {
    let noun = if field == "pin" { "PIN" } else { field };
    check_format(raw)
        .map(|_| ())
        .map_err(|p| AppError::invalid(field, p.message_about(noun)))
}

pub fn link_expires_at(sent_at: DateTime<Utc>, rules: &SetupLinkSettings) -> DateTime<Utc> {
    sent_at + Duration::hours(rules.valid_hours.into())
}

pub fn code_expires_at(sent_at: DateTime<Utc>, rules: &TwoStepSettings) -> DateTime<Utc> {
    sent_at + Duration::minutes(rules.valid_minutes.into())
}

/// Whether one more code may go to a contact who was sent codes at `recent_sends`
/// (OWASP: limit the rate of one-time-code sends per recipient). The refusal says when
/// the next send is possible.
pub fn check_code_send_allowed(
    recent_sends: &[DateTime<Utc>],
    now: DateTime<Utc>,
    rules: &TwoStepSettings,
) -> Result<(), AppError> {
    let window = Duration::minutes(rules.send_window_minutes.into());
    let mut in_window: Vec<_> = recent_sends
        .iter()
        .copied()
        .filter(|t| *t > now - window && *t <= now)
        .collect();
    if in_window.len() < rules.max_sends as usize {
        return Ok(());
    }
    in_window.sort();
    // The send that leaves the window first frees the next slot.
    let free_at = in_window[in_window.len() - rules.max_sends as usize] + window;
    let wait = (free_at - now).num_seconds().max(1);
    Err(AppError::TooManyAttempts(format!(
        "{} codes were sent to this contact in the last {} minutes. The next one can be sent in {}.",
        rules.max_sends,
        rules.send_window_minutes,
        human_wait(wait)
    )))
}

fn human_wait(seconds: i64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min", (seconds + 59) / 60)
    }
}

/// One line of the lead card's audit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: DateTime<Utc>,
    pub action: String,
    pub success: bool,
    pub staff_name: Option<String>,
    pub contact_name: Option<String>,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::ContactRole;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
    }

    fn rules() -> TwoStepSettings {
        TwoStepSettings::default()
    }

    #[test]
    fn links_last_24_hours_and_codes_10_minutes() {
        assert_eq!(
            link_expires_at(t0(), &SetupLinkSettings::default()),
            t0() + Duration::hours(24)
        );
        assert_eq!(
            code_expires_at(t0(), &rules()),
            t0() + Duration::minutes(10)
        );
    }

    #[test]
    fn the_sixth_send_in_ten_minutes_is_refused_until_the_first_ages_out() {
        let sends: Vec<_> = (0..5).map(|i| t0() + Duration::minutes(i)).collect();
        let now = t0() + Duration::minutes(5);
        assert!(check_code_send_allowed(&sends[..4], now, &rules()).is_ok());
        let refused = check_code_send_allowed(&sends, now, &rules()).unwrap_err();
        assert!(
            matches!(&refused, AppError::TooManyAttempts(m) if m.contains("in 5 min")),
            "{refused}"
        );
        assert!(check_code_send_allowed(&sends, t0() + Duration::minutes(10), &rules()).is_ok());
    }

    #[test]
    fn typing_problems_wait_for_whole_pins_and_come_one_at_a_time() {
        let quiet = TypingProblems {
            pin: None,
            confirm: None,
            ready: false,
        };
        assert_eq!(typing_problems("", ""), quiet);
        assert_eq!(typing_problems("7319", "73"), quiet, "still typing");
        let weak = typing_problems("111111", "222222");
        assert_eq!(weak.pin, Some(PinProblem::Repeated.message()));
        assert_eq!(weak.confirm, None, "the PIN's own problem comes first");
        assert!(!weak.ready);
        assert_eq!(
            typing_problems("73a", "").pin,
            Some(PinProblem::NotDigits.message()),
            "a wrong character is named at once"
        );
        let mismatch = typing_problems("731946", "731947");
        assert_eq!(mismatch.pin, None);
        assert_eq!(mismatch.confirm, Some(SetupProblem::Mismatch.message()));
        assert_eq!(
            typing_problems("731946", "731946"),
            TypingProblems {
                pin: None,
                confirm: None,
                ready: true
            }
        );
    }

    #[test]
    fn new_pin_pairs_check_strength_before_equality() {
        assert_eq!(check_new_pin_pair("731946", "731946"), Ok(()));
        assert_eq!(
            check_new_pin_pair("123456", "123456"),
            Err(SetupProblem::Pin(PinProblem::Run))
        );
        assert_eq!(
            check_new_pin_pair("731946", "731947"),
            Err(SetupProblem::Mismatch)
        );
        assert_eq!(
            SetupProblem::from_code(&SetupProblem::Mismatch.code()),
            Some(SetupProblem::Mismatch)
        );
    }

    #[test]
    fn staff_typed_digits_must_be_six_ascii_digits() {
        assert!(check_typed_digits("pin", "004271").is_ok());
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "１２３４５６",
            " 12345",
            "12345٦",
        ] {
            let e = check_typed_digits("pin", bad).unwrap_err();
            assert!(
                matches!(e, AppError::InvalidInput { ref field, .. } if field == "pin"),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_owner_and_authorized_representative_may_receive_a_link() {
        let mut c = ContactView {
            id: 1,
            name: "A".into(),
            role: ContactRole::Owner,
            email: "a@x.example".into(),
            mobile_phone: None,
        };
        assert_eq!(c.link_refusal(), None);
        assert_eq!(c.channels(), "Email only (no mobile number)");
        c.mobile_phone = Some("555-0100".into());
        assert!(c.link_refusal().unwrap().contains("mobile number"));
        assert!(c.code_refusal().unwrap().contains("mobile number"));
        c.mobile_phone = None;
        c.role = ContactRole::ALL
            .into_iter()
            .find(|r| !r.may_manage_pin())
            .unwrap();
        assert!(c.link_refusal().is_some());
    }
}
