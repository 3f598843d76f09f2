//! The audit trail's vocabulary: what happened and how it ended. New actions are added
//! here, never written as free text.

stored_set! {
    /// What happened.
    pub enum AuditAction {
        SignIn,
        SignOut,
        StaffCreated,
        /// An admin deactivated a staff account (its sessions end with it) or reactivated it.
        StaffDeactivated,
        StaffReactivated,
        StaffRoleChanged,
        SyncEmployees,
        SendToBeia,
        PinLinkSent,
        /// A client used a setup or reset link (success) or tried a dead one (failure).
        PinSet,
        PinCheck,
        PinLocked,
        /// Lock windows came too often: PIN checks stay locked until lifted.
        PinLockHeld,
        /// PIN checks unlocked: by a 2-step code that succeeded, or by an admin with a reason.
        PinUnlocked,
        CodeSent,
        CodeCheck,
        /// Verifications ended before their time: a PIN reset, a change to the verified
        /// contact, or an admin's *End verification*.
        VerificationEnded,
        /// Staff moved a client to another enrollment stage (back with a reason), or were
        /// refused by the enrollment gate.
        StageChanged,
        /// A contact added, changed or removed on the lead card, or a change refused for
        /// want of the authority it needs.
        ContactAdded,
        ContactChanged,
        ContactRemoved,
        /// An admin let links and codes go to a contact's new address before the
        /// cooling-off period ended.
        CoolingOffApproved,
        /// *Prove it's us* words sent to a contact, or refused.
        ProveItsUs,
        /// A staff member's second factor checked, at sign-in or for an admin action
        /// (step-up): an authenticator code, a recovery code or a passkey.
        SecondFactor,
        /// A second factor set up, or recovery codes renewed.
        FactorAdded,
        /// A second factor removed by its owner, or all of them by an admin.
        FactorRemoved,
        /// A staff member changed their own password, or an admin issued a new one.
        PasswordChanged,
        PasswordReset,
        /// A session ended by its owner from another one, or by an admin.
        SessionEnded,
    }
}

impl AuditAction {
    /// How the lead card's audit list names the action.
    pub fn label(self) -> &'static str {
        match self {
            Self::SignIn => "Signed in",
            Self::SignOut => "Signed out",
            Self::StaffCreated => "Staff user created",
            Self::StaffDeactivated => "Staff user deactivated",
            Self::StaffReactivated => "Staff user reactivated",
            Self::StaffRoleChanged => "Staff role changed",
            Self::SyncEmployees => "Sync Employees",
            Self::SendToBeia => "Send to BEIA",
            Self::PinLinkSent => "PIN link sent",
            Self::PinSet => "PIN set by client",
            Self::PinCheck => "PIN verification",
            Self::PinLocked => "PIN checks locked",
            Self::PinLockHeld => "PIN checks held locked",
            Self::PinUnlocked => "PIN checks unlocked",
            Self::CodeSent => "2-step code sent",
            Self::CodeCheck => "2-step code check",
            Self::VerificationEnded => "Verification ended",
            Self::StageChanged => "Enrollment stage",
            Self::ContactAdded => "Contact added",
            Self::ContactChanged => "Contact changed",
            Self::ContactRemoved => "Contact removed",
            Self::CoolingOffApproved => "Cooling-off approved",
            Self::ProveItsUs => "Prove it's us",
            Self::SecondFactor => "Second factor",
            Self::FactorAdded => "Second factor added",
            Self::FactorRemoved => "Second factor removed",
            Self::PasswordChanged => "Password changed",
            Self::PasswordReset => "Password reset by an admin",
            Self::SessionEnded => "Session ended",
        }
    }

    /// The actions the staff page's sign-in audit lists: signing in and out, second
    /// factors, passwords and sessions.
    pub fn is_sign_in_event(self) -> bool {
        matches!(
            self,
            Self::SignIn
                | Self::SignOut
                | Self::SecondFactor
                | Self::FactorAdded
                | Self::FactorRemoved
                | Self::PasswordChanged
                | Self::PasswordReset
                | Self::SessionEnded
        )
    }
}

