//! *Verify PIN*: staff type the digits a caller reads out. Misses, locks and lifting them
//! are `pin_locks.rs`.
//!
//! 5 consecutive misses lock PIN checks for the client for 15 minutes, and 3 such locks in
//! 24 hours hold them locked until a 2-step code succeeds or an admin unlocks them
//! (`[pin]` settings; the rule is `PinAttempts`). A check is counted *before* its hash is
//! compared, by one conditional UPDATE that only succeeds while the misses plus the checks
//! still running are below the limit, so concurrent guesses can never run more than the
//! limit's worth of comparisons per lock window.
//!
//! A running check is counted under a lease ([`CHECK_LEASE_SECONDS`]). A request that
//! goes away mid-hash never resolves its check; once no check has started for the lease's
//! length, the checks still counted are known to be abandoned and the next reservation
//! forgets them. Their caller never saw an answer, so forgetting them gives no guess away.

use chrono::{DateTime, Duration, Utc};
use janus_domain::dashboard::ContactView;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::live::ClientChange;
use janus_domain::security::{CheckResult, PinCheckOutcome, VerifyMethod, check_typed_digits};
use janus_domain::staff::StaffView;
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, IdenStatic, QueryFilter, QueryResult, QueryTrait,
    Statement,
};

use super::pin_locks::{held_message, locked_message};
use super::{pin_client, window_row};
use crate::audit::{self, Entry};
use crate::db::{write_atomically, write_then_read};
use crate::entity::{client_pin, verification};
use crate::{OrInternal, Store};
use janus_domain::audit::{AuditAction, AuditOutcome};

/// How long a counted check may take before it is presumed abandoned: far above a hash's
/// time, even queued behind the hashing pool's other work (about a second at worst).
pub const CHECK_LEASE_SECONDS: i64 = 60;

/// The checks still running: those counted under a lease that has not ended.
fn live_in_flight(now: DateTime<Utc>) -> Expr {
    Expr::case(
        client_pin::Column::ChecksReservedUntil.gt(now),
        Expr::col(client_pin::Column::ChecksInFlight),
    )
    .finally(0)
    .into()
}

/// One running check fewer (never below zero: a lease may have forgotten it already). A
/// check that resolves after its lease ended takes one from a newer count: at worst one
/// more comparison may start, once, after a minute-long stall; not worth a generation.
pub(super) fn one_less_in_flight() -> Expr {
    Expr::case(
        client_pin::Column::ChecksInFlight.gt(0),
        Expr::col(client_pin::Column::ChecksInFlight).sub(1),
    )
    .finally(0)
    .into()
}

impl Store {
    /// *Verify PIN*: `contact_id` is who staff say is on the phone, the Owner or an
    /// Authorized Representative; a match verifies that person.
    pub async fn verify_pin(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        pin: Secret,
        staff: &StaffView,
    ) -> Result<CheckResult<PinCheckOutcome>, AppError> {
        let result = self
            .verify_pin_unannounced(client_id, contact_id, pin, staff)
            .await;
        self.announced(client_id, result, |r| match r.outcome {
            PinCheckOutcome::Verified => ClientChange::VerificationStarted,
            PinCheckOutcome::Mismatch {
                locked_until: Some(_),
                ..
            } => ClientChange::LockChanged,
            PinCheckOutcome::Mismatch { .. } => ClientChange::CheckFailed,
        })
        .await
    }

