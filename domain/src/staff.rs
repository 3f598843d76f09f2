//! Staff users: their roles and the rules for their credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

use crate::AppError;
use crate::ids::StaffId;

stored_set! {
    pub enum StaffRole {
        /// Works the dashboard: verifies callers, sends links and codes.
        Agent,
        /// Everything an agent does, plus managing staff users.
        Admin,
    }
}

impl StaffRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => "Agent",
            Self::Admin => "Admin",
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
}

/// Why an admin may not make this change to this account, if they may not. The rules keep
/// an admin from locking everyone out: nobody deactivates or demotes themselves, so the
/// admin acting is always an active admin afterwards.
pub fn staff_change_refusal(
    actor: &StaffView,
    target_id: StaffId,
    change: StaffChange,
) -> Option<String> {
    if actor.role != StaffRole::Admin {
        return Some("Only admins manage staff users.".into());
    }
    if actor.id != target_id {
        return None;
    }
    match change {
        StaffChange::Deactivate => {
            Some("You cannot deactivate your own account. Ask another admin to do it.".into())
        }
        StaffChange::MakeAdmin | StaffChange::Reactivate => None,
        StaffChange::MakeAgent => {
            Some("You cannot take away your own admin role. Ask another admin to do it.".into())
        }
    }
}

/// The row actions the staff-users page offers `actor` for `target`: the other role and
/// the other status, each only if [`staff_change_refusal`] allows it (so nothing on
/// one's own row: each of those would lock the admin out).
pub fn staff_changes_offered(actor: &StaffView, target: &StaffMember) -> Vec<StaffChange> {
    let other_role = match target.role {
        StaffRole::Admin => StaffRole::Agent,
        StaffRole::Agent => StaffRole::Admin,
    };
    let other_status = if target.active {
        StaffChange::Deactivate
    } else {
        StaffChange::Reactivate
    };
    [StaffChange::to_role(other_role), other_status]
        .into_iter()
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
}

impl StaffChange {
    /// The change that gives an account this role.
    pub fn to_role(role: StaffRole) -> Self {
        match role {
            StaffRole::Admin => Self::MakeAdmin,
            StaffRole::Agent => Self::MakeAgent,
        }
    }

    /// The role the account has afterwards, if the change is one of role.
    pub fn new_role(self) -> Option<StaffRole> {
        match self {
            Self::MakeAdmin => Some(StaffRole::Admin),
            Self::MakeAgent => Some(StaffRole::Agent),
            Self::Deactivate | Self::Reactivate => None,
        }
    }

    /// The button that asks for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Deactivate => "Deactivate",
            Self::Reactivate => "Reactivate",
            Self::MakeAdmin => "Make admin",
            Self::MakeAgent => "Make agent",
        }
    }
}

/// Passwords are checked only for length (NIST SP 800-63B §3.1.1.2: at least 8, allow at
/// least 64; composition rules are discouraged). We ask 12 of staff accounts.
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("use at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
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

    #[test]
    fn password_length_bounds() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
        assert!(check_new_password(&"x".repeat(129)).is_err());
    }

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
            ["deactivate", "reactivate", "make-admin", "make-agent"]
        );
        let roles: Vec<&str> = StaffRole::iter().map(Into::into).collect();
        assert_eq!(roles, ["agent", "admin"]);
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
        };
        assert_eq!(
            staff_changes_offered(&admin, &member(StaffId(3), StaffRole::Agent, true)),
            [StaffChange::MakeAdmin, StaffChange::Deactivate]
        );
        assert_eq!(
            staff_changes_offered(&admin, &member(StaffId(3), StaffRole::Admin, false)),
            [StaffChange::MakeAgent, StaffChange::Reactivate]
        );
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
