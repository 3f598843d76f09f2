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
    /// Set when locks came too often (NIST SP 800-63B §5.2.2: a limit that a patient
    /// guesser cannot simply wait out): PIN checks stay locked from then until a 2-step
    /// code succeeds or an admin unlocks them.
    pub held_since: Option<DateTime<Utc>>,
}

impl PinAttempts {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.held_since.is_some() || self.locked_until.is_some_and(|until| now < until)
    }

    /// The state after one more wrong PIN, given how many lock windows began in the last
    /// `escalation_window_hours` before this miss. Reaching `max_failures` locks PIN checks
    /// for `lockout_minutes` and starts the count again, so the next lock needs as many
    /// misses; the lock that makes `escalate_after_locks` within the window holds the
    /// checks until someone lifts it.
    pub fn after_failure(
        self,
        now: DateTime<Utc>,
        settings: &PinSettings,
        earlier_locks_in_window: u32,
    ) -> Self {
        let failures = self.consecutive_failures + 1;
        if failures < settings.max_failures {
            return Self {
                consecutive_failures: failures,
                ..self
            };
        }
        let escalates = earlier_locks_in_window + 1 >= settings.escalate_after_locks;
        Self {
            consecutive_failures: 0,
            locked_until: Some(now + Duration::minutes(settings.lockout_minutes.into())),
            held_since: if escalates {
                self.held_since.or(Some(now))
            } else {
                self.held_since
            },
        }
    }

    /// Whether this miss just began a lock window (and so counts toward escalation).
    pub fn newly_locked(&self, before: &Self) -> bool {
        self.locked_until.is_some() && self.locked_until != before.locked_until
    }

    /// Whether this miss just made the lock one that holds until lifted.
    pub fn newly_held(&self, before: &Self) -> bool {
        self.held_since.is_some() && before.held_since.is_none()
    }

    /// A correct PIN clears the count (docs/SECURITY.md, PIN guessing).
    pub fn after_success(self) -> Self {
        Self::default()
    }

    /// Where lock windows are counted from for [`Self::after_failure`].
    pub fn escalation_window_start(now: DateTime<Utc>, settings: &PinSettings) -> DateTime<Utc> {
        now - Duration::hours(settings.escalation_window_hours.into())
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
        let rules = PinSettings::default();
        let mut a = PinAttempts::default();
        for _ in 0..4 {
            a = a.after_failure(t0(), &rules, 0);
            assert!(!a.is_locked(t0()));
        }
        assert_eq!(a.consecutive_failures, 4);
        assert_eq!(a.after_success(), PinAttempts::default());

        let locked = a.after_failure(t0(), &rules, 0);
        assert!(locked.newly_locked(&a) && !locked.newly_held(&a));
        assert!(locked.is_locked(t0() + Duration::minutes(14)));
        assert!(!locked.is_locked(t0() + Duration::minutes(15)));
        assert_eq!(locked.consecutive_failures, 0);
    }

    #[test]
    fn the_third_lock_in_a_day_holds_until_lifted() {
        let rules = PinSettings::default();
        let four = PinAttempts {
            consecutive_failures: 4,
            ..PinAttempts::default()
        };
        let second = four.after_failure(t0(), &rules, 1);
        assert_eq!(second.held_since, None, "two locks in a day only lock");
        let third = four.after_failure(t0(), &rules, 2);
        assert!(third.newly_held(&four));
        assert_eq!(third.held_since, Some(t0()));
        assert!(
            third.is_locked(t0() + Duration::days(30)),
            "no time lifts it"
        );
        assert_eq!(
            PinAttempts::escalation_window_start(t0(), &rules),
            t0() - Duration::hours(24)
        );
    }
}
