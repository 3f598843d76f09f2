//! Staff users: their roles, what each role may do, and the rules for their credentials
//! (`password`) and second factors (`second_factor`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

use crate::AppError;
use crate::ids::StaffId;

mod password;
mod permission;
pub mod second_factor;
pub mod sessions;
pub use password::*;
pub use permission::*;

stored_set! {
    pub enum StaffRole {
        /// Works the dashboard: verifies callers, sends links and codes.
        Agent,
        /// Everything an agent does, plus overriding safeguards and managing staff users.
        Admin,
        /// Answers the phone: verifies callers by PIN or code, sees their status and uses
        /// *Prove it's us*, and nothing else.
        Verifier,
    }
}

impl StaffRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => "Agent",
            Self::Admin => "Admin",
            Self::Verifier => "Verifier",
        }
    }
}

/// The signed-in staff member as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub id: StaffId,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
}

/// Where a signed-in person's account stands, for the sign-in steps and the account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub staff: StaffView,
    pub step: second_factor::SignInStep,
    pub factors: second_factor::Factors,
    /// Whether the policy wants this account to have a second factor at all times.
    pub factor_required: bool,
}

/// A staff account as the staff-users page lists it (admins only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: StaffId,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Sessions still open (not yet ended by sign-out, time or deactivation).
    pub open_sessions: u32,
    /// The second factors the account has set up.
    pub factors: second_factor::Factors,
    /// Whether the account must choose a new password at its next sign-in.
    pub must_change_password: bool,
}

/// Why an admin may not make this change to this account, if they may not. The rules keep
/// an admin from locking everyone out: nobody deactivates or demotes themselves, so the
/// admin acting is always an active admin afterwards.
pub fn staff_change_refusal(
    actor: &StaffView,
    target_id: StaffId,
    change: StaffChange,
) -> Option<String> {
    if let Err(refused) = require(actor, Permission::ManageStaff) {
        return Some(refused.to_string());
    }
    if actor.id != target_id {
        return None;
    }
    match change {
        StaffChange::Deactivate => {
            Some("You cannot deactivate your own account. Ask another admin to do it.".into())
        }
        StaffChange::MakeAdmin | StaffChange::Reactivate => None,
        StaffChange::MakeAgent | StaffChange::MakeVerifier => {
            Some("You cannot take away your own admin role. Ask another admin to do it.".into())
        }
        StaffChange::ResetSecondFactor => Some(
            "Reset your own second factor from your account page, or ask another admin.".into(),
        ),
    }
}

/// The row actions the staff-users page offers `actor` for `target`: the other roles, the
/// other status and, when it has one, resetting its second factor, each only if
/// [`staff_change_refusal`] allows it (so nothing on one's own row: each of those would
/// lock the admin out or belongs on the account page).
pub fn staff_changes_offered(actor: &StaffView, target: &StaffMember) -> Vec<StaffChange> {
    use strum::IntoEnumIterator;
    let other_roles = StaffRole::iter()
        .filter(|&role| role != target.role)
        .map(StaffChange::to_role);
    let other_status = if target.active {
        StaffChange::Deactivate
    } else {
        StaffChange::Reactivate
    };
    let reset = (!target.factors.is_empty()).then_some(StaffChange::ResetSecondFactor);
    other_roles
        .chain([other_status])
        .chain(reset)
        .filter(|&change| staff_change_refusal(actor, target.id, change).is_none())
        .collect()
}

/// A change an admin makes to an existing staff account. A form sends it by its
/// kebab-case name (`make-admin`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    IntoStaticStr,
    EnumString,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StaffChange {
    Deactivate,
    Reactivate,
    MakeAdmin,
    MakeAgent,
    MakeVerifier,
    /// Removes the account's authenticator app, passkeys and recovery codes: for someone
    /// who lost them. If the policy wants a factor, they set one up at their next sign-in.
    ResetSecondFactor,
}

impl StaffChange {
    /// The change that gives an account this role.
    pub fn to_role(role: StaffRole) -> Self {
        match role {
            StaffRole::Admin => Self::MakeAdmin,
            StaffRole::Agent => Self::MakeAgent,
            StaffRole::Verifier => Self::MakeVerifier,
        }
    }

