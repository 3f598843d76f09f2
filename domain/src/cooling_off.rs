//! Cooling-off: after a contact's email or mobile changes, no setup or reset link and no
//! 2-step code goes to the new destination for `contacts.cooling_off_hours`, unless an admin
//! approves. A takeover that talked an agent into the change then cannot collect a reset
//! link at once, and the notice sent to the old addresses has time to reach the real person.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::words::and_list;

/// What is stored about a contact's destinations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DestinationChanges {
    pub email_changed_at: Option<DateTime<Utc>>,
    pub mobile_changed_at: Option<DateTime<Utc>>,
    /// An admin's approval: it covers destinations that changed before it (strictly: a
    /// change in the same instant is a new one).
    pub approved_at: Option<DateTime<Utc>>,
}

/// A contact whose new destinations still wait, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoolingOff {
    pub until: DateTime<Utc>,
    pub email: bool,
    pub mobile: bool,
}

impl DestinationChanges {
    /// The wait in force at `now`, if any.
    pub fn cooling_off(&self, hours: u32, now: DateTime<Utc>) -> Option<CoolingOff> {
        let period = Duration::hours(hours.into());
        let waiting = |changed: Option<DateTime<Utc>>| {
            changed.filter(|at| {
                *at + period > now && self.approved_at.is_none_or(|approved| approved <= *at)
            })
        };
        let (email, mobile) = (
            waiting(self.email_changed_at),
            waiting(self.mobile_changed_at),
        );
        let latest = email.into_iter().chain(mobile).max()?;
        Some(CoolingOff {
            until: latest + period,
            email: email.is_some(),
            mobile: mobile.is_some(),
        })
    }
}

impl CoolingOff {
    /// "email address", "mobile number" or both.
    pub fn what(&self) -> String {
        let mut what = Vec::new();
        if self.email {
            what.push("email address");
        }
        if self.mobile {
            what.push("mobile number");
        }
        and_list(&what)
    }

    /// Hours and minutes left, as staff read a wait: "20 h 14 min", "35 min".
    pub fn left(&self, now: DateTime<Utc>) -> String {
        let minutes = (self.until - now).num_minutes().max(1);
        match (minutes / 60, minutes % 60) {
            (0, m) => format!("{m} min"),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        }
    }

    /// Why the contact cannot be chosen now, for the picker and the refusal.
    pub fn explain(&self, name: &str, now: DateTime<Utc>) -> String {
        let verb = if self.email && self.mobile {
            "changed"
        } else {
            "was changed"
        };
        format!(
            "{name}'s {} {verb} recently: no link or code goes to it for {} more, unless an admin approves.",
            self.what(),
            self.left(now)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_new_destination_waits_out_the_period() {
        let changes = DestinationChanges {
            email_changed_at: Some(t0()),
            ..Default::default()
        };
        let at = |h: i64, m: i64| t0() + Duration::hours(h) + Duration::minutes(m);
        let wait = changes.cooling_off(24, at(3, 46)).unwrap();
        assert_eq!(wait.until, at(24, 0));
        assert!(wait.email && !wait.mobile);
        assert_eq!(wait.left(at(3, 46)), "20 h 14 min");
        assert_eq!(
            wait.explain("Rachel Cohen", at(3, 46)),
            "Rachel Cohen's email address was changed recently: no link or code goes to it for 20 h 14 min more, unless an admin approves."
        );
        assert_eq!(wait.left(at(23, 25)), "35 min");
        assert_eq!(changes.cooling_off(24, at(24, 0)), None);
        assert_eq!(changes.cooling_off(0, t0()), None, "0 turns the wait off");
        assert_eq!(DestinationChanges::default().cooling_off(24, t0()), None);
    }

    #[test]
    fn the_latest_change_sets_the_end_and_both_are_named() {
        let changes = DestinationChanges {
            email_changed_at: Some(t0()),
            mobile_changed_at: Some(t0() + Duration::hours(2)),
            approved_at: None,
        };
        let wait = changes.cooling_off(24, t0() + Duration::hours(3)).unwrap();
        assert_eq!(wait.until, t0() + Duration::hours(26));
        assert_eq!(wait.what(), "email address and mobile number");
    }

    #[test]
    fn an_approval_covers_only_changes_before_it() {
        let approved = DestinationChanges {
            email_changed_at: Some(t0()),
            mobile_changed_at: None,
            approved_at: Some(t0() + Duration::hours(1)),
        };
        assert_eq!(approved.cooling_off(24, t0() + Duration::hours(2)), None);
        let changed_again = DestinationChanges {
            email_changed_at: Some(t0() + Duration::hours(3)),
            ..approved
        };
        assert!(
            changed_again
                .cooling_off(24, t0() + Duration::hours(4))
                .is_some()
        );
    }
}
