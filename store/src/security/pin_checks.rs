//! *Verify PIN*: staff type the digits a caller reads out.
//!
//! 5 consecutive misses lock PIN checks for the client for 15 minutes (DESIGN.md §2). The
//! count is taken *before* the hash is compared, by one conditional UPDATE that only
//! succeeds below the limit, so concurrent guesses can never run more than the limit's
//! worth of comparisons per lock window.

use chrono::{DateTime, Duration, Utc};
use janus_domain::security::{
    CheckResult, PinCheckOutcome, VerificationView, VerifyMethod, check_typed_digits,
};
use janus_domain::staff::StaffView;
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IdenStatic, QueryFilter, QueryResult, QueryTrait,
    Statement,
};

use super::{pin_client, window_row};
use crate::audit::{self, Action, Entry, Outcome};
use crate::db::{begin_writing, write_atomically, write_then_read};
use crate::entity::{client_pin, verification};
use crate::{OrInternal, Store};

fn locked_message(until: DateTime<Utc>, max: u32) -> AppError {
    AppError::TooManyAttempts(format!(
        "PIN verification for this client is locked until {} after {max} failed attempts. Send a 2-step verification code instead.",
        until.format("%H:%M UTC")
    ))
}

impl Store {
    pub async fn verify_pin(
        &self,
        client_id: i32,
        pin: Secret,
        staff: &StaffView,
    ) -> Result<CheckResult<PinCheckOutcome>, AppError> {
        check_typed_digits("pin", pin.expose())?;
        let now = self.clock.now();
        let max = self.settings.pin.max_failures;
        // The attempt is counted, and the hash it will be compared with fetched, by one
        // statement: only a client with a PIN, below the limit and not locked, passes. The
        // modal's status is read after it in the same transaction and the same call, while
        // the hash is compared (on its own thread): the answer then costs little more than
        // the hash itself (docs/PERFORMANCE.md). The status barely depends on the outcome,
        // which is applied to it afterwards.
        let hasher = self.hasher.clone();
        let compare = async move |counted: Vec<QueryResult>| match reserved_hash(counted)? {
            Some(hash) => hasher.verify(pin, hash).await.map(Some),
            None => Ok(None),
        };
        let (matches, answers) = write_then_read(
            &self.writer,
            self.reserve_pin_check(client_id, now, max),
            self.status_queries(client_id, now),
            compare,
        )
        .await
        .or_internal()?;
        // No hash: the check was not counted.
        let Some(matches) = matches.transpose() else {
            let refusal = self.pin_check_refusal(client_id, staff, now, max).await;
            return Err(refusal.unwrap_or_else(|failed| failed));
        };
        let before = match self.status_from(client_id, answers, now) {
            Ok(before) => before,
            Err(refused) => {
                // Not a client the workflow applies to (or it vanished): this was no check,
                // so the attempt is handed back and the comparison's result is never used.
                self.release_pin_check(client_id).await?;
                return Err(refused);
            }
        };
        let matches = matches?;
        let mut opened = None;
        let outcome = if matches {
            // The three writes of a success go to the database together, as one transaction:
            // after the hash, each round trip is time the person on the phone waits for.
            let backend = self.db.get_database_backend();
            let (window, row) = window_row(self, client_id, staff, VerifyMethod::Pin, None);
            let reset = client_pin::Entity::update_many()
                .col_expr(client_pin::Column::ConsecutiveFailures, Expr::value(0))
                .col_expr(
                    client_pin::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(client_pin::Column::ClientId.eq(client_id))
                .build(backend);
            let audited = audit::insert(
                backend,
                now,
                Entry::new(Action::PinCheck, Outcome::Success)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(format!(
                        "PIN verified; verified until {}",
                        window.until.format("%H:%M UTC")
                    )),
            );
            write_atomically(
                &self.writer,
                vec![
                    reset,
                    verification::Entity::insert(row).build(backend),
                    audited,
                ],
            )
            .await
            .or_internal()?;
            opened = Some(VerificationView {
                staff_name: staff.name.clone(),
                method: VerifyMethod::Pin,
                at: window.verified_at,
                until: window.until,
                seconds_left: Ord::max((window.until - now).num_seconds(), 0),
            });
            PinCheckOutcome::Verified
        } else {
            let txn = begin_writing(&self.db).await.or_internal()?;
            let failures = client_pin::Entity::find_by_id(client_id)
                .one(&txn)
                .await
                .or_internal()?
                .map_or(1, |r| Ord::max(r.consecutive_failures, 1) as u32);
            let locked_until = if failures >= max {
                let until = now + Duration::minutes(self.settings.pin.lockout_minutes.into());
                client_pin::Entity::update_many()
                    .col_expr(client_pin::Column::ConsecutiveFailures, Expr::value(0))
                    .col_expr(client_pin::Column::LockedUntil, Expr::value(Some(until)))
                    .filter(client_pin::Column::ClientId.eq(client_id))
                    .exec(&txn)
                    .await
                    .or_internal()?;
                audit::record(
                    &txn,
                    now,
                    Entry::new(Action::PinLocked, Outcome::Failure)
                        .staff(staff.id)
                        .client(client_id)
                        .detail(format!(
                            "{max} consecutive misses; PIN checks locked until {}",
                            until.format("%H:%M UTC")
                        )),
                )
                .await
                .or_internal()?;
                Some(until)
            } else {
                None
            };
            audit::record(
                &txn,
                now,
                Entry::new(Action::PinCheck, Outcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(format!("PIN mismatch ({failures} of {max} in a row)")),
            )
            .await
            .or_internal()?;
            txn.commit().await.or_internal()?;
            PinCheckOutcome::Mismatch {
                consecutive_failures: failures,
                locked_until,
            }
        };
        Ok(CheckResult {
            outcome,
            status: before.after_pin_check(outcome, opened),
        })
    }

    /// The statement that counts one PIN check against `client_id` and returns the hash to
    /// compare with ([`reserved_hash`]), if the client has a PIN, is below `max` consecutive
    /// misses and is not locked. One conditional UPDATE, so concurrent guesses can never run
    /// more comparisons than the limit allows.
    fn reserve_pin_check(&self, client_id: i32, now: DateTime<Utc>, max: u32) -> Statement {
        let mut update = client_pin::Entity::update_many()
            .col_expr(
                client_pin::Column::ConsecutiveFailures,
                Expr::col(client_pin::Column::ConsecutiveFailures).add(1),
            )
            .filter(client_pin::Column::ClientId.eq(client_id))
            .filter(client_pin::Column::PinHash.is_not_null())
            .filter(client_pin::Column::ConsecutiveFailures.lt(max as i32))
            .filter(
                Condition::any()
                    .add(client_pin::Column::LockedUntil.is_null())
                    .add(client_pin::Column::LockedUntil.lte(now)),
            )
            .into_query();
        update.returning_col(client_pin::Column::PinHash);
        self.db.get_database_backend().build(&update)
    }

    /// Hands back an attempt counted by [`Self::reserve_pin_check`] that was never judged.
    async fn release_pin_check(&self, client_id: i32) -> Result<(), AppError> {
        client_pin::Entity::update_many()
            .col_expr(
                client_pin::Column::ConsecutiveFailures,
                Expr::col(client_pin::Column::ConsecutiveFailures).sub(1),
            )
            .filter(client_pin::Column::ClientId.eq(client_id))
            .filter(client_pin::Column::ConsecutiveFailures.gt(0))
            .exec(&self.db)
            .await
            .or_internal()?;
        Ok(())
    }

    /// Why a PIN check could not be counted, audited: an unknown client or one outside the
    /// workflow (`Err`, as from any use case), no PIN, a lock, or the limit's worth of checks
    /// already running.
    async fn pin_check_refusal(
        &self,
        client_id: i32,
        staff: &StaffView,
        now: DateTime<Utc>,
        max: u32,
    ) -> Result<AppError, AppError> {
        pin_client(self, client_id).await?;
        let row = client_pin::Entity::find_by_id(client_id)
            .one(&self.db)
            .await
            .or_internal()?;
        let (outcome, refusal) = match row.filter(|r| r.pin_hash.is_some()) {
            None => (
                "refused: no PIN to verify",
                AppError::invalid(
                    "pin",
                    self.security_status(client_id)
                        .await?
                        .verify_pin_blocked()
                        .unwrap_or_else(|| "There is no PIN to verify.".into()),
                ),
            ),
            Some(row) => match row.locked_until.filter(|u| *u > now) {
                Some(until) => ("refused: PIN checks are locked", locked_message(until, max)),
                None => (
                    "refused: too many checks at once",
                    AppError::TooManyAttempts(
                        "Other PIN checks for this client are still running. Wait a moment and try again."
                            .into(),
                    ),
                ),
            },
        };
        self.audit_pin_check(client_id, staff, Outcome::Failure, outcome)
            .await?;
        Ok(refusal)
    }

    async fn audit_pin_check(
        &self,
        client_id: i32,
        staff: &StaffView,
        outcome: Outcome,
        detail: &str,
    ) -> Result<(), AppError> {
        audit::record(
            &self.db,
            self.clock.now(),
            Entry::new(Action::PinCheck, outcome)
                .staff(staff.id)
                .client(client_id)
                .detail(detail),
        )
        .await
        .or_internal()
    }
}

/// The hash [`Store::reserve_pin_check`] returned, if it counted the check.
fn reserved_hash(counted: Vec<QueryResult>) -> Result<Option<String>, AppError> {
    match counted.first() {
        Some(row) => row
            .try_get::<Option<String>>("", client_pin::Column::PinHash.as_str())
            .or_internal(),
        None => Ok(None),
    }
}
