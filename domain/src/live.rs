//! What staff screens are told as it happens: a client's security status changed, and how.
//!
//! An event says *which* client and *what kind* of change, never the new state itself:
//! a screen that hears of one reads the state afresh through the server functions, which
//! check the reader's authority as they always do. So the stream carries no personal
//! data, and an event that is lost (a dropped stream) costs only a fresh read, which
//! every reconnection makes anyway.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, StaffId};

/// The kind of change to a client, for the screens that follow it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClientChange {
    /// A PIN or code check succeeded: someone is verified now.
    VerificationStarted,
    /// A verification was ended by staff before its window ran out.
    VerificationEnded,
    /// The client set a PIN (first or new) on the PIN page.
    PinSet,
    /// A setup or reset link went into the outbox (a reset also voids the PIN).
    LinkSent,
    /// A dead setup or reset link was opened or submitted (audited).
    LinkRefused,
    /// A 2-step code went into the outbox.
    CodeSent,
    /// *Prove it's us* words went into the outbox.
    ProofSent,
    /// A check failed: a wrong PIN or code, counted towards a lock.
    CheckFailed,
    /// PIN checks were locked, or an admin lifted a lock.
    LockChanged,
    /// A queued message was sent, failed or expired.
    Delivery,
    /// A contact was added, edited or removed, or a cooling-off period was approved.
    ContactChanged,
    /// The client moved to another enrollment stage.
    StageChanged,
    /// A workflow ran (employees synced, sent to BEIA).
    Workflow,
    /// A request about the client was refused and audited: only its activity list changed.
    Refused,
    /// A request about the client failed part-way (the database went away after its change
    /// committed, say): anything about it may have changed.
    Unsettled,
}

/// One event on the live feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// Something about this client changed, `at` this time by the server's clock (the
    /// moment it was announced, just after the change committed; the benchmark times
    /// deliveries from it).
    Client {
        client: ClientId,
        change: ClientChange,
        at: DateTime<Utc>,
    },
    /// Some of this staff member's sessions ended (signed out, ended by an admin, a
    /// password change): each of their open streams checks its own session and closes if
    /// it was one of them. Only the servers read this; browsers never receive it.
    SessionsEnded { staff: StaffId },
    /// Events may have been missed (a feed that fell behind, a lost database
    /// connection): every screen reads its state afresh.
    Resync,
}

impl LiveEvent {
    pub fn client(client: ClientId, change: ClientChange, at: DateTime<Utc>) -> Self {
        Self::Client { client, change, at }
    }
}

/// What a staff screen does on hearing an event: whether the client it shows is
/// concerned. `None` (a resync) concerns every screen.
pub fn concerns(event_client: Option<ClientId>, shown: ClientId) -> bool {
    event_client.is_none_or(|c| c == shown)
}

impl ClientChange {
    /// Whether the change can bring a client onto a dashboard list that does not show it
    /// now: a stage move onto a stage's tab, a contact's new name into a search. Every
    /// other change redraws at most a row already listed.
    pub fn may_join_a_list(self) -> bool {
        matches!(
            self,
            Self::StageChanged | Self::ContactChanged | Self::Unsettled
        )
    }

    /// Whether only the client's activity list changed: a refusal, audited. No row, button
    /// or status shows it.
    pub fn only_activity(self) -> bool {
        matches!(self, Self::Refused | Self::LinkRefused)
    }

    /// Whether the change redraws most of a lead card (its stage, contacts or workflow
    /// state), not only the PIN status.
    pub fn redraws_lead_card(self) -> bool {
        matches!(
            self,
            Self::StageChanged | Self::ContactChanged | Self::Workflow | Self::Unsettled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_is_small_tagged_json() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 3, 9, 30, 0).unwrap();
        let event = LiveEvent::client(ClientId(12), ClientChange::PinSet, at);
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"type":"client","client":12,"change":"pin_set","at":"2026-12-03T09:30:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<LiveEvent>(&json).unwrap(), event);
        assert_eq!(
            serde_json::to_string(&LiveEvent::Resync).unwrap(),
            r#"{"type":"resync"}"#
        );
    }

    #[test]
    fn a_refusal_changes_only_the_activity_list_and_redraws_nothing_else() {
        use strum::IntoEnumIterator;
        for change in ClientChange::iter().filter(|c| c.only_activity()) {
            assert!(!change.may_join_a_list() && !change.redraws_lead_card());
        }
        assert!(ClientChange::Refused.only_activity());
        assert!(!ClientChange::PinSet.only_activity());
    }

    #[test]
    fn a_resync_concerns_every_screen_and_an_event_only_its_client() {
        let shown = ClientId(3);
        assert!(concerns(None, shown));
        assert!(concerns(Some(ClientId(3)), shown));
        assert!(!concerns(Some(ClientId(4)), shown));
    }

    #[test]
    fn only_a_stage_move_or_a_contact_change_can_bring_a_client_onto_a_list() {
        use strum::IntoEnumIterator;
        let joining: Vec<_> = ClientChange::iter()
            .filter(|c| c.may_join_a_list())
            .collect();
        assert_eq!(
            joining,
            [
                ClientChange::ContactChanged,
                ClientChange::StageChanged,
                ClientChange::Unsettled
            ]
        );
    }
}
