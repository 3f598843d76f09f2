//! Time rules of caller verification: the one-hour verified window and the PIN-check
//! lockout. Pure functions of a `now` handed in; the server's clock is the truth and the
//! browser only counts down what the server said.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::settings::{PinSettings, VerificationSettings};

/// When a client was last verified, and until when that holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedWindow {
    pub verified_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl VerifiedWindow {
    pub fn starting(at: DateTime<Utc>, settings: &VerificationSettings) -> Self {
        Self {
            verified_at: at,
            until: at + Duration::minutes(settings.window_minutes.into()),
        }
    }

    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }

    /// Whole seconds left, zero once the window has ended.
    pub fn seconds_left(&self, now: DateTime<Utc>) -> i64 {
        (self.until - now).num_seconds().max(0)
    }
}

/// `mm:ss` (or `h:mm:ss` past an hour) for the live countdown on the Security PIN button.
pub fn format_countdown(seconds: i64) -> String {
    let s = seconds.max(0);
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Consecutive failed PIN checks of one client, and the lock they may have caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PinAttempts {
    pub consecutive_failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PinAttempts {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The state after one more wrong PIN. Reaching `max_failures` locks PIN checks for
    /// `lockout_minutes` and starts the count again, so the next lock needs as many misses.
    pub fn after_failure(self, now: DateTime<Utc>, settings: &PinSettings) -> Self {
        let failures = self.consecutive_failures + 1;
        if failures >= settings.max_failures {
            Self {
                consecutive_failures: 0,
                locked_until: Some(now + Duration::minutes(settings.lockout_minutes.into())),
            }
        } else {
            Self {
                consecutive_failures: failures,
                locked_until: self.locked_until,
            }
        }
    }

    /// A correct PIN clears the count (DESIGN.md §2).
    pub fn after_success(self) -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
    }

    #[test]
    fn the_window_lasts_exactly_the_configured_minutes() {
        let w = VerifiedWindow::starting(t0(), &VerificationSettings { window_minutes: 60 });
        assert!(w.is_active(t0() + Duration::minutes(59) + Duration::seconds(59)));
        assert_eq!(w.seconds_left(t0() + Duration::minutes(59)), 60);
        assert!(!w.is_active(t0() + Duration::minutes(60)));
        assert_eq!(w.seconds_left(t0() + Duration::hours(5)), 0);
    }

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(format_countdown(3600), "1:00:00");
        assert_eq!(format_countdown(3599), "59:59");
        assert_eq!(format_countdown(61), "01:01");
        assert_eq!(format_countdown(-5), "00:00");
    }

    #[test]
    fn five_misses_lock_for_fifteen_minutes_and_success_resets() {
        let rules = PinSettings {
            max_failures: 5,
            lockout_minutes: 15,
        };
        let mut a = PinAttempts::default();
        for _ in 0..4 {
            a = a.after_failure(t0(), &rules);
            assert!(!a.is_locked(t0()));
        }
        assert_eq!(a.consecutive_failures, 4);
        assert_eq!(a.after_success(), PinAttempts::default());

        let locked = a.after_failure(t0(), &rules);
        assert!(locked.is_locked(t0() + Duration::minutes(14)));
        assert!(!locked.is_locked(t0() + Duration::minutes(15)));
        assert_eq!(locked.consecutive_failures, 0);
    }
}