stored_set! {
    /// How an audited action ended.
    pub enum AuditOutcome {
        Success,
        Failure,
    }
}

/// What the staff page's sign-in audit shows: which events, whose, how they ended, and
/// between which days (inclusive, UTC). Empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInAuditFilter {
    pub staff: Option<crate::ids::StaffId>,
    pub action: Option<AuditAction>,
    pub outcome: Option<AuditOutcome>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// One line of the sign-in audit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInEvent {
    pub at: chrono::DateTime<chrono::Utc>,
    /// Whose account it concerned (`None`: an address that names no account).
    pub staff_name: Option<String>,
    pub staff_email: Option<String>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub detail: String,
}

/// The most lines the sign-in audit lists or exports at once; a filter narrows it.
pub const SIGN_IN_AUDIT_LIMIT: u64 = 1000;

impl SignInAuditFilter {
    /// The filter as a form or an address gives it: each field as typed, empty for "any".
    pub fn parse(
        staff: &str,
        action: &str,
        outcome: &str,
        from: &str,
        to: &str,
    ) -> Result<Self, crate::AppError> {
        use std::str::FromStr;
        let field = |name: &'static str, value: &str| -> Option<(&'static str, String)> {
            let value = value.trim();
            (!value.is_empty()).then(|| (name, value.to_owned()))
        };
        let bad = |name: &str, what: &str| crate::AppError::invalid(name, what.to_owned());
        let staff = field("staff", staff)
            .map(|(n, v)| v.parse().map_err(|_| bad(n, "is not a staff user")))
            .transpose()?;
        let action = field("action", action)
            .map(|(n, v)| {
                AuditAction::from_str(&v)
                    .ok()
                    .filter(|a| a.is_sign_in_event())
                    .ok_or_else(|| bad(n, "is not one of the sign-in audit's events"))
            })
            .transpose()?;
        let outcome = field("outcome", outcome)
            .map(|(n, v)| {
                AuditOutcome::from_str(&v).map_err(|_| bad(n, "must be success or failure"))
            })
            .transpose()?;
        // Four-digit years only: chrono reads signed years of any size, and a day past the
        // largest date it knows cannot be computed.
        let date = |name: &'static str, value: &str| {
            field(name, value)
                .map(|(n, v)| {
                    chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                        .ok()
                        .filter(|d| (1900..=9999).contains(&chrono::Datelike::year(d)))
                        .ok_or_else(|| bad(n, "must be a date such as 2026-12-03"))
                })
                .transpose()
        };
        Ok(Self {
            staff,
            action,
            outcome,
            from: date("from", from)?,
            to: date("to", to)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_read_as_typed_and_refused_with_the_field_named() {
        assert_eq!(
            SignInAuditFilter::parse("", "", "", "", ""),
            Ok(SignInAuditFilter::default())
        );
        let f = SignInAuditFilter::parse("3", "sign_in", "failure", "2026-12-01", " 2026-12-03 ")
            .unwrap();
        assert_eq!(f.staff, Some(crate::ids::StaffId(3)));
        assert_eq!(f.action, Some(AuditAction::SignIn));
        assert_eq!(f.outcome, Some(AuditOutcome::Failure));
        assert_eq!(f.to, chrono::NaiveDate::from_ymd_opt(2026, 12, 3));
        for (args, field) in [
            (["x", "", "", "", ""], "staff"),
            (["", "pin_check", "", "", ""], "action"),
            (["", "", "maybe", "", ""], "outcome"),
            (["", "", "", "12/01/2026", ""], "from"),
            (["", "", "", "", "+262143-12-31"], "to"),
        ] {
            match SignInAuditFilter::parse(args[0], args[1], args[2], args[3], args[4]) {
                Err(crate::AppError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{args:?}: {other:?}"),
            }
        }
    }
}
