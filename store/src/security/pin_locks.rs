//! Locks on a client's PIN checks: recording a miss and the lock (or the hold after
//! repeated lockouts) it may cause, and lifting them, by a verified 2-step code or an
//! admin's *Unlock PIN checks* with a reason. The rule itself is `PinAttempts` in
//! `janus_domain::verification`.

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::live::ClientChange;
use janus_domain::security::{PinCheckOutcome, SecurityStatus};
use janus_domain::staff::{StaffRole, StaffView};
use janus_domain::verification::PinAttempts;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::pin_checks::one_less_in_flight;
use super::pin_client;
use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{audit_event, client_pin};
use crate::{OrInternal, Store};
use janus_domain::audit::{AuditAction, AuditOutcome};

pub(super) fn held_message(rules: &janus_domain::settings::PinSettings) -> String {
    janus_domain::security::held_lock_message(
        rules.escalate_after_locks,
        rules.escalation_window_hours,
    )
}

/// Lifts a lock or a hold on the client's PIN checks (a 2-step code succeeded, or an
/// admin unlocked them); whether there was one.
pub(super) async fn lift_pin_lock(
    db: &impl ConnectionTrait,
    client_id: ClientId,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let lifted = client_pin::Entity::update_many()
        .col_expr(
            client_pin::Column::HeldSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            client_pin::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(client_pin::Column::ConsecutiveFailures, Expr::value(0))
        .filter(client_pin::Column::ClientId.eq(client_id))
        .filter(
            Condition::any()
                .add(client_pin::Column::HeldSince.is_not_null())
                .add(client_pin::Column::LockedUntil.gt(now)),
        )
        .exec(db)
        .await?;
    Ok(lifted.rows_affected > 0)
}

/// How many lock windows began for the client since `since`, and since PIN checks were
/// last unlocked (a verified code or an admin starts the count again): the audit trail is
/// their ledger (one `PinLocked` or `PinUnlocked` event each).
async fn locks_since(
    db: &impl ConnectionTrait,
    client_id: ClientId,
    since: DateTime<Utc>,
) -> Result<u32, DbErr> {
    let last_unlock: Option<DateTime<Utc>> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::At)
        .filter(audit_event::Column::ClientId.eq(client_id))
        .filter(audit_event::Column::Action.eq(AuditAction::PinUnlocked))
        .filter(audit_event::Column::At.gt(since))
        .order_by_desc(audit_event::Column::At)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .next();
    let since = last_unlock.map_or(since, |at| Ord::max(at, since));
    let n = audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(client_id))
        .filter(audit_event::Column::Action.eq(AuditAction::PinLocked))
        .filter(audit_event::Column::At.gt(since))
        .count(db)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(super) fn locked_message(until: DateTime<Utc>, max: u32) -> AppError {
    AppError::TooManyAttempts(format!(
        "PIN verification for this client is locked until {} after {max} failed attempts. Send a 2-step verification code instead.",
        until.format("%H:%M UTC")
    ))
}

impl Store {
    /// *Unlock PIN checks*: an admin lifts a lock (or a hold) and says why.
    pub async fn unlock_pin_checks(
        &self,
        client_id: ClientId,
        reason: &str,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        let result = self
            .unlock_pin_checks_unannounced(client_id, reason, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::LockChanged)
            .await
    }

    async fn unlock_pin_checks_unannounced(
        &self,
        client_id: ClientId,
        reason: &str,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        if staff.role != StaffRole::Admin {
            return Err(AppError::Forbidden(
                "Only an admin can unlock PIN checks.".into(),
            ));
        }
        let reason = janus_domain::security::check_unlock_reason(reason)?;
        pin_client(self, client_id).await?;
        let now = self.clock.now();
        let txn = begin_writing(&self.db).await.or_internal()?;
        if !lift_pin_lock(&txn, client_id, now).await.or_internal()? {
            txn.rollback().await.or_internal()?;
            return Err(AppError::invalid(
                "reason",
                "PIN checks for this client are not locked.",
            ));
        }
        audit::record(
            &txn,
            now,
            Entry::new(AuditAction::PinUnlocked, AuditOutcome::Success)
                .staff(staff.id)
                .client(client_id)
                .detail(format!("Unlocked by an admin: {reason}")),
        )
        .await
        .or_internal()?;
        txn.commit().await.or_internal()?;
        self.security_status(client_id).await
    }

