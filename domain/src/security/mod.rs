//! The Security Verification vocabulary shared by the modal, the client PIN page and the
//! server: what a link is for, how a client was verified, who may receive a link or code,
//! and the pure rules of links and 2-step codes (expiry, checks, send limits). What the
//! modal shows is in `status`, the client PIN page's rules in `client_page`.

mod client_page;
mod status;

pub use client_page::*;
pub use status::*;

use chrono::{DateTime, Duration, Utc};

use crate::AppError;
use crate::dashboard::ContactView;
use crate::pin::check_format;
use crate::settings::{SetupLinkSettings, TwoStepSettings};

stored_set! {
    /// Why a PIN link was sent: a first PIN, or a new one replacing a forgotten one.
    pub enum LinkPurpose {
        Setup,
        Reset,
    }
}

stored_set! {
    /// How a caller proved who they are.
    pub enum VerifyMethod {
        Pin,
        TwoStepCode,
    }
}

impl VerifyMethod {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pin => "security PIN",
            Self::TwoStepCode => "2-step code",
        }
    }

    /// As the verification's one-line summary names it.
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Pin => "PIN",
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
        self.address_problem().or_else(|| self.cooling_off.clone())
    }

    /// Why this contact cannot receive a 2-step code, if it cannot.
    pub fn code_refusal(&self) -> Option<String> {
        self.address_problem().or_else(|| self.cooling_off.clone())
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

/// What a send limit counts: codes to one contact, or setup and reset links for one
/// client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sends {
    CodesToContact,
    LinksForClient,
    /// *Prove it's us* words to one contact.
    ProofsToContact,
}

/// How many sends a window allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimit {
    pub what: Sends,
    pub max_sends: u32,
    pub window_minutes: u32,
}

impl SendLimit {
    pub fn codes(rules: &TwoStepSettings) -> Self {
        Self {
            what: Sends::CodesToContact,
            max_sends: rules.max_sends,
            window_minutes: rules.send_window_minutes,
        }
    }

    pub fn links(rules: &SetupLinkSettings) -> Self {
        Self {
            what: Sends::LinksForClient,
            max_sends: rules.max_sends,
            window_minutes: rules.send_window_minutes,
        }
    }

    pub fn proofs(rules: &crate::settings::ProveItsUsSettings) -> Self {
        Self {
            what: Sends::ProofsToContact,
            max_sends: rules.max_sends,
            window_minutes: rules.send_window_minutes,
        }
    }

    /// Where the window that `now` ends starts: sends after it count.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::minutes(self.window_minutes.into())
    }

    /// Whether one more send is allowed after sends at `recent_sends` (OWASP: limit the
    /// rate of one-time-code sends per recipient; a link costs an SMS too). The refusal
    /// says when the next send is possible.
    pub fn check(
        &self,
        recent_sends: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let window = Duration::minutes(self.window_minutes.into());
        let mut in_window: Vec<_> = recent_sends
            .iter()
            .copied()
            .filter(|t| *t > now - window && *t <= now)
            .collect();
        if in_window.len() < self.max_sends as usize {
            return Ok(());
        }
        in_window.sort();
        // The send that leaves the window first frees the next slot.
        let free_at = in_window[in_window.len() - self.max_sends as usize] + window;
        let wait = human_wait((free_at - now).num_seconds().max(1));
        let (max, minutes) = (self.max_sends, self.window_minutes);
        Err(AppError::TooManyAttempts(match self.what {
            Sends::CodesToContact => format!(
                "{max} codes were sent to this contact in the last {minutes} minutes. The next one can be sent in {wait}."
            ),
            Sends::LinksForClient => format!(
                "{max} setup or reset links were sent for this client in the last {minutes} minutes. The next one can be sent in {wait}."
            ),
            Sends::ProofsToContact => format!(
                "Prove it's us was sent to this contact {max} times in the last {minutes} minutes. The next one can be sent in {wait}."
            ),
        }))
    }
}

fn human_wait(seconds: i64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min", (seconds + 59) / 60)
    }
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
        let limit = SendLimit::codes(&rules());
        assert!(limit.check(&sends[..4], now).is_ok());
        let refused = limit.check(&sends, now).unwrap_err();
        assert!(
            matches!(&refused, AppError::TooManyAttempts(m) if m.contains("in 5 min")),
            "{refused}"
        );
        assert!(limit.check(&sends, t0() + Duration::minutes(10)).is_ok());
    }

    #[test]
    fn the_sixth_link_in_an_hour_is_refused_with_the_clients_reason() {
        let limit = SendLimit::links(&SetupLinkSettings::default());
        let sends: Vec<_> = (0..5).map(|i| t0() + Duration::minutes(i * 10)).collect();
        let now = t0() + Duration::minutes(45);
        assert!(limit.check(&sends[..4], now).is_ok());
        let refused = limit.check(&sends, now).unwrap_err();
        assert!(
            matches!(&refused, AppError::TooManyAttempts(m)
                if m.contains("5 setup or reset links were sent for this client in the last 60 minutes")
                    && m.contains("in 15 min")),
            "{refused}"
        );
        assert!(limit.check(&sends, t0() + Duration::minutes(60)).is_ok());
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
            id: crate::ids::ContactId(1),
            name: "A".into(),
            role: ContactRole::Owner,
            email: "a@x.example".into(),
            mobile_phone: None,
            cooling_off: None,
        };
        assert_eq!(c.link_refusal(), None);
        assert_eq!(c.channels(), "Email only (no mobile number)");
        c.mobile_phone = Some("555-0100".into());
        assert!(c.link_refusal().unwrap().contains("mobile number"));
        assert!(c.code_refusal().unwrap().contains("mobile number"));
        c.mobile_phone = None;
        c.cooling_off = Some("A's email address was changed recently".into());
        assert_eq!(c.link_refusal(), c.cooling_off);
        assert_eq!(c.code_refusal(), c.cooling_off);
        c.cooling_off = None;
        c.role = <ContactRole as strum::IntoEnumIterator>::iter()
            .find(|r| !r.may_manage_pin())
            .unwrap();
        assert!(c.link_refusal().is_some());
    }
}
