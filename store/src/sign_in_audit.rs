//! The staff page's sign-in audit (admins): sign-ins and their failures and lockouts,
//! second factors, passwords and sessions, newest first, filtered.

use std::collections::HashMap;

use chrono::{Duration, NaiveTime};
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, SIGN_IN_AUDIT_LIMIT, SignInAuditFilter, SignInEvent};
use janus_domain::ids::StaffId;
use janus_domain::staff::{Permission, StaffView, require};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use strum::IntoEnumIterator;

use crate::entity::{audit_event, staff_user};
use crate::{OrInternal, Store};

impl Store {
    pub async fn sign_in_audit(
        &self,
        actor: &StaffView,
        filter: &SignInAuditFilter,
    ) -> Result<Vec<SignInEvent>, AppError> {
        require(actor, Permission::ManageStaff)?;
        let actions: Vec<AuditAction> = match filter.action {
            Some(action) if action.is_sign_in_event() => vec![action],
            Some(_) => {
                return Err(AppError::invalid(
                    "action",
                    "is not one of the sign-in audit's events",
                ));
            }
            None => AuditAction::iter()
                .filter(|a| a.is_sign_in_event())
                .collect(),
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(AppError::invalid("from", "must not be after the end date"));
        }
        let mut query = audit_event::Entity::find()
            .filter(audit_event::Column::Action.is_in(actions))
            .order_by_desc(audit_event::Column::At)
            .order_by_desc(audit_event::Column::Id)
            .limit(SIGN_IN_AUDIT_LIMIT);
        if let Some(staff) = filter.staff {
            query = query.filter(audit_event::Column::StaffUserId.eq(staff));
        }
        if let Some(outcome) = filter.outcome {
            query = query.filter(audit_event::Column::Outcome.eq(outcome));
        }
        if let Some(from) = filter.from {
            query =
                query.filter(audit_event::Column::At.gte(from.and_time(NaiveTime::MIN).and_utc()));
        }
        if let Some(to) = filter.to {
            let end = (to.and_time(NaiveTime::MIN) + Duration::days(1)).and_utc();
            query = query.filter(audit_event::Column::At.lt(end));
        }
        let events = query.all(&self.db).await.or_internal()?;
        let ids: Vec<StaffId> = events.iter().filter_map(|e| e.staff_user_id).collect();
        let staff: HashMap<StaffId, (String, String)> = staff_user::Entity::find()
            .filter(staff_user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .or_internal()?
            .into_iter()
            .map(|s| (s.id, (s.name, s.email)))
            .collect();
        Ok(events
            .into_iter()
            .map(|e| {
                let who = e.staff_user_id.and_then(|id| staff.get(&id).cloned());
                SignInEvent {
                    at: e.at,
                    staff_name: who.as_ref().map(|(name, _)| name.clone()),
                    staff_email: who.map(|(_, email)| email),
                    action: e.action,
                    outcome: e.outcome,
                    detail: e.detail,
                }
            })
            .collect())
    }
}

/// The sign-in audit as CSV, for a spreadsheet. A cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet never runs
/// what someone typed into the email box as a formula (OWASP CSV injection).
pub fn sign_in_audit_csv(events: &[SignInEvent]) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["time (UTC)", "staff", "email", "event", "outcome", "detail"])
        .or_internal()?;
    for e in events {
        let at = e.at.format("%Y-%m-%d %H:%M:%S").to_string();
        let outcome: &str = e.outcome.into();
        let cells = [
            at.as_str(),
            e.staff_name.as_deref().unwrap_or(""),
            e.staff_email.as_deref().unwrap_or(""),
            e.action.label(),
            outcome,
            e.detail.as_str(),
        ];
        out.write_record(cells.map(inert)).or_internal()?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| crate::internal(e.to_string()))?;
    String::from_utf8(bytes).or_internal()
}

fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use janus_domain::audit::AuditOutcome;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let event = |detail: &str| SignInEvent {
            at: chrono::DateTime::UNIX_EPOCH,
            staff_name: Some("Ana, López".into()),
            staff_email: Some("ana@example.com".into()),
            action: AuditAction::SignIn,
            outcome: AuditOutcome::Failure,
            detail: detail.into(),
        };
        let csv = sign_in_audit_csv(&[event("=HYPERLINK(\"x\")"), event("said \"hi\"")]).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "time (UTC),staff,email,event,outcome,detail");
        assert_eq!(
            lines[1],
            "1970-01-01 00:00:00,\"Ana, López\",ana@example.com,Signed in,failure,\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(
            lines[2],
            "1970-01-01 00:00:00,\"Ana, López\",ana@example.com,Signed in,failure,\"said \"\"hi\"\"\""
        );
    }
}