    /// Records a wrong PIN: the miss, and the lock (or the hold) it may cause, with the
    /// running check resolved, in one transaction that holds the client's row so
    /// concurrent misses are counted one after another.
    pub(super) async fn record_pin_miss(
        &self,
        client_id: ClientId,
        caller: ContactId,
        staff: &StaffView,
        now: DateTime<Utc>,
    ) -> Result<PinCheckOutcome, AppError> {
        let rules = &self.settings.pin;
        let txn = begin_writing(&self.db).await.or_internal()?;
        // FOR NO KEY UPDATE on PostgreSQL (enough to order concurrent misses, and no bar to
        // rows that refer to the client); SQLite's IMMEDIATE transaction already holds the
        // only write lock (and its query builder leaves the clause out).
        let row = client_pin::Entity::find_by_id(client_id)
            .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
            .one(&txn)
            .await
            .or_internal()?;
        let before = row
            .as_ref()
            .map_or_else(PinAttempts::default, |r| PinAttempts {
                consecutive_failures: Ord::max(r.consecutive_failures, 0) as u32,
                locked_until: r.locked_until,
                held_since: r.held_since,
            });
        let earlier_locks = if before.consecutive_failures + 1 >= rules.max_failures {
            locks_since(
                &txn,
                client_id,
                PinAttempts::escalation_window_start(now, rules),
            )
            .await
            .or_internal()?
        } else {
            0
        };
        let after = before.after_failure(now, rules, earlier_locks);
        client_pin::Entity::update_many()
            .col_expr(
                client_pin::Column::ConsecutiveFailures,
                Expr::value(after.consecutive_failures as i32),
            )
            .col_expr(
                client_pin::Column::LockedUntil,
                Expr::value(after.locked_until),
            )
            .col_expr(client_pin::Column::HeldSince, Expr::value(after.held_since))
            .col_expr(client_pin::Column::ChecksInFlight, one_less_in_flight())
            .filter(client_pin::Column::ClientId.eq(client_id))
            .exec(&txn)
            .await
            .or_internal()?;
        let misses = before.consecutive_failures + 1;
        let locked_until = after
            .newly_locked(&before)
            .then_some(after.locked_until)
            .flatten();
        if let Some(until) = locked_until {
            audit::record(
                &txn,
                now,
                Entry::new(AuditAction::PinLocked, AuditOutcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(format!(
                        "{misses} consecutive misses; PIN checks locked until {}",
                        until.format("%H:%M UTC")
                    )),
            )
            .await
            .or_internal()?;
        }
        if after.newly_held(&before) {
            audit::record(
                &txn,
                now,
                Entry::new(AuditAction::PinLockHeld, AuditOutcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(format!(
                        "{} locks within {} hours; PIN checks stay locked until a 2-step code succeeds or an admin unlocks them",
                        earlier_locks + 1,
                        rules.escalation_window_hours
                    )),
            )
            .await
            .or_internal()?;
        }
        audit::record(
            &txn,
            now,
            Entry::new(AuditAction::PinCheck, AuditOutcome::Failure)
                .staff(staff.id)
                .client(client_id)
                .contact(caller)
                .detail(format!(
                    "PIN mismatch ({misses} of {} in a row)",
                    rules.max_failures
                )),
        )
        .await
        .or_internal()?;
        txn.commit().await.or_internal()?;
        Ok(PinCheckOutcome::Mismatch {
            consecutive_failures: misses,
            locked_until,
            held_since: after
                .newly_held(&before)
                .then_some(after.held_since)
                .flatten(),
        })
    }
}
