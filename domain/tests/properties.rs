//! Property-based tests of the rules every input passes through on the server: whatever
//! is typed, each either refuses with a reason or returns a value that meets the rule, and
//! none panics. (The PIN format itself is covered in `pin.rs`; the server functions as a
//! whole in `server/tests/properties.rs`.)

use janus_domain::contact::{mask_email, mask_phone, normalize_e164, normalize_email};
use janus_domain::dashboard::{ClientQuery, DashboardTab, MAX_PAGE};
use janus_domain::messages::escape_html;
use janus_domain::pin::check_new_pin;
use janus_domain::security::{FormProblem, SetupProblem, check_new_pin_pair, check_typed_digits};
use janus_domain::staff::{check_password_length, check_staff_name};
use janus_domain::url::encode_query_value;
use proptest::prelude::*;

/// Percent-decoding, to check the encoder against.
fn decode(encoded: &str) -> Vec<u8> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #[test]
    fn a_new_pin_is_six_digits_and_never_all_one_digit(s in "\\PC{0,10}|[0-9]{6}") {
        if check_new_pin(&s).is_ok() {
            prop_assert!(s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(s.bytes().any(|b| b != s.as_bytes()[0]));
        }
    }

    #[test]
    fn a_pin_pair_passes_only_when_both_match_and_the_pin_is_allowed(
        pin in "[0-9]{6}|\\PC{0,8}",
        confirm in "[0-9]{6}|\\PC{0,8}",
    ) {
        match check_new_pin_pair(&pin, &confirm) {
            Ok(()) => prop_assert!(pin == confirm && check_new_pin(&pin).is_ok()),
            Err(SetupProblem::Form(FormProblem::Mismatch)) => prop_assert!(pin != confirm && check_new_pin(&pin).is_ok()),
            Err(SetupProblem::Pin(_)) => prop_assert!(check_new_pin(&pin).is_err()),
            Err(other) => prop_assert!(false, "checking a pair never says {other:?}"),
        }
    }

    /// Staff type PINs and codes; a refusal says what is wrong without repeating the digits.
    #[test]
    fn typed_digits_are_refused_without_echoing_them(s in "[0-9]{3,14}", field in "pin|code") {
        match check_typed_digits(&field, &s) {
            Ok(()) => prop_assert_eq!(s.len(), 6),
            Err(e) => {
                prop_assert_ne!(s.len(), 6);
                prop_assert!(!e.to_string().contains(&s), "{} echoes {}", e, s);
            }
        }
    }

    #[test]
    fn typed_digits_refuse_every_non_ascii_digit(s in "\\PC{1,8}") {
        if check_typed_digits("pin", &s).is_ok() {
            prop_assert!(s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn an_accepted_email_is_normal_and_stays_so(raw in "\\PC{0,40}|[a-zA-Z0-9._%+-]{1,20}@[a-z0-9-]{1,10}(\\.[a-z]{2,5}){1,2}") {
        if let Ok(email) = normalize_email("email", &raw) {
            prop_assert_eq!(email.matches('@').count(), 1);
            prop_assert!(email.len() <= 254);
            prop_assert!(!email.chars().any(|c| c.is_whitespace() || c.is_control() || c.is_ascii_uppercase()));
            prop_assert_eq!(normalize_email("email", &email), Ok(email.clone()));
            // The masked form never shows a local part of three or more characters whole.
            let local = email.split('@').next().unwrap();
            if local.chars().count() >= 3 {
                let whole = format!("{local}@");
                prop_assert!(!mask_email(&email).starts_with(&whole));
            }
        }
    }

    #[test]
    fn an_accepted_mobile_number_is_e164_and_stays_so(raw in "\\PC{0,20}|\\+[1-9][0-9 ().-]{7,18}") {
        if let Ok(phone) = normalize_e164("mobile", &raw) {
            let digits = &phone[1..];
            prop_assert!(phone.starts_with('+'));
            prop_assert!((8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(normalize_e164("mobile", &phone), Ok(phone.clone()));
            // The masked form shows the last four digits and no others.
            let shown: String = mask_phone(&phone).chars().filter(char::is_ascii_digit).collect();
            prop_assert_eq!(shown.as_str(), &digits[digits.len() - 4..]);
        }
    }

    #[test]
    fn a_dashboard_query_is_bounded(search in "\\PC{0,120}|\\p{Cc}{0,3}", page in any::<u64>()) {
        for tab in [DashboardTab::CurrentlyEnrolling, DashboardTab::All] {
            if let Ok(q) = ClientQuery::new(tab, &search, page) {
                prop_assert!((1..=MAX_PAGE).contains(&q.page));
                prop_assert!(!q.search.chars().any(char::is_control));
                prop_assert_eq!(q.search.as_str(), search.trim());
            }
        }
    }

    #[test]
    fn staff_names_and_passwords_are_bounded(name in "\\PC{0,120}", password in "\\PC{0,140}") {
        if let Ok(n) = check_staff_name(&name) {
            prop_assert!(!n.is_empty() && n.chars().count() <= 100 && n == name.trim());
        }
        let chars = password.chars().count();
        prop_assert_eq!(check_password_length(&password).is_ok(), (12..=128).contains(&chars));
    }

    #[test]
    fn escaped_html_cannot_open_a_tag_or_leave_an_attribute(raw in "\\PC{0,60}|[<>\"'&a-z]{0,20}") {
        let escaped = escape_html(&raw);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
    }

    #[test]
    fn query_values_are_encoded_losslessly(raw in "\\PC{0,40}") {
        let encoded = encode_query_value(&raw);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)));
        prop_assert_eq!(decode(&encoded), raw.as_bytes());
    }
}
