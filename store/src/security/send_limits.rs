//! Send limits that hold under concurrency: codes and *Prove it's us* words per contact,
//! links per client.
//!
//! The sends in the window are counted inside the transaction that writes the new one,
//! after taking a lock that every send for the same contact (or client) must also take:
//! on PostgreSQL a row lock on that contact or client (`FOR NO KEY UPDATE`: it does not
//! conflict with the key-share locks that inserting a code, link or verification row takes
//! on its parent rows, so sends and checks of one client cannot deadlock), on SQLite the write
//! lock an IMMEDIATE transaction holds from its start (`db::begin_writing`). So of any
//! number of simultaneous sends, only the limit's worth see room and commit. A count read
//! before the transaction is only an early refusal that saves hashing a code for nothing.

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::security::{SendLimit, Sends};
use janus_domain::staff::StaffView;
use sea_orm::sea_query::LockType;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::audit::{self, Entry};
use crate::entity::{caller_proof, client, contact, pin_link, two_step_code};
use crate::{OrInternal, Store};
use janus_domain::audit::{AuditAction, AuditOutcome};

/// Whose sends a limit counts: the contact for codes and proofs, the client for links.
#[derive(Debug, Clone, Copy)]
pub(super) struct SendsOf {
    pub limit: SendLimit,
    pub client_id: ClientId,
    pub contact_id: ContactId,
}

impl SendsOf {
    /// The times of the sends in the window that ends `now`.
    async fn recent(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, DbErr> {
        let since = self.limit.window_start(now);
        Ok(match self.limit.what {
            Sends::CodesToContact => {
                two_step_code::Entity::find()
                    .select_only()
                    .column(two_step_code::Column::SentAt)
                    .filter(two_step_code::Column::ContactId.eq(self.contact_id))
                    .filter(two_step_code::Column::SentAt.gt(since))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            Sends::LinksForClient => {
                pin_link::Entity::find()
                    .select_only()
                    .column(pin_link::Column::SentAt)
                    .filter(pin_link::Column::ClientId.eq(self.client_id))
                    .filter(pin_link::Column::SentAt.gt(since))
                    .into_tuple()
                    .all(db)
                    .await?
            }
            Sends::ProofsToContact => {
                caller_proof::Entity::find()
                    .select_only()
                    .column(caller_proof::Column::SentAt)
                    .filter(caller_proof::Column::ContactId.eq(self.contact_id))
                    .filter(caller_proof::Column::SentAt.gt(since))
                    .into_tuple()
                    .all(db)
                    .await?
            }
        })
    }

    /// Takes the lock every send counted together must take, until `txn` ends (see the
    /// module's comment; SQLite's query builder leaves `FOR UPDATE` out, its transaction
    /// already holding the only write lock).
    async fn lock(&self, txn: &impl ConnectionTrait) -> Result<(), DbErr> {
        match self.limit.what {
            Sends::CodesToContact | Sends::ProofsToContact => {
                contact::Entity::find_by_id(self.contact_id)
                    .lock(LockType::NoKeyUpdate)
                    .one(txn)
                    .await?;
            }
            Sends::LinksForClient => {
                client::Entity::find_by_id(self.client_id)
                    .lock(LockType::NoKeyUpdate)
                    .one(txn)
                    .await?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// The early refusal, before any work: audited like the final one.
    pub(super) async fn precheck_send(
        &self,
        sends: SendsOf,
        staff: &StaffView,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let recent = sends.recent(&self.db, now).await.or_internal()?;
        match sends.limit.check(&recent, now) {
            Ok(()) => Ok(()),
            Err(refusal) => Err(self.refuse_send(sends, staff, refusal).await),
        }
    }

    /// The binding check, inside the transaction that would write the send: `Ok(Err(_))`
    /// when the limit is reached (the caller rolls back and calls [`Self::refuse_send`]).
    pub(super) async fn check_send_in(
        &self,
        txn: &impl ConnectionTrait,
        sends: SendsOf,
    ) -> Result<Result<(), AppError>, AppError> {
        let now = self.clock.now();
        sends.lock(txn).await.or_internal()?;
        let recent = sends.recent(txn, now).await.or_internal()?;
        Ok(sends.limit.check(&recent, now))
    }

    /// Audits a send refused by its limit; the error to answer with (the refusal, unless
    /// the audit could not be written).
    pub(super) async fn refuse_send(
        &self,
        sends: SendsOf,
        staff: &StaffView,
        refusal: AppError,
    ) -> AppError {
        let action = match sends.limit.what {
            Sends::CodesToContact => AuditAction::CodeSent,
            Sends::LinksForClient => AuditAction::PinLinkSent,
            Sends::ProofsToContact => AuditAction::ProveItsUs,
        };
        let audited = audit::record(
            &self.db,
            self.clock.now(),
            Entry::new(action, AuditOutcome::Failure)
                .staff(staff.id)
                .client(sends.client_id)
                .contact(sends.contact_id)
                .detail("refused: send limit reached"),
        )
        .await
        .or_internal();
        match audited {
            Ok(()) => refusal,
            Err(failed) => failed,
        }
    }
}
