//! The PIN and code parsers with whatever bytes libFuzzer makes up: a PIN, a NUL, and its
//! confirmation. Each parser either refuses or accepts exactly six ASCII digits, gives
//! back those digits, and never panics.

#![no_main]

use janus_domain::pin::{check_format, check_new_pin};
use janus_domain::security::{check_new_pin_pair, check_typed_digits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (first, second) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let (Ok(pin), Ok(confirm)) = (std::str::from_utf8(first), std::str::from_utf8(second)) else {
        return;
    };
    let six_digits = pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit());
    match check_format(pin) {
        Ok(digits) => {
            assert!(six_digits, "accepted {pin:?}");
            assert!(digits.iter().zip(pin.bytes()).all(|(d, b)| *d == b - b'0'));
        }
        Err(problem) => {
            assert!(!six_digits, "refused {pin:?}");
            assert!(!problem.message().is_empty());
        }
    }
    // Staff type PINs and 2-step codes through the same check.
    assert_eq!(check_typed_digits("pin", pin).is_ok(), six_digits);
    assert_eq!(check_typed_digits("code", pin).is_ok(), six_digits);
    if check_new_pin(pin).is_ok() {
        assert!(six_digits);
    }
    if check_new_pin_pair(pin, confirm).is_ok() {
        assert!(six_digits && pin == confirm);
    }
});
