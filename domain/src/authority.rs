//! Who must be verified for each sensitive action: the roles whose verification counts,
//! the methods that may have proved it, how recent it must be and whether the staff member
//! acting must be the one who checked it. The table is [`Authority::default_for`];
//! `[authority.<action>]` in the settings overrides a row.
//!
//! A verification proves one person, not the business: a 2-step code read back by an
//! accountant verifies the accountant, and counts only for actions that accept that role.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::contact::ContactRole;
use crate::ids::StaffId;
use crate::security::{VerificationView, VerifyMethod};

stored_set! {
    /// An action that waits for a verified caller.
    #[derive(PartialOrd, Ord)]
    pub enum SensitiveAction {
        SyncEmployees,
        SendToBeia,
        /// Adding or removing an Owner or Authorized Representative, or changing one's
        /// role, email or mobile (`crate::contact_edit`).
        ChangeAuthorizedContact,
    }
}

impl SensitiveAction {
    pub fn label(self) -> &'static str {
        match self {
            Self::SyncEmployees => "Sync Employees",
            Self::SendToBeia => "Send to BEIA",
            Self::ChangeAuthorizedContact => "Changing an Owner or Authorized Representative",
        }
    }
}

/// The verification one action needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    /// Whose verification counts. Empty: nobody's, so the action is never allowed.
    pub roles: Vec<ContactRole>,
    pub methods: Vec<VerifyMethod>,
    /// How long ago the check may have been, at most (and the window must still be open).
    pub within_minutes: u32,
    /// Whether only the staff member who checked the caller may act on it: the person on
    /// the phone spoke to that agent, not to whoever opens the lead card next.
    pub checked_by_actor: bool,
}

impl Authority {
    /// The table. Sync Employees and Send to BEIA touch the business's payroll and
    /// benefits, and a change to who speaks for the business decides where PIN links go,
    /// so only the people who speak for the business count, by either method, within the
    /// hour, and only for the agent who checked them.
    pub fn default_for(action: SensitiveAction) -> Self {
        let speaks_for_business = vec![ContactRole::Owner, ContactRole::AuthorizedRepresentative];
        match action {
            SensitiveAction::SyncEmployees
            | SensitiveAction::SendToBeia
            | SensitiveAction::ChangeAuthorizedContact => Self {
                roles: speaks_for_business,
                methods: vec![VerifyMethod::Pin, VerifyMethod::TwoStepCode],
                within_minutes: 60,
                checked_by_actor: true,
            },
        }
    }

    /// Whether this verification lets `actor` take the action now.
    pub fn accepts(&self, v: &VerificationView, actor: StaffId, now: DateTime<Utc>) -> bool {
        self.shortfall(v, actor, now).is_none()
    }

    /// What this verification lacks, as the end of a sentence about it ("is verified by
    /// 2-step code"), or `None` when it is enough.
    fn shortfall(
        &self,
        v: &VerificationView,
        actor: StaffId,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let who = v.who();
        if now >= v.until {
            return Some(format!("{who} is no longer verified"));
        }
        if !v.role.is_some_and(|r| self.roles.contains(&r)) {
            return Some(format!("{who} is verified"));
        }
        if !self.methods.contains(&v.method) {
            return Some(format!("{who} is verified by {}", v.method.label()));
        }
        if now - v.at > Duration::minutes(self.within_minutes.into()) {
            let ago = (now - v.at).num_minutes();
            return Some(format!("{who} was verified {ago} minutes ago"));
        }
        if self.checked_by_actor && v.staff_id != actor {
            return Some(format!("{who} was verified by {}", v.staff_name));
        }
        None
    }

    /// What the action needs, as a sentence's object: "the Owner or an Authorized
    /// Representative, verified by you within the last 60 minutes".
    pub fn needs(&self) -> String {
        if self.roles.is_empty() {
            return "a verification no contact can give (no role is allowed)".into();
        }
        let roles: Vec<&str> = self.roles.iter().map(|r| r.with_article()).collect();
        let mut needs = crate::words::or_list(&roles);
        let mut conditions = Vec::new();
        if self.methods.len() == 1 {
            conditions.push(format!("by {}", self.methods[0].label()));
        }
        if self.checked_by_actor {
            conditions.push("by you".into());
        }
        conditions.push(format!("within the last {} minutes", self.within_minutes));
        needs.push_str(", verified ");
        needs.push_str(&conditions.join(" "));
        needs
    }