    /// The role the account has afterwards, if the change is one of role.
    pub fn new_role(self) -> Option<StaffRole> {
        match self {
            Self::MakeAdmin => Some(StaffRole::Admin),
            Self::MakeAgent => Some(StaffRole::Agent),
            Self::MakeVerifier => Some(StaffRole::Verifier),
            Self::Deactivate | Self::Reactivate | Self::ResetSecondFactor => None,
        }
    }

    /// The button that asks for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Deactivate => "Deactivate",
            Self::Reactivate => "Reactivate",
            Self::MakeAdmin => "Make admin",
            Self::MakeAgent => "Make agent",
            Self::MakeVerifier => "Make verifier",
            Self::ResetSecondFactor => "Reset second factor",
        }
    }
}

pub fn check_staff_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "enter a name of 1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    fn staff(id: i32, role: StaffRole) -> StaffView {
        StaffView {
            id: StaffId(id),
            name: "S".into(),
            email: "s@example.com".into(),
            role,
        }
    }

    #[test]
    fn only_admins_change_staff_and_never_lock_themselves_out() {
        let agent = staff(1, StaffRole::Agent);
        let admin = staff(2, StaffRole::Admin);
        for change in [
            StaffChange::Deactivate,
            StaffChange::Reactivate,
            StaffChange::MakeAdmin,
        ] {
            assert!(
                staff_change_refusal(&agent, StaffId(3), change).is_some(),
                "{change:?}"
            );
            assert!(
                staff_change_refusal(&agent, StaffId(1), change).is_some(),
                "{change:?}"
            );
            assert_eq!(
                staff_change_refusal(&admin, StaffId(3), change),
                None,
                "{change:?}"
            );
        }
        assert!(staff_change_refusal(&admin, StaffId(2), StaffChange::Deactivate).is_some());
        assert!(staff_change_refusal(&admin, StaffId(2), StaffChange::MakeAgent).is_some());
        assert_eq!(
            staff_change_refusal(&admin, StaffId(2), StaffChange::MakeAdmin),
            None
        );
    }

    #[test]
    fn forms_name_roles_and_changes_as_they_always_have() {
        let names: Vec<&str> = StaffChange::iter().map(Into::into).collect();
        assert_eq!(
            names,
            [
                "deactivate",
                "reactivate",
                "make-admin",
                "make-agent",
                "make-verifier",
                "reset-second-factor"
            ]
        );
        let roles: Vec<&str> = StaffRole::iter().map(Into::into).collect();
        assert_eq!(roles, ["agent", "admin", "verifier"]);
        for role in StaffRole::iter() {
            assert_eq!(StaffChange::to_role(role).new_role(), Some(role));
        }
    }

    #[test]
    fn the_changes_offered_are_the_allowed_ones() {
        let admin = staff(2, StaffRole::Admin);
        let member = |id, role, active| StaffMember {
            id,
            name: "S".into(),
            email: "s@example.com".into(),
            role,
            active,
            created_at: DateTime::UNIX_EPOCH,
            open_sessions: 0,
            factors: second_factor::Factors::default(),
            must_change_password: false,
        };
        assert_eq!(
            staff_changes_offered(&admin, &member(StaffId(3), StaffRole::Agent, true)),
            [
                StaffChange::MakeAdmin,
                StaffChange::MakeVerifier,
                StaffChange::Deactivate
            ]
        );
        assert_eq!(
            staff_changes_offered(&admin, &member(StaffId(3), StaffRole::Admin, false)),
            [
                StaffChange::MakeAgent,
                StaffChange::MakeVerifier,
                StaffChange::Reactivate
            ]
        );
        let mut with_app = member(StaffId(3), StaffRole::Verifier, true);
        with_app.factors.authenticator_app = true;
        assert_eq!(
            staff_changes_offered(&admin, &with_app),
            [
                StaffChange::MakeAgent,
                StaffChange::MakeAdmin,
                StaffChange::Deactivate,
                StaffChange::ResetSecondFactor
            ]
        );
        let mut own = member(StaffId(2), StaffRole::Admin, true);
        own.factors.authenticator_app = true;
        assert!(staff_changes_offered(&admin, &own).is_empty());
        // Nothing on one's own row: every change there is refused or changes nothing.
        assert!(
            staff_changes_offered(&admin, &member(StaffId(2), StaffRole::Admin, true)).is_empty()
        );
        assert!(
            staff_changes_offered(
                &staff(1, StaffRole::Agent),
                &member(StaffId(3), StaffRole::Agent, true)
            )
            .is_empty()
        );
    }
}
