//! The client PIN page's rules: what it shows above the form, and how a new PIN and its
//! confirmation are judged, as the client types (in the browser) and when the form arrives
//! (on the server).

use serde::{Deserialize, Serialize};

use super::LinkPurpose;
use crate::AppError;
use crate::dashboard::BrandView;
use crate::pin::{PIN_LENGTH, PinProblem};

/// What the client PIN page shows above the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupPage {
    pub business_name: String,
    pub contact_name: String,
    pub brand: BrandView,
    pub purpose: LinkPurpose,
}

/// Why the client PIN page refused a submission. After a plain (no-JavaScript) form post
/// it is carried in the address the client is sent back to, as its serde form:
/// `?problem=repeated`, `?problem=too-short&digits=5`, `?problem=mismatch`; never the
/// digits themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum SetupProblem {
    Pin(PinProblem),
    Form(FormProblem),
}

/// A refusal about the submission as a whole rather than the PIN typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum FormProblem {
    /// The confirmation is not the PIN.
    Mismatch,
    /// Throttled: too many submissions from this address or for this link.
    Wait,
    /// The server could not save it just now.
    Retry,
}

impl SetupProblem {
    /// The address query naming this problem.
    pub fn to_query(self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// The problem an address names, if it names one that could have happened. Both
    /// readings are serde's; a PIN problem is tried first because it also carries a count.
    pub fn from_query(query: &str) -> Option<Self> {
        let query = query.trim_start_matches('?');
        serde_urlencoded::from_str::<PinProblem>(query)
            .ok()
            .filter(|p| p.could_happen())
            .map(Self::Pin)
            .or_else(|| serde_urlencoded::from_str(query).ok().map(Self::Form))
    }

    pub fn message(self) -> String {
        match self {
            Self::Pin(p) => p.message(),
            Self::Form(FormProblem::Mismatch) => {
                "The two PINs do not match. Type the same 6 digits in both boxes.".into()
            }
            Self::Form(FormProblem::Wait) => {
                "Too many attempts. Please wait a few minutes and try again.".into()
            }
            Self::Form(FormProblem::Retry) => {
                "We could not save your PIN just now. Please try again.".into()
            }
        }
    }

    /// The problem a refused submission is sent back with. `input` is what
    /// [`check_new_pin_pair`] found, if anything; it is shown only when the refusal was
    /// about the input (a throttle or a fault outranks it). An unusable link names no
    /// problem: the page says so on its own.
    pub fn of_refusal(error: &AppError, input: Option<Self>) -> Option<Self> {
        match (error, input) {
            (AppError::LinkUnusable, _) => None,
            (AppError::InvalidInput { .. }, Some(input)) => Some(input),
            (AppError::TooManyAttempts(_), _) => Some(Self::Form(FormProblem::Wait)),
            _ => Some(Self::Form(FormProblem::Retry)),
        }
    }

    /// The field the message belongs to.
    pub fn field(self) -> &'static str {
        match self {
            Self::Pin(_) => "pin",
            Self::Form(FormProblem::Mismatch) => "confirm",
            Self::Form(FormProblem::Wait | FormProblem::Retry) => "form",
        }
    }
}

/// Where a plain (no-JavaScript) form post of the client PIN page is sent next: the *Setup
/// complete* page, or back to the form with the problem (if any) in the address.
pub fn after_form_post(token: &str, answer: Result<&SetupPage, Option<SetupProblem>>) -> String {
    let back = format!("/pin/{}", crate::url::encode_query_value(token));
    match answer {
        Ok(page) => format!(
            "/pin/complete/{}?purpose={}",
            page.brand.slug,
            <&str>::from(page.purpose)
        ),
        Err(None) => back,
        Err(Some(problem)) => format!("{back}?{}", problem.to_query()),
    }
}

/// The client page's rules for a new PIN and its confirmation, in the order the client
/// meets them. The browser runs this as they type; the server runs it again.
pub fn check_new_pin_pair(pin: &str, confirm: &str) -> Result<(), SetupProblem> {
    crate::pin::check_new_pin(pin).map_err(SetupProblem::Pin)?;
    if pin != confirm {
        return Err(SetupProblem::Form(FormProblem::Mismatch));
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
        (confirm != pin).then(|| SetupProblem::Form(FormProblem::Mismatch).message())
    };
    TypingProblems {
        pin: pin_problem,
        confirm: confirm_problem,
        ready: check_new_pin_pair(pin, confirm).is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_shows_the_input_problem_only_when_the_input_was_refused() {
        let repeated = Some(SetupProblem::Pin(PinProblem::Repeated));
        let invalid = AppError::invalid("pin", "repeated");
        assert_eq!(SetupProblem::of_refusal(&invalid, repeated), repeated);
        let wait = Some(SetupProblem::Form(FormProblem::Wait));
        let throttled = AppError::TooManyAttempts("later".into());
        assert_eq!(SetupProblem::of_refusal(&throttled, repeated), wait);
        assert_eq!(
            SetupProblem::of_refusal(&AppError::LinkUnusable, repeated),
            None
        );
        let retry = Some(SetupProblem::Form(FormProblem::Retry));
        assert_eq!(SetupProblem::of_refusal(&AppError::Internal, None), retry);
        assert_eq!(SetupProblem::of_refusal(&invalid, None), retry);
        assert_eq!(after_form_post("a b", Err(wait)), "/pin/a%20b?problem=wait");
        assert_eq!(after_form_post("tok", Err(None)), "/pin/tok");
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
        assert_eq!(
            mismatch.confirm,
            Some(SetupProblem::Form(FormProblem::Mismatch).message())
        );
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
            Err(SetupProblem::Form(FormProblem::Mismatch))
        );
    }

    #[test]
    fn a_problem_in_the_address_reads_back_and_nonsense_is_refused() {
        let pin = |p| SetupProblem::Pin(p);
        for (problem, query) in [
            (pin(PinProblem::Repeated), "problem=repeated"),
            (pin(PinProblem::NotDigits), "problem=not-digits"),
            (pin(PinProblem::TooShort(5)), "problem=too-short&digits=5"),
            (pin(PinProblem::TooLong(7)), "problem=too-long&digits=7"),
            (
                SetupProblem::Form(FormProblem::Mismatch),
                "problem=mismatch",
            ),
            (SetupProblem::Form(FormProblem::Wait), "problem=wait"),
            (SetupProblem::Form(FormProblem::Retry), "problem=retry"),
        ] {
            assert_eq!(problem.to_query(), query);
            assert_eq!(SetupProblem::from_query(query), Some(problem), "{query}");
        }
        assert_eq!(
            SetupProblem::from_query("?problem=repeated"),
            Some(pin(PinProblem::Repeated))
        );
        for bad in [
            "",
            "problem=",
            "problem=too-short&digits=6",
            "problem=too-short&digits=0",
            "problem=too-long&digits=6",
            "problem=too-long&digits=17",
            "problem=too-long&digits=x",
            "problem=<script>",
            "digits=3",
        ] {
            assert_eq!(SetupProblem::from_query(bad), None, "{bad}");
        }
    }
}
