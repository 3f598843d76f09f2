//! What the Security Verification modal shows: the PIN state, the link or code out, each
//! message's delivery, the verification in force, and the answer to each modal action.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{LinkPurpose, VerifyMethod};
use crate::audit::{AuditAction, AuditOutcome};
use crate::contact::ContactRole;
use crate::dashboard::{BrandView, ContactView, PinState};
use crate::ids::{ClientId, ContactId, StaffId};
use crate::messages::Channel;

/// The link that is out now, waiting for the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub purpose: LinkPurpose,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The email and SMS that carry it.
    pub deliveries: Vec<DeliveryView>,
}

stored_set! {
    /// Where one outgoing message stands in the outbox.
    pub enum DeliveryStatus {
        /// Waiting for the delivery worker (and, after a transient error, for the next try).
        Queued,
        /// Handed to the mail server or SMS provider.
        Sent,
        /// Refused for good, or out of attempts.
        Failed,
        /// Its link or code ran out before it could go; never sent late.
        Expired,
    }
}

impl DeliveryStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
            Self::Expired => "Expired",
        }
    }
}

/// One message of the current link or code, as the modal lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub channel: Channel,
    /// The address with most of it hidden.
    pub destination: String,
    pub status: DeliveryStatus,
    /// Why the last attempt failed, when it did (also while a retry is queued).
    pub error: Option<String>,
    pub attempts: u32,
    /// When it was sent, or queued if not yet.
    pub at: DateTime<Utc>,
}

/// One verification of a caller, current or past: who was verified (the contact and the
/// role they held then), how, by which staff member, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationView {
    /// `None` for a verification recorded before verifications named their contact; such
    /// a verification is shown but allows nothing that needs a role.
    pub contact_id: Option<ContactId>,
    pub contact_name: Option<String>,
    pub role: Option<ContactRole>,
    pub staff_id: StaffId,
    pub staff_name: String,
    pub method: VerifyMethod,
    pub at: DateTime<Utc>,
    /// When it ends, or ended (early, if `ended` says why).
    pub until: DateTime<Utc>,
    /// By the server's clock when this view was made; 0 for a window that has ended.
    pub seconds_left: i64,
    /// Why it was ended before its time, if it was.
    pub ended: Option<VerificationEnd>,
}

impl VerificationView {
    /// The person verified: "Rachel Cohen (Owner)".
    pub fn who(&self) -> String {
        match (&self.contact_name, self.role) {
            (Some(name), Some(role)) => format!("{name} ({})", role.label()),
            (Some(name), None) => name.clone(),
            (None, _) => "A caller (contact not recorded)".into(),
        }
    }

    /// The order verifications are listed in: the one that lasts longest first, the
    /// newest first among those that end together.
    pub fn longest_first(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.until.cmp(&a.until).then(b.at.cmp(&a.at))
    }

    /// "Rachel Cohen (Owner) · PIN · by Avery Morgan", as the Security PIN button, its
    /// tooltip, the modal and the lead card say it.
    pub fn summary(&self) -> String {
        format!(
            "{} · {} · by {}",
            self.who(),
            self.method.short_label(),
            self.staff_name
        )
    }
}

stored_set! {
    /// Why a verification ended before its hour was up: trust in it changed.
    pub enum VerificationEnd {
        /// A PIN reset: the PIN that proved it no longer holds.
        PinReset,
        /// The verified contact's details or role changed.
        ContactChanged,
        /// An admin ended it.
        EndedByAdmin,
    }
}

impl VerificationEnd {
    pub fn label(self) -> &'static str {
        match self {
            Self::PinReset => "the PIN was reset",
            Self::ContactChanged => "the verified contact was changed",
            Self::EndedByAdmin => "an admin ended it",
        }
    }
}

/// The 2-step code that is out now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeView {
    pub contact_id: ContactId,
    pub contact_name: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub checks_left: u32,
    /// The SMS and email that carry it.
    pub deliveries: Vec<DeliveryView>,
}

/// Everything the Security Verification modal shows about one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityStatus {
    pub client_id: ClientId,
    pub business_name: String,
    pub brand: BrandView,
    pub pin_state: PinState,
    pub pin_set_at: Option<DateTime<Utc>>,
    pub link: Option<LinkView>,
    /// The verifications in force now, the one that lasts longest first: each proves one
    /// person, so several may be (the owner by PIN, the accountant by a code).
    pub current: Vec<VerificationView>,
    /// With none in force, the last one, which has ended.
    pub last: Option<VerificationView>,
    pub locked_until: Option<DateTime<Utc>>,
    /// Locks came too often: PIN checks are held locked since then, until a 2-step code
    /// succeeds or an admin unlocks them.
    pub held_since: Option<DateTime<Utc>>,
    /// The hold's rule, for the modal to say why: this many locks in this many hours.
    pub hold_rule: (u32, u32),
    pub consecutive_failures: u32,
    pub max_failures: u32,
    pub code: Option<CodeView>,
    /// Owner and Authorized Representatives first, as on the lead card.
    pub contacts: Vec<ContactView>,
}

