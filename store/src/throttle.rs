//! Throttling: fixed-window counters in the database, shared by every server process.
//! One atomic upsert counts a request and returns the count, so concurrent requests can
//! never slip past the limit together. Keys (emails, addresses, link tokens) are stored as
//! SHA-256 digests only.

use chrono::{DateTime, Duration, Utc};
use janus_domain::{AppError, Secret};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::tokens::token_digest;
use crate::{OrInternal, Store, internal};

/// What is being counted; each has its limit in `[throttle]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Sign-ins to one account from browsers it has not signed in from before.
    SignInAccount,
    /// Sign-ins from one browser that proved an earlier sign-in to the account.
    SignInDevice,
    SignInAddress,
    PinPageAddress,
    PinPageLink,
}

impl Bucket {
    fn code(self) -> &'static str {
        match self {
            Self::SignInAccount => "sign_in_account",
            Self::SignInDevice => "sign_in_device",
            Self::SignInAddress => "sign_in_address",
            Self::PinPageAddress => "pin_page_address",
            Self::PinPageLink => "pin_page_link",
        }
    }
}

/// Counts the request in `window` and returns `(hits, window_start)`. Written once with
/// `$n` placeholders; SQLite gets them as `?` in the same order.
const COUNT_SQL: &str = "INSERT INTO throttle_counters (bucket, key_digest, window_start, hits) \
     VALUES ($1, $2, $3, 1) \
     ON CONFLICT (bucket, key_digest) DO UPDATE SET \
     hits = CASE WHEN throttle_counters.window_start <= $4 THEN 1 ELSE throttle_counters.hits + 1 END, \
     window_start = CASE WHEN throttle_counters.window_start <= $5 THEN excluded.window_start ELSE throttle_counters.window_start END \
     RETURNING hits, window_start";

impl Store {
    /// Counts one request of `bucket` from `key` and refuses it, saying when to try again,
    /// once the window's limit is passed.
    pub async fn throttle(&self, bucket: Bucket, key: &str) -> Result<(), AppError> {
        let rules = &self.settings.throttle;
        let limit = match bucket {
            Bucket::SignInAccount => rules.sign_in_per_account,
            Bucket::SignInDevice => rules.sign_in_per_device,
            Bucket::SignInAddress => rules.sign_in_per_address,
            Bucket::PinPageAddress => rules.pin_page_per_address,
            Bucket::PinPageLink => rules.pin_page_per_link,
        };
        let window = Duration::minutes(rules.window_minutes.into());
        let now = self.clock.now();
        let (hits, started) = self.count(bucket, key, now, now - window).await?;
        if hits <= i64::from(limit) {
            return Ok(());
        }
        tracing::warn!(bucket = bucket.code(), hits, "throttled");
        let wait = (started + window - now).num_seconds().max(1);
        let minutes = (wait + 59) / 60;
        Err(AppError::TooManyAttempts(format!(
            "Too many attempts. Please wait {minutes} minute{} and try again.",
            if minutes == 1 { "" } else { "s" }
        )))
    }

    /// Starts the count of `key` again (a successful sign-in forgives earlier mistakes).
    pub async fn forgive(&self, bucket: Bucket, key: &str) -> Result<(), AppError> {
        let backend = self.db.get_database_backend();
        let sql = placeholders(
            backend,
            "DELETE FROM throttle_counters WHERE bucket = $1 AND key_digest = $2",
        );
        self.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [bucket.code().into(), digest(key).into()],
            ))
            .await
            .or_internal()?;
        Ok(())
    }

    async fn count(
        &self,
        bucket: Bucket,
        key: &str,
        now: DateTime<Utc>,
        window_ended_before: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>), AppError> {
        let backend = self.db.get_database_backend();
        let values: [Value; 5] = [
            bucket.code().into(),
            digest(key).into(),
            now.into(),
            window_ended_before.into(),
            window_ended_before.into(),
        ];
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                placeholders(backend, COUNT_SQL),
                values,
            ))
            .await
            .or_internal()?
            .ok_or_else(|| internal("throttle upsert returned no row"))?;
        let hits: i32 = row.try_get("", "hits").or_internal()?;
        let started: DateTime<Utc> = row.try_get("", "window_start").or_internal()?;
        Ok((hits.into(), started))
    }
}

fn digest(key: &str) -> String {
    token_digest(&Secret::new(key))
}

/// `$1`, `$2` … as PostgreSQL wants them, or `?` for SQLite (each `$n` appears once, in
/// order).
fn placeholders(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_gets_question_marks_in_order() {
        assert_eq!(
            placeholders(DbBackend::Sqlite, "a = $1 AND b = $12 OR c = $2"),
            "a = ? AND b = ? OR c = ?"
        );
        assert_eq!(placeholders(DbBackend::Postgres, "a = $1"), "a = $1");
    }
}