    /// The verification among `current` that allows the action, or the sentence saying
    /// what is missing: "Send to BEIA needs the Owner or an Authorized Representative,
    /// verified by you within the last 60 minutes; Maya Patel (Accountant) is verified."
    pub fn judge<'a>(
        &self,
        action: SensitiveAction,
        current: &'a [VerificationView],
        actor: StaffId,
        now: DateTime<Utc>,
    ) -> Result<&'a VerificationView, String> {
        if let Some(ok) = current.iter().find(|v| self.accepts(v, actor, now)) {
            return Ok(ok);
        }
        let found: Vec<String> = current
            .iter()
            .filter_map(|v| self.shortfall(v, actor, now))
            .collect();
        let situation = if found.is_empty() {
            "nobody is verified now".to_owned()
        } else {
            crate::words::and_list(&found)
        };
        Err(format!(
            "{} needs {}; {situation}. Open Security PIN to verify the caller.",
            action.label(),
            self.needs()
        ))
    }
}

/// `[authority]`: the rows of the table that the settings change, by action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuthoritySettings(pub BTreeMap<SensitiveAction, Authority>);

impl Default for AuthoritySettings {
    fn default() -> Self {
        use strum::IntoEnumIterator;
        Self(
            SensitiveAction::iter()
                .map(|a| (a, Authority::default_for(a)))
                .collect(),
        )
    }
}

