//! The security PIN's rules: what a PIN looks like and which PINs are too easy to guess.
//!
//! Compiled into the browser too, so the client PIN page can explain a refusal as the
//! client types; the server applies the very same rules before it hashes anything.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::AppError;

pub const PIN_LENGTH: usize = 6;

/// The 2,000 most likely 6-digit PINs (Markert et al., "This PIN Can Be Easily Guessed",
/// IEEE S&P 2020), whose authors recommend blocking exactly these.
const COMMON_PINS: &str = include_str!("../data/common-6-digit-pins.txt");

/// Why a PIN was refused. The messages are shown to the client as they type. In an
/// address it reads `problem=too-short&digits=5` (a count of digits, never the digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "problem", content = "digits", rename_all = "kebab-case")]
pub enum PinProblem {
    Empty,
    /// Anything but the ten ASCII digits, including other scripts' digits and spaces.
    NotDigits,
    TooShort(usize),
    TooLong(usize),
    /// One of the 2,000 most common PINs.
    Common,
    /// The same digit six times.
    Repeated,
    /// A run up or down, like 123456 or 987654.
    Run,
    /// A repeated block or mirror image: abcabc, abccba, ababab, ababa?.
    Pattern,
}

impl PinProblem {
    pub fn message(self) -> String {
        self.message_about("PIN")
    }

    /// The message for a typed value called `noun` ("PIN", "code"); only format problems
    /// apply to codes.
    pub fn message_about(self, noun: &str) -> String {
        match self {
            Self::Empty => format!("Enter a 6-digit {noun}."),
            Self::NotDigits => "Use only the digits 0 to 9 — no spaces, letters or other characters.".into(),
            Self::TooShort(n) => format!("The {noun} has {n} digit{} — it needs exactly {PIN_LENGTH}.", if n == 1 { "" } else { "s" }),
            Self::TooLong(n) => format!("The {noun} has {n} digits — it needs exactly {PIN_LENGTH}."),
            Self::Common => "This PIN is among the 2,000 most common PINs, so it is easy to guess. Choose a less predictable one.".into(),
            Self::Repeated => "A PIN of one digit repeated is easy to guess. Choose a less predictable one.".into(),
            Self::Run => "Digits counting up or down are easy to guess. Choose a less predictable one.".into(),
            Self::Pattern => "Repeated or mirrored groups of digits are easy to guess. Choose a less predictable one.".into(),
        }
    }

    /// Whether a problem read from an address could have come from [`check_format`]: a
    /// hand-made address cannot make the page say "the PIN has 9999 digits — too short".
    pub fn could_happen(self) -> bool {
        match self {
            Self::TooShort(n) => (1..PIN_LENGTH).contains(&n),
            // A request carries at most this many characters of PIN (`limits`).
            Self::TooLong(n) => (PIN_LENGTH + 1..=crate::limits::max_chars("pin")).contains(&n),
            _ => true,
        }
    }

    pub fn into_error(self, field: &str) -> AppError {
        AppError::invalid(field, self.message())
    }
}

/// Six ASCII digits, or the reason they are not. Used for every PIN typed anywhere,
/// including by staff during verification (where weakness does not matter).
pub fn check_format(raw: &str) -> Result<[u8; PIN_LENGTH], PinProblem> {
    if raw.is_empty() {
        return Err(PinProblem::Empty);
    }
    if !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinProblem::NotDigits);
    }
    let n = raw.len();
    if n < PIN_LENGTH {
        return Err(PinProblem::TooShort(n));
    }
    if n > PIN_LENGTH {
        return Err(PinProblem::TooLong(n));
    }
    let mut digits = [0u8; PIN_LENGTH];
    for (d, b) in digits.iter_mut().zip(raw.bytes()) {
        *d = b - b'0';
    }
    Ok(digits)
}

/// A PIN a client may choose: well formed and not easy to guess (NIST SP 800-63B §5.1.1.2
/// asks verifiers to refuse commonly used and repetitive or sequential secrets).
pub fn check_new_pin(raw: &str) -> Result<(), PinProblem> {
    let d = check_format(raw)?;
    if d.iter().all(|&x| x == d[0]) {
        return Err(PinProblem::Repeated);
    }
    let step = |delta: i8| d.windows(2).all(|w| w[1] as i8 - w[0] as i8 == delta);
    if step(1) || step(-1) {
        return Err(PinProblem::Run);
    }
    let abcabc = d[..3] == d[3..];
    let abccba = d[0] == d[5] && d[1] == d[4] && d[2] == d[3];
    let ababa_ = d[0] == d[2] && d[2] == d[4] && d[1] == d[3];
    if abcabc || abccba || ababa_ {
        return Err(PinProblem::Pattern);
    }
    if common_pins().contains(raw) {
        return Err(PinProblem::Common);
    }
    Ok(())
}

fn common_pins() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PINS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn format_refusals_say_what_is_wrong() {
        assert_eq!(check_format(""), Err(PinProblem::Empty));
        assert_eq!(check_format("12345"), Err(PinProblem::TooShort(5)));
        assert_eq!(check_format("1234567"), Err(PinProblem::TooLong(7)));
        assert_eq!(check_format("12 456"), Err(PinProblem::NotDigits));
        assert_eq!(check_format("12a456"), Err(PinProblem::NotDigits));
        // Arabic-Indic and full-width digits are digits to Unicode, not to us.
        assert_eq!(check_format("١٢٣٤٥٦"), Err(PinProblem::NotDigits));
        assert_eq!(check_format("１２３４５６"), Err(PinProblem::NotDigits));
        assert_eq!(check_format("482915"), Ok([4, 8, 2, 9, 1, 5]));
        assert_eq!(
            PinProblem::TooShort(5).message(),
            "The PIN has 5 digits — it needs exactly 6."
        );
    }

    #[test]
    fn weak_patterns_are_refused_with_their_reason() {
        for (pin, why) in [
            ("777777", PinProblem::Repeated),
            ("000000", PinProblem::Repeated),
            ("345678", PinProblem::Run),
            ("987654", PinProblem::Run),
            ("639639", PinProblem::Pattern),
            ("851158", PinProblem::Pattern),
            ("474747", PinProblem::Pattern),
            ("474741", PinProblem::Pattern),
        ] {
            assert_eq!(check_new_pin(pin), Err(why), "{pin}");
        }
    }

    #[test]
    fn the_common_list_is_loaded_and_used() {
        assert_eq!(common_pins().len(), 2000);
        // 147258 (a keypad column walk) is in the list and matches no pattern.
        assert!(common_pins().contains("147258"));
        assert_eq!(check_new_pin("147258"), Err(PinProblem::Common));
    }

    #[test]
    fn about_one_percent_of_all_pins_is_blocked() {
        let blocked = (0..1_000_000)
            .filter(|n| check_new_pin(&format!("{n:06}")).is_err())
            .count();
        let share = blocked as f64 / 1_000_000.0;
        // The product's rule: block about 1% of the space, not more (docs/SECURITY.md).
        assert!(
            (0.002..=0.012).contains(&share),
            "{blocked} blocked = {:.3}%",
            share * 100.0
        );
    }

    proptest! {
        #[test]
        fn any_six_ascii_digits_pass_the_format_check(pin in "[0-9]{6}") {
            prop_assert!(check_format(&pin).is_ok());
        }

        #[test]
        fn anything_else_is_refused(s in "\\PC{0,12}") {
            let six_ascii_digits = s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
            prop_assert_eq!(check_format(&s).is_ok(), six_ascii_digits);
        }
    }
}
