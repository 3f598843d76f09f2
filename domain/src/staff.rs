//! Staff users: their roles and the rules for their credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffRole {
    /// Works the dashboard: verifies callers, sends links and codes.
    Agent,
    /// Everything an agent does, plus managing staff users.
    Admin,
}

impl StaffRole {
    pub fn code(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "agent" => Some(Self::Agent),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

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
    pub id: i32,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
}

/// A staff account as the staff-users page lists it (admins only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i32,
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
    target_id: i32,
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
        StaffChange::Role(StaffRole::Admin) | StaffChange::Reactivate => None,
        StaffChange::Role(StaffRole::Agent) => {
            Some("You cannot take away your own admin role. Ask another admin to do it.".into())
        }
    }
}

/// A change an admin makes to an existing staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffChange {
    Deactivate,
    Reactivate,
    Role(StaffRole),
}

impl StaffChange {
    pub const ALL: [StaffChange; 4] = [
        Self::Deactivate,
        Self::Reactivate,
        Self::Role(StaffRole::Admin),
        Self::Role(StaffRole::Agent),
    ];

    /// The value a form sends for this change.
    pub fn code(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Reactivate => "reactivate",
            Self::Role(StaffRole::Admin) => "make-admin",
            Self::Role(StaffRole::Agent) => "make-agent",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The button that asks for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Deactivate => "Deactivate",
            Self::Reactivate => "Reactivate",
            Self::Role(StaffRole::Admin) => "Make admin",
            Self::Role(StaffRole::Agent) => "Make agent",
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

    #[test]
    fn password_length_bounds() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("twelve chars").is_ok());
        assert!(check_new_password(&"x".repeat(129)).is_err());
    }

    fn staff(id: i32, role: StaffRole) -> StaffView {
        StaffView {
            id,
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
            StaffChange::Role(StaffRole::Admin),
        ] {
            assert!(
                staff_change_refusal(&agent, 3, change).is_some(),
                "{change:?}"
            );
            assert!(
                staff_change_refusal(&agent, 1, change).is_some(),
                "{change:?}"
            );
            assert_eq!(staff_change_refusal(&admin, 3, change), None, "{change:?}");
        }
        assert!(staff_change_refusal(&admin, 2, StaffChange::Deactivate).is_some());
        assert!(staff_change_refusal(&admin, 2, StaffChange::Role(StaffRole::Agent)).is_some());
        assert_eq!(
            staff_change_refusal(&admin, 2, StaffChange::Role(StaffRole::Admin)),
            None
        );
    }

    #[test]
    fn roles_round_trip() {
        for r in [StaffRole::Agent, StaffRole::Admin] {
            assert_eq!(StaffRole::from_code(r.code()), Some(r));
        }
        assert_eq!(StaffRole::from_code("root"), None);
        for c in StaffChange::ALL {
            assert_eq!(StaffChange::from_code(c.code()), Some(c));
        }
        assert_eq!(StaffChange::from_code("delete"), None);
    }
}
