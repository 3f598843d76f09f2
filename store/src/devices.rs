//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a
//! browser that signed in to an account before carries proof of it, and its sign-ins to
//! that account are counted on their own. Failures from anywhere else (guesses from
//! another address, a distributed attack) count against the account's *untrusted*
//! budget; when that runs out, only untrusted browsers are refused, so nobody can lock a
//! staff member out of their own browser from elsewhere.
//!
//! The cookie is the account's normalised email, a random device id and the issue time,
//! sealed (XChaCha20-Poly1305 under a key of its own derived from the pepper, see
//! `sealing.rs`): nobody can forge one, or read whose it is, without the pepper.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

use crate::sealing::Sealer;

const LABEL: &str = "janus-device-v1";

/// A device recognised for an account: its id keys the device's own failure count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device(pub String);

/// A fresh cookie value proving that this browser signed in to `account` at `now`.
pub fn issue(sealer: &Sealer, account: &str, now: DateTime<Utc>) -> String {
    let mut id = [0u8; 16];
    rand::rng().fill_bytes(&mut id);
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    sealer.seal_cookie(&format!("{LABEL}\n{account}\n{id}\n{}", now.timestamp()))
}

/// The device a cookie value proves, if it was issued by us for `account` within the
/// last `valid_days`. Anything else (another account's cookie, an old or altered one,
/// garbage) is no device: the attempt counts as untrusted.
pub fn recognise(
    sealer: &Sealer,
    cookie: &str,
    account: &str,
    now: DateTime<Utc>,
    valid_days: u32,
) -> Option<Device> {
    let plain = sealer.open_cookie(cookie)?;
    let mut parts = plain.split('\n');
    let (label, owner, id, issued) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if label != LABEL || owner != account || parts.next().is_some() {
        return None;
    }
    let issued = DateTime::from_timestamp(issued.parse().ok()?, 0)?;
    let fresh = issued <= now && now - issued < Duration::days(valid_days.into());
    fresh.then(|| Device(id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_proves_one_account_for_a_while_and_cannot_be_forged() {
        let sealer = Sealer::new(b"pepper");
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let cookie = issue(&sealer, "ana@example.com", now);
        let device = recognise(&sealer, &cookie, "ana@example.com", now, 90).unwrap();
        assert_eq!(device.0.len(), 32);
        assert_ne!(
            recognise(
                &sealer,
                &issue(&sealer, "ana@example.com", now),
                "ana@example.com",
                now,
                90
            ),
            Some(device),
            "each sign-in a new device id"
        );
        assert_eq!(recognise(&sealer, &cookie, "bo@example.com", now, 90), None);
        assert_eq!(
            recognise(
                &sealer,
                &cookie,
                "ana@example.com",
                now + Duration::days(90),
                90
            ),
            None
        );
        assert_eq!(
            recognise(&Sealer::new(b"other"), &cookie, "ana@example.com", now, 90),
            None
        );
        let plain = format!("{LABEL}\nana@example.com\nabc\n{}", now.timestamp());
        assert_eq!(recognise(&sealer, &plain, "ana@example.com", now, 90), None);
        assert_eq!(
            recognise(&sealer, "sealed:v1:AAAA", "ana@example.com", now, 90),
            None
        );
    }
}
