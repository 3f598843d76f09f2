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
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, TransactionTrait};

use super::{open_window, pin_client};
use crate::audit::{self, Action, Entry, Outcome};
use crate::entity::client_pin;
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
        pin_client(self, client_id).await?;
        let now = self.clock.now();
        let max = self.settings.pin.max_failures;
        let row = client_pin::Entity::find_by_id(client_id)
            .one(&self.db)
            .await
            .or_internal()?;
        let Some((row, hash)) = row.and_then(|r| r.pin_hash.clone().map(|h| (r, h))) else {
            let reason = self
                .security_status(client_id)
                .await?
                .verify_pin_blocked()
                .unwrap_or_else(|| "There is no PIN to verify.".into());
            self.audit_pin_check(
                client_id,
                staff,
                Outcome::Failure,
                "refused: no PIN to verify",
            )
            .await?;
            return Err(AppError::invalid("pin", reason));
        };
        if let Some(until) = row.locked_until.filter(|u| *u > now) {
            self.audit_pin_check(
                client_id,
                staff,
                Outcome::Failure,
                "refused: PIN checks are locked",
            )
            .await?;
            return Err(locked_message(until, max));
        }

        let reserved = client_pin::Entity::update_many()
            .col_expr(
                client_pin::Column::ConsecutiveFailures,
                Expr::col(client_pin::Column::ConsecutiveFailures).add(1),
            )
            .filter(client_pin::Column::ClientId.eq(client_id))
            .filter(client_pin::Column::PinHash.eq(hash.clone()))
            .filter(client_pin::Column::ConsecutiveFailures.lt(max as i32))
            .filter(
                Condition::any()
                    .add(client_pin::Column::LockedUntil.is_null())
                    .add(client_pin::Column::LockedUntil.lte(now)),
            )
            .exec(&self.db)
            .await
            .or_internal()?;
        if reserved.rows_affected != 1 {
            self.audit_pin_check(
                client_id,
                staff,
                Outcome::Failure,
                "refused: too many checks at once",
            )
            .await?;
            return Err(AppError::TooManyAttempts(
                "Other PIN checks for this client are still running. Wait a moment and try again."
                    .into(),
            ));
        }

        // The status barely depends on the outcome, so it is read while the hash is compared
        // (on its own thread) and the outcome applied to it afterwards: the answer then costs
        // little more than the hash itself (docs/PERFORMANCE.md).
        let (matches, before) = tokio::join!(
            self.hasher.verify(pin, hash),
            self.security_status(client_id)
        );
        let (matches, before) = (matches?, before?);
        let mut opened = None;
        let txn = self.db.begin().await.or_internal()?;
        let outcome = if matches {
            client_pin::Entity::update_many()
                .col_expr(client_pin::Column::ConsecutiveFailures, Expr::value(0))
                .col_expr(
                    client_pin::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(client_pin::Column::ClientId.eq(client_id))
                .exec(&txn)
                .await
                .or_internal()?;
            let window = open_window(&txn, self, client_id, staff, VerifyMethod::Pin, None)
                .await
                .or_internal()?;
            opened = Some(VerificationView {
                staff_name: staff.name.clone(),
                method: VerifyMethod::Pin,
                at: window.verified_at,
                until: window.until,
                seconds_left: Ord::max((window.until - now).num_seconds(), 0),
            });
            audit::record(
                &txn,
                now,
                Entry::new(Action::PinCheck, Outcome::Success)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(format!(
                        "PIN verified; verified until {}",
                        window.until.format("%H:%M UTC")
                    )),
            )
            .await
            .or_internal()?;
            PinCheckOutcome::Verified
        } else {
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
            PinCheckOutcome::Mismatch {
                consecutive_failures: failures,
                locked_until,
            }
        };
        txn.commit().await.or_internal()?;
        Ok(CheckResult {
            outcome,
            status: before.after_pin_check(outcome, opened),
        })
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