    async fn verify_pin_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
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
            Ok(Some(before)) => before,
            refused => {
                // Not a client the workflow applies to (or it vanished): this was no check,
                // so the attempt is handed back and the comparison's result is never used.
                self.release_pin_check(client_id).await?;
                return Err(match refused {
                    Err(refused) => refused,
                    Ok(_) => self.pin_not_applicable().await,
                });
            }
        };
        // Who staff say is on the phone, from the status read with the check (no query of
        // its own on this path). Someone the PIN cannot verify hands the check back.
        let caller = match caller_refusal(&before.contacts, contact_id) {
            Ok(caller) => caller.clone(),
            Err(refusal) => {
                self.release_pin_check(client_id).await?;
                return Err(refusal);
            }
        };
        let role = caller.role;
        let matches = match matches {
            Ok(matches) => matches,
            Err(failed) => {
                self.release_pin_check(client_id).await?;
                return Err(failed);
            }
        };
        let mut opened = None;
        let outcome = if matches {
            // The three writes of a success go to the database together, as one transaction:
            // after the hash, each round trip is time the person on the phone waits for.
            let backend = self.db.get_database_backend();
            let (window, row) = window_row(
                self,
                client_id,
                staff,
                VerifyMethod::Pin,
                (contact_id, &caller.name, role),
            );
            let reset = client_pin::Entity::update_many()
                .col_expr(client_pin::Column::ConsecutiveFailures, Expr::value(0))
                .col_expr(
                    client_pin::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(client_pin::Column::ChecksInFlight, one_less_in_flight())
                .filter(client_pin::Column::ClientId.eq(client_id))
                .build(backend);
            let audited = audit::insert(
                backend,
                now,
                Entry::new(AuditAction::PinCheck, AuditOutcome::Success)
                    .staff(staff.id)
                    .client(client_id)
                    .contact(contact_id)
                    .detail(format!(
                        "PIN verified: {} ({}) verified until {}",
                        caller.name,
                        role.label(),
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
            opened = Some(window);
            PinCheckOutcome::Verified
        } else {
            self.record_pin_miss(client_id, contact_id, staff, now)
                .await?
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
    fn reserve_pin_check(&self, client_id: ClientId, now: DateTime<Utc>, max: u32) -> Statement {
        let lease_ends = now + Duration::seconds(CHECK_LEASE_SECONDS);
        let mut update = client_pin::Entity::update_many()
            .col_expr(
                client_pin::Column::ChecksInFlight,
                live_in_flight(now).add(1),
            )
            .col_expr(
                client_pin::Column::ChecksReservedUntil,
                Expr::value(Some(lease_ends)),
            )
            .filter(client_pin::Column::ClientId.eq(client_id))
            .filter(client_pin::Column::PinHash.is_not_null())
            .filter(client_pin::Column::HeldSince.is_null())
            .filter(
                Expr::col(client_pin::Column::ConsecutiveFailures)
                    .add(live_in_flight(now))
                    .lt(max as i32),
            )
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
    async fn release_pin_check(&self, client_id: ClientId) -> Result<(), AppError> {
        client_pin::Entity::update_many()
            .col_expr(client_pin::Column::ChecksInFlight, one_less_in_flight())
            .filter(client_pin::Column::ClientId.eq(client_id))
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
        client_id: ClientId,
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
            Some(row) if row.held_since.is_some() => (
                "refused: PIN checks are held locked",
                AppError::TooManyAttempts(held_message(&self.settings.pin)),
            ),
            Some(row) => match row.locked_until.filter(|u| *u > now) {
                Some(until) => ("refused: PIN checks are locked", locked_message(until, max)),
                None => (
                    "refused: too many checks at once",
                    AppError::TooManyAttempts(
                        "Other PIN checks for this client are still running. Wait a minute and try again."
                            .into(),
                    ),
                ),
            },
        };
        self.audit_pin_check(client_id, staff, AuditOutcome::Failure, outcome)
            .await?;
        Ok(refusal)
    }

    async fn audit_pin_check(
        &self,
        client_id: ClientId,
        staff: &StaffView,
        outcome: AuditOutcome,
        detail: &str,
    ) -> Result<(), AppError> {
        audit::record(
            &self.db,
            self.clock.now(),
            Entry::new(AuditAction::PinCheck, outcome)
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

/// The contact a PIN check verifies: one of the client's, the Owner or an Authorized
/// Representative; or the refusal saying why not.
fn caller_refusal(
    contacts: &[ContactView],
    contact_id: ContactId,
) -> Result<&ContactView, AppError> {
    let caller = contacts
        .iter()
        .find(|k| k.id == contact_id)
        .ok_or_else(|| AppError::invalid("contact", "Choose one of this client's contacts."))?;
    if !caller.role.may_manage_pin() {
        return Err(AppError::invalid(
            "contact",
            format!(
                "{} is {}; the PIN verifies only the Owner or an Authorized Representative. Send {} a 2-step code instead.",
                caller.name,
                caller.role.with_article(),
                caller.name
            ),
        ));
    }
    Ok(caller)
}
