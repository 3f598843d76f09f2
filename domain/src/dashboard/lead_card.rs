//! The lead card's shape as sent to the browser: the client's details, contacts, workflow
//! states, who is verified, and its activity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{BrandView, EnrollmentStage, PinState};
use crate::contact::ContactRole;
use crate::ids::{ClientId, ContactId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: ContactId,
    pub name: String,
    pub role: ContactRole,
    pub email: String,
    pub mobile_phone: Option<String>,
    /// Why no link or code may go to this contact yet, and for how long, while a new
    /// destination waits out the cooling-off period (`crate::cooling_off`).
    pub cooling_off: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncEmployeesState {
    NeverSynced,
    Synced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BeiaState {
    NotSent,
    Sent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadCard {
    pub id: ClientId,
    pub business_name: String,
    pub legal_name: String,
    pub brand: BrandView,
    pub stage: EnrollmentStage,
    pub address: String,
    pub employee_count: i32,
    pub contacts: Vec<ContactView>,
    pub sync_employees: SyncEmployeesState,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub beia: BeiaState,
    pub beia_sent_at: Option<DateTime<Utc>>,
    pub pin_state: PinState,
    /// Who is verified now, the one that lasts longest first.
    pub verifications: Vec<crate::security::VerificationView>,
    /// What each sensitive action needs, as the card tells staff before they try:
    /// "Send to BEIA needs the Owner or an Authorized Representative, verified by you
    /// within the last 60 minutes."
    pub needs: Vec<String>,
    /// For a client of an in-scope brand (whatever its stage), what a change to who speaks
    /// for the business needs (`crate::contact_edit`); `None` when such changes are not
    /// guarded.
    pub contact_change_needs: Option<String>,
    /// Security PIN and workflow events of this client, newest first.
    pub audit: Vec<crate::security::AuditView>,
}

impl LeadCard {
    /// Whether a fresh reading of the card draws as this one does, but for what the page
    /// keeps up by itself: the verified window's seconds (counted down in the browser) and
    /// the activity list (read on its own). A live update redraws the card only when not.
    pub fn draws_like(&self, other: &Self) -> bool {
        let still = |card: &Self| {
            let mut card = card.clone();
            card.verifications
                .iter_mut()
                .for_each(|v| v.seconds_left = 0);
            card.audit.clear();
            card
        };
        still(self) == still(other)
    }

    /// Seconds the client stays verified, by the server's clock; 0 when nobody is.
    pub fn seconds_verified(&self) -> i64 {
        self.verifications.first().map_or(0, |v| v.seconds_left)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::ids::StaffId;
    use crate::security::{VerificationView, VerifyMethod};

    fn card(verified_seconds: Option<i64>, stage: EnrollmentStage) -> LeadCard {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
        LeadCard {
            id: ClientId(1),
            business_name: "Acme".into(),
            legal_name: "Acme LLC".into(),
            brand: BrandView {
                slug: "compeo".into(),
                name: "Compeo".into(),
                color: "#000000".into(),
                support_phone: "+1 800 555 0100".into(),
            },
            stage,
            address: "1 Main St".into(),
            employee_count: 5,
            contacts: vec![ContactView {
                id: ContactId(1),
                name: "Ana".into(),
                role: ContactRole::Owner,
                email: "ana@acme.example".into(),
                mobile_phone: None,
                cooling_off: None,
            }],
            sync_employees: SyncEmployeesState::NeverSynced,
            last_synced_at: None,
            beia: BeiaState::NotSent,
            beia_sent_at: None,
            pin_state: PinState::PinSet,
            verifications: verified_seconds
                .map(|seconds| VerificationView {
                    contact_id: Some(ContactId(1)),
                    contact_name: Some("Ana".into()),
                    role: Some(ContactRole::Owner),
                    staff_id: StaffId(1),
                    staff_name: "Avery".into(),
                    method: VerifyMethod::Pin,
                    at,
                    until: at + chrono::Duration::hours(1),
                    seconds_left: seconds,
                    ended: None,
                })
                .into_iter()
                .collect(),
            needs: Vec::new(),
            contact_change_needs: None,
            audit: Vec::new(),
        }
    }

    #[test]
    fn a_card_draws_alike_while_only_its_countdown_moved_and_differently_once_it_changed() {
        let enrolling = EnrollmentStage::CurrentlyEnrolling;
        let verified = card(Some(3_600), enrolling);
        assert!(verified.draws_like(&card(Some(3_500), enrolling)));
        assert!(!verified.draws_like(&card(None, enrolling)));
        assert!(!verified.draws_like(&card(Some(3_600), EnrollmentStage::Enrolled)));
    }
}
