//! The enrollment gate: how staff move a client from stage to stage. One step at a time,
//! forward freely, back only with a reason; and for a brand in the PIN workflow's scope, a
//! client becomes Enrolled only once it has a security PIN, because the PIN is set up
//! during enrollment or not at all.

use crate::AppError;
use crate::dashboard::EnrollmentStage;
use crate::words::{audit_reason, or_list};

/// What the gate knows about the client's PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinGate<'a> {
    /// The brand is outside the PIN workflow's scope: nothing to wait for.
    NotRequired,
    /// The client has a PIN staff can verify.
    Set,
    /// An in-scope brand (named here) and no PIN yet, or one reset and not set again.
    Missing { brand: &'a str },
}

impl<'a> PinGate<'a> {
    pub fn for_client(brand_in_scope: bool, brand: &'a str, has_pin: bool) -> Self {
        match (brand_in_scope, has_pin) {
            (false, _) => Self::NotRequired,
            (true, true) => Self::Set,
            (true, false) => Self::Missing { brand },
        }
    }
}

/// A move the gate allows, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMove {
    pub from: EnrollmentStage,
    pub to: EnrollmentStage,
    /// Required going back; recorded going forward when given.
    pub reason: Option<String>,
}

impl StageMove {
    /// "Currently enrolling → Enrolled", and the reason after a colon.
    pub fn detail(&self) -> String {
        let arrow = format!("{} → {}", self.from.label(), self.to.label());
        match &self.reason {
            Some(reason) => format!("{arrow}: {reason}"),
            None => arrow,
        }
    }
}

/// Whether a client at `from` may move to `to`, with the `reason` staff typed (empty when
/// they typed none). Refusals name what to do instead.
pub fn check_stage_move(
    from: EnrollmentStage,
    to: EnrollmentStage,
    reason: &str,
    pin: PinGate<'_>,
) -> Result<StageMove, AppError> {
    if from == to {
        return Err(AppError::invalid(
            "to",
            format!("The client is already at {}.", to.label()),
        ));
    }
    let reason = if Some(to) == from.next() {
        if let (EnrollmentStage::Enrolled, PinGate::Missing { brand }) = (to, pin) {
            return Err(AppError::PinRequired(format!(
                "{brand} clients become Enrolled only once they have a security PIN, and this client has none yet. Send the setup link; once the client has set the PIN, move it to Enrolled."
            )));
        }
        match reason.trim() {
            "" => None,
            given => Some(audit_reason(given, "the client moves on")?),
        }
    } else if Some(to) == from.previous() {
        let why = format!("the client moves back to {}", to.label());
        Some(audit_reason(reason, &why)?)
    } else {
        let reachable: Vec<&str> = [from.next(), from.previous()]
            .into_iter()
            .flatten()
            .map(EnrollmentStage::label)
            .collect();
        return Err(AppError::invalid(
            "to",
            format!(
                "Move one stage at a time: from {} the client can move to {}.",
                from.label(),
                or_list(&reachable)
            ),
        ));
    };
    Ok(StageMove { from, to, reason })
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnrollmentStage::*;

    const MISSING: PinGate<'static> = PinGate::Missing { brand: "Compeo" };

    #[test]
    fn forward_one_step_needs_no_reason() {
        let moved = check_stage_move(NewLead, CurrentlyEnrolling, "  ", MISSING).unwrap();
        assert_eq!(moved.reason, None);
        assert_eq!(moved.detail(), "New lead → Currently enrolling");
        let with_reason = check_stage_move(
            CurrentlyEnrolling,
            Enrolled,
            "contract signed",
            PinGate::Set,
        )
        .unwrap();
        assert_eq!(
            with_reason.detail(),
            "Currently enrolling → Enrolled: contract signed"
        );
    }

    #[test]
    fn an_in_scope_client_is_enrolled_only_with_a_pin() {
        let refused = check_stage_move(CurrentlyEnrolling, Enrolled, "", MISSING);
        assert!(
            matches!(&refused, Err(AppError::PinRequired(m)) if m.starts_with("Compeo clients become Enrolled only once they have a security PIN")),
            "{refused:?}"
        );
        assert!(check_stage_move(CurrentlyEnrolling, Enrolled, "", PinGate::Set).is_ok());
        assert!(check_stage_move(CurrentlyEnrolling, Enrolled, "", PinGate::NotRequired).is_ok());
        // The gate guards Enrolled only: a missing PIN never holds a client back elsewhere.
        assert!(check_stage_move(NewLead, CurrentlyEnrolling, "", MISSING).is_ok());
        assert!(check_stage_move(Enrolled, CurrentlyEnrolling, "PIN reset", MISSING).is_ok());
    }

    #[test]
    fn back_one_step_needs_a_reason() {
        let refused = check_stage_move(Enrolled, CurrentlyEnrolling, " no ", PinGate::Set);
        assert!(
            matches!(&refused, Err(AppError::InvalidInput { field, message })
                if field == "reason" && message.starts_with("Say why the client moves back to Currently enrolling")),
            "{refused:?}"
        );
        let moved = check_stage_move(
            CurrentlyEnrolling,
            NewLead,
            "paperwork incomplete",
            PinGate::Set,
        )
        .unwrap();
        assert_eq!(moved.reason.as_deref(), Some("paperwork incomplete"));
    }

    #[test]
    fn one_stage_at_a_time_and_never_in_place() {
        let skip = check_stage_move(NewLead, Enrolled, "", PinGate::Set);
        assert!(
            matches!(&skip, Err(AppError::InvalidInput { field, message })
                if field == "to" && message == "Move one stage at a time: from New lead the client can move to Currently enrolling."),
            "{skip:?}"
        );
        let back = check_stage_move(Enrolled, NewLead, "a reason", PinGate::Set);
        assert!(
            matches!(&back, Err(AppError::InvalidInput { message, .. }) if message.ends_with("can move to Currently enrolling.")),
            "{back:?}"
        );
        assert!(matches!(
            check_stage_move(Enrolled, Enrolled, "", PinGate::Set),
            Err(AppError::InvalidInput { field, .. }) if field == "to"
        ));
    }

    #[test]
    fn the_gate_follows_scope_and_pin() {
        assert_eq!(
            PinGate::for_client(false, "Acme", false),
            PinGate::NotRequired
        );
        assert_eq!(PinGate::for_client(true, "Compeo", true), PinGate::Set);
        assert_eq!(PinGate::for_client(true, "Compeo", false), MISSING);
    }
}
