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