impl AuthoritySettings {
    /// The authority `action` needs: the settings' row, or the table's.
    pub fn of(&self, action: SensitiveAction) -> Authority {
        self.0
            .get(&action)
            .cloned()
            .unwrap_or_else(|| Authority::default_for(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ContactId;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
    }

    const AVERY: StaffId = StaffId(1);
    const JORDAN: StaffId = StaffId(2);

    fn verified(name: &str, role: ContactRole, method: VerifyMethod) -> VerificationView {
        VerificationView {
            contact_id: Some(ContactId(7)),
            contact_name: Some(name.into()),
            role: Some(role),
            staff_id: AVERY,
            staff_name: "Avery Morgan".into(),
            method,
            at: t0(),
            until: t0() + Duration::minutes(60),
            seconds_left: 3600,
            ended: None,
        }
    }

    #[test]
    fn the_owner_or_a_representative_unlock_beia_by_either_method() {
        let rule = Authority::default_for(SensitiveAction::SendToBeia);
        let now = t0() + Duration::minutes(5);
        for role in [ContactRole::Owner, ContactRole::AuthorizedRepresentative] {
            for method in [VerifyMethod::Pin, VerifyMethod::TwoStepCode] {
                assert!(rule.accepts(&verified("Rachel Cohen", role, method), AVERY, now));
            }
        }
    }

    #[test]
    fn a_code_read_by_an_accountant_verifies_the_accountant_only() {
        let rule = Authority::default_for(SensitiveAction::SendToBeia);
        let maya = verified(
            "Maya Patel",
            ContactRole::Accountant,
            VerifyMethod::TwoStepCode,
        );
        let now = t0() + Duration::minutes(5);
        let refusal = rule
            .judge(SensitiveAction::SendToBeia, &[maya], AVERY, now)
            .unwrap_err();
        assert_eq!(
            refusal,
            "Send to BEIA needs the Owner or an Authorized Representative, verified by you within the last 60 minutes; Maya Patel (Accountant) is verified. Open Security PIN to verify the caller."
        );
        for role in [ContactRole::PayrollContact, ContactRole::HrContact] {
            let v = verified("Sam", role, VerifyMethod::TwoStepCode);
            assert!(!rule.accepts(&v, AVERY, now), "{role:?}");
        }
    }

    #[test]
    fn the_one_that_counts_is_found_among_several() {
        let rule = Authority::default_for(SensitiveAction::SyncEmployees);
        let maya = verified(
            "Maya Patel",
            ContactRole::Accountant,
            VerifyMethod::TwoStepCode,
        );
        let rachel = verified("Rachel Cohen", ContactRole::Owner, VerifyMethod::Pin);
        let both = [maya, rachel.clone()];
        let ok = rule.judge(SensitiveAction::SyncEmployees, &both, AVERY, t0());
        assert_eq!(ok, Ok(&rachel));
    }

    #[test]
    fn nobody_verified_is_said_so() {
        let rule = Authority::default_for(SensitiveAction::SyncEmployees);
        let refusal = rule
            .judge(SensitiveAction::SyncEmployees, &[], AVERY, t0())
            .unwrap_err();
        assert!(refusal.contains("; nobody is verified now."), "{refusal}");
    }

    #[test]
    fn another_agents_check_does_not_count_for_me() {
        let rule = Authority::default_for(SensitiveAction::SendToBeia);
        let rachel = verified("Rachel Cohen", ContactRole::Owner, VerifyMethod::Pin);
        let refusal = rule
            .judge(
                SensitiveAction::SendToBeia,
                std::slice::from_ref(&rachel),
                JORDAN,
                t0(),
            )
            .unwrap_err();
        assert!(
            refusal.contains("Rachel Cohen (Owner) was verified by Avery Morgan"),
            "{refusal}"
        );
        let anyone = Authority {
            checked_by_actor: false,
            ..rule
        };
        assert!(anyone.accepts(&rachel, JORDAN, t0()));
    }

    #[test]
    fn freshness_method_and_the_window_are_each_named() {
        let strict = Authority {
            methods: vec![VerifyMethod::Pin],
            within_minutes: 15,
            ..Authority::default_for(SensitiveAction::SendToBeia)
        };
        let by_code = verified(
            "Rachel Cohen",
            ContactRole::Owner,
            VerifyMethod::TwoStepCode,
        );
        let by_pin = verified("Rachel Cohen", ContactRole::Owner, VerifyMethod::Pin);
        let at = |m| t0() + Duration::minutes(m);
        let why = |v: &VerificationView, m| {
            strict
                .judge(
                    SensitiveAction::SendToBeia,
                    std::slice::from_ref(v),
                    AVERY,
                    at(m),
                )
                .unwrap_err()
        };
        assert!(
            strict
                .needs()
                .contains("verified by security PIN by you within the last 15 minutes")
        );
        assert!(why(&by_code, 1).contains("Rachel Cohen (Owner) is verified by 2-step code"));
        assert!(strict.accepts(&by_pin, AVERY, at(15)));
        assert!(why(&by_pin, 16).contains("was verified 16 minutes ago"));
        assert!(why(&by_pin, 60).contains("is no longer verified"));
    }

    #[test]
    fn an_ended_window_allows_nothing() {
        let rule = Authority::default_for(SensitiveAction::SendToBeia);
        let mut rachel = verified("Rachel Cohen", ContactRole::Owner, VerifyMethod::Pin);
        rachel.until = t0() + Duration::minutes(3);
        assert!(!rule.accepts(&rachel, AVERY, t0() + Duration::minutes(3)));
    }

    #[test]
    fn settings_override_one_row_and_keep_the_others() {
        let mut settings = AuthoritySettings::default();
        settings.0.insert(
            SensitiveAction::SyncEmployees,
            Authority {
                roles: vec![ContactRole::PayrollContact],
                ..Authority::default_for(SensitiveAction::SyncEmployees)
            },
        );
        settings.0.remove(&SensitiveAction::SendToBeia);
        let payroll = verified(
            "Sam",
            ContactRole::PayrollContact,
            VerifyMethod::TwoStepCode,
        );
        let sync = settings.of(SensitiveAction::SyncEmployees);
        assert!(sync.accepts(&payroll, AVERY, t0()));
        assert_eq!(
            settings.of(SensitiveAction::SendToBeia),
            Authority::default_for(SensitiveAction::SendToBeia)
        );
        let none = Authority {
            roles: vec![],
            ..sync
        };
        assert!(!none.accepts(&payroll, AVERY, t0()));
    }
}