impl SecurityStatus {
    /// The status after a PIN check, from the status read while its hash was compared (see
    /// `Store::verify_pin`): a check changes only the failure count, the lock and, when it
    /// succeeds, the verification in force (`opened`).
    pub fn after_pin_check(
        mut self,
        outcome: PinCheckOutcome,
        opened: Option<VerificationView>,
    ) -> Self {
        match outcome {
            PinCheckOutcome::Verified => {
                self.consecutive_failures = 0;
                self.locked_until = None;
                if let Some(new) = opened {
                    self.current.push(new);
                    self.current.sort_by(VerificationView::longest_first);
                    self.last = None;
                }
            }
            PinCheckOutcome::Mismatch {
                consecutive_failures,
                locked_until,
                held_since,
            } => {
                self.held_since = held_since.or(self.held_since);
                // Reaching the limit locks checks and starts the count again.
                self.consecutive_failures = if locked_until.is_some() {
                    0
                } else {
                    consecutive_failures
                };
                self.locked_until = locked_until.or(self.locked_until);
            }
        }
        self
    }

    /// Why *Verify PIN* is unavailable right now, if it is.
    pub fn verify_pin_blocked(&self) -> Option<String> {
        if self.held_since.is_some() {
            return Some(held_lock_message(self.hold_rule.0, self.hold_rule.1));
        }
        if let Some(until) = self.locked_until {
            return Some(format!(
                "PIN verification is locked until {} after {} failed attempts. Send a 2-step code instead.",
                until.format("%H:%M UTC"),
                self.max_failures
            ));
        }
        match self.pin_state {
            PinState::PinSet => None,
            PinState::ResetPending => Some(
                "The PIN was reset; Verify PIN returns when the client has set the new one.".into(),
            ),
            PinState::LinkSent => Some(
                "The client has not set a PIN yet; Verify PIN opens once they use the link.".into(),
            ),
            PinState::NoPin => Some("No PIN yet: create one first.".into()),
            PinState::NotApplicable => Some("This client has no security PIN workflow.".into()),
        }
    }

    /// How long someone stays verified: the longest of the windows in force.
    pub fn seconds_verified(&self) -> i64 {
        self.current.first().map_or(0, |v| v.seconds_left)
    }

    /// The verification the Security PIN button names: the one that lasts longest.
    pub fn shown_verification(&self) -> Option<&VerificationView> {
        self.current.first()
    }
}

/// How a *Verify PIN* attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinCheckOutcome {
    Verified,
    /// Wrong digits. `consecutive_failures` counts this one; `locked_until` is set when this
    /// miss reached the limit, and `held_since` when that lock was one too many.
    Mismatch {
        consecutive_failures: u32,
        locked_until: Option<DateTime<Utc>>,
        held_since: Option<DateTime<Utc>>,
    },
}

/// Why PIN checks are held locked, and what lifts the hold.
pub fn held_lock_message(locks: u32, hours: u32) -> String {
    let lockouts = if locks == 1 { "lockout" } else { "lockouts" };
    format!(
        "PIN verification is locked after {locks} {lockouts} within {hours} hours. It stays locked until a 2-step verification code succeeds or an admin unlocks it."
    )
}

/// The reason an admin gives for unlocking PIN checks, as [`crate::words::audit_reason`]
/// takes it.
pub fn check_unlock_reason(reason: &str) -> Result<String, crate::AppError> {
    crate::words::audit_reason(reason, "PIN checks are being unlocked")
}

/// How a 2-step code check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeCheckOutcome {
    Verified,
    Mismatch { checks_left: u32 },
}

/// The answer to every modal action: what happened, and the status to show next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult<O> {
    pub outcome: O,
    pub status: SecurityStatus,
}

/// The answer to *Prove it's us*: the words to read aloud (the same ones the contact just
/// received), who they went to, and the status to show next. Not `Debug`: the words are
/// the proof for this call.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofSent {
    pub words: String,
    pub contact_name: String,
    /// "email and SMS", or "email (no mobile number)".
    pub channels: String,
    pub status: SecurityStatus,
}

/// One line of the lead card's audit list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: DateTime<Utc>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub staff_name: Option<String>,
    pub contact_name: Option<String>,
    pub detail: String,
}
