//! Delivery bookkeeping of the outbox: claiming queued messages, and recording how each
//! attempt ended. Several server processes may run workers side by side: a claim is one
//! UPDATE over rows picked with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite runs one
//! writer at a time, which gives the same guarantee), and it takes a lease, so the rows of
//! a worker that died come back when the lease runs out.

use chrono::{DateTime, Duration, Utc};
use janus_domain::live::ClientChange;
use janus_domain::security::DeliveryStatus;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use sea_orm::{ColumnTrait, DbBackend, DbErr, EntityTrait, QueryFilter};

use crate::Store;
use crate::entity::message;

/// Attempts before a message that keeps failing transiently is given up.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait before attempt `attempts + 1`: 5 s, 10 s, 20 s … at most 10 minutes.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    Duration::seconds(Ord::min(5_i64 << doublings, 600))
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Worth retrying (connection refused, timeout, 4xx from SMTP, 5xx from an API).
    Transient(String),
    /// Retrying cannot help (invalid address, rejected number, bad credentials).
    Permanent(String),
}

impl Store {
    /// How long a claim on a message lasts.
    pub fn lease(&self) -> Duration {
        Duration::seconds(self.settings.outbox.lease_seconds.into())
    }

    /// Claims up to `limit` messages that are due, oldest first, for this worker, with
    /// their bodies opened. The claim lasts `outbox.lease_seconds`; the caller keeps `limit`
    /// to what it surely sends within half of that (`OutboxSettings::batch_size`).
    pub async fn claim_messages(&self, limit: u64) -> Result<Vec<message::Model>, DbErr> {
        let now = self.clock.now();
        self.expire_overdue(now).await?;
        let mut due = Query::select();
        due.column(message::Column::Id)
            .from(message::Entity)
            .and_where(Expr::col(message::Column::Status).eq(DeliveryStatus::Queued))
            .and_where(Expr::col(message::Column::NextAttemptAt).lte(now))
            .and_where(
                Expr::col(message::Column::ClaimedUntil)
                    .is_null()
                    .or(Expr::col(message::Column::ClaimedUntil).lt(now)),
            )
            .order_by(message::Column::Id, Order::Asc)
            .limit(limit);
        if self.db.get_database_backend() == DbBackend::Postgres {
            due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let claimed = message::Entity::update_many()
            .col_expr(
                message::Column::ClaimedUntil,
                Expr::value(now + self.lease()),
            )
            .col_expr(
                message::Column::Attempts,
                Expr::col(message::Column::Attempts).add(1),
            )
            .filter(message::Column::Id.in_subquery(due))
            .exec_with_returning(&self.db)
            .await?;
        // Bodies are sealed at rest; the worker gets them open, in memory only. One that
        // cannot be opened (a changed pepper) can never be sent.
        let mut ready = Vec::with_capacity(claimed.len());
        for mut m in claimed {
            let opened = self.sealer.open(&m.text_body).and_then(|text| {
                let html = m
                    .html_body
                    .as_deref()
                    .map(|h| self.sealer.open(h))
                    .transpose()?;
                Ok((text, html))
            });
            match opened {
                Ok((text, html)) => {
                    m.text_body = text;
                    m.html_body = html;
                    ready.push(m);
                }
                Err(why) => self.record_attempt(&m, Attempt::Permanent(why)).await?,
            }
        }
        Ok(ready)
    }

    /// Records an attempt on a claimed message.
    pub async fn record_attempt(&self, m: &message::Model, attempt: Attempt) -> Result<(), DbErr> {
        let now = self.clock.now();
        let update = message::Entity::update_many()
            .filter(message::Column::Id.eq(m.id))
            .col_expr(
                message::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        let update = match attempt {
            Attempt::Sent => update
                .col_expr(message::Column::Status, Expr::value(DeliveryStatus::Sent))
                .col_expr(message::Column::SentAt, Expr::value(now))
                .col_expr(
                    message::Column::LastError,
                    Expr::value(Option::<String>::None),
                ),
            Attempt::Transient(why) if m.attempts < MAX_ATTEMPTS => update
                .col_expr(
                    message::Column::NextAttemptAt,
                    Expr::value(now + backoff(m.attempts)),
                )
                .col_expr(message::Column::LastError, Expr::value(why)),
            Attempt::Transient(why) | Attempt::Permanent(why) => update
                .col_expr(message::Column::Status, Expr::value(DeliveryStatus::Failed))
                .col_expr(message::Column::LastError, Expr::value(why)),
        };
        update.exec(&self.db).await?;
        if let Some(client) = m.client_id {
            self.announce(client, ClientChange::Delivery).await;
        }
        Ok(())
    }

    /// Gives claimed messages back to the queue unsent (a worker stopping): any worker may
    /// claim them at once, and the attempt their claim counted is taken back. Only a claim
    /// still held is released: one whose lease ran out may be another worker's now.
    pub async fn release_claims(&self, claimed: &[message::Model]) -> Result<(), DbErr> {
        let now = self.clock.now();
        for m in claimed {
            message::Entity::update_many()
                .col_expr(
                    message::Column::ClaimedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    message::Column::Attempts,
                    Expr::col(message::Column::Attempts).sub(1),
                )
                .filter(message::Column::Id.eq(m.id))
                .filter(message::Column::Status.eq(DeliveryStatus::Queued))
                .filter(message::Column::ClaimedUntil.eq(m.claimed_until))
                .filter(message::Column::ClaimedUntil.gt(now))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// Queued messages whose code or link has expired are marked so and never sent.
    async fn expire_overdue(&self, now: DateTime<Utc>) -> Result<(), DbErr> {
        let expired = message::Entity::update_many()
            .col_expr(
                message::Column::Status,
                Expr::value(DeliveryStatus::Expired),
            )
            .filter(message::Column::Status.eq(DeliveryStatus::Queued))
            .filter(message::Column::DeliverBy.lte(now))
            .exec_with_returning(&self.db)
            .await?;
        let clients: std::collections::BTreeSet<_> =
            expired.iter().filter_map(|m| m.client_id).collect();
        for client in clients {
            self.announce(client, ClientChange::Delivery).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_up_to_ten_minutes() {
        let waits: Vec<_> = (1..=9).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 600, 600]);
    }
}
