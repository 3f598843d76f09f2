//! What each staff role may do. Every server function names the permission it needs and
//! the server refuses (403, with the reason) before any work; the UI asks the same
//! question to hide what a role cannot use.

use super::{StaffRole, StaffView};
use crate::AppError;

/// A kind of work on the dashboard. Ordered from what every role may do to what only
/// admins may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Permission {
    /// Find clients and see their status, contacts and history; verify a caller by PIN or
    /// by a 2-step code (sending the code is part of that method); *Prove it's us*.
    VerifyCallers,
    /// Send setup and reset links, change contacts, move a client's stage, take the
    /// sensitive actions, and read the message templates and the development mailbox.
    WorkEnrollments,
    /// Unlock PIN checks, end a client's verifications, approve a destination still
    /// cooling off, change an Owner or Authorized Representative on the strength of a
    /// written reason.
    OverrideSafeguards,
    /// Add staff, change their roles, deactivate them, reset their passwords and factors,
    /// and read the sign-in audit.
    ManageStaff,
}

impl StaffRole {
    /// Whether this role may do `permission`'s work.
    pub fn may(self, permission: Permission) -> bool {
        match permission {
            Permission::VerifyCallers => true,
            Permission::WorkEnrollments => matches!(self, Self::Agent | Self::Admin),
            Permission::OverrideSafeguards | Permission::ManageStaff => self == Self::Admin,
        }
    }
}

impl Permission {
    /// Why a role without this permission is refused, as the 403 says it.
    pub fn refusal(self) -> &'static str {
        match self {
            Self::VerifyCallers => "Your role cannot see client records.",
            Self::WorkEnrollments => {
                "Verifiers check callers only: links, resets, contact and stage changes and \
                 sensitive actions are for agents and admins."
            }
            Self::OverrideSafeguards => "Only an admin can do this: it overrides a safeguard.",
            Self::ManageStaff => "Only admins manage staff users.",
        }
    }
}

/// Refuses (403, with the reason) a staff member whose role lacks `permission`.
pub fn require(staff: &StaffView, permission: Permission) -> Result<(), AppError> {
    if staff.role.may(permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden(permission.refusal().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn each_role_may_do_what_its_description_says() {
        let allowed = |role: StaffRole| -> Vec<Permission> {
            Permission::iter().filter(|&p| role.may(p)).collect()
        };
        assert_eq!(allowed(StaffRole::Verifier), [Permission::VerifyCallers]);
        assert_eq!(
            allowed(StaffRole::Agent),
            [Permission::VerifyCallers, Permission::WorkEnrollments]
        );
        assert_eq!(
            allowed(StaffRole::Admin),
            Permission::iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_refusal_is_a_403_that_says_why() {
        let verifier = StaffView {
            id: crate::ids::StaffId(1),
            name: "V".into(),
            email: "v@example.com".into(),
            role: StaffRole::Verifier,
        };
        let refused = require(&verifier, Permission::WorkEnrollments).unwrap_err();
        assert_eq!(refused.status(), 403);
        assert!(refused.to_string().contains("links"), "{refused}");
        assert!(require(&verifier, Permission::VerifyCallers).is_ok());
    }
}
