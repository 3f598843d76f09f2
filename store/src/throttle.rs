//! Throttling: fixed-window counters in the database, shared by every server process.
//! One atomic upsert counts a request and returns the count, so concurrent requests can
//! never slip past the limit together. Keys (emails, addresses, link tokens) are stored as
//! SHA-256 digests only.

use chrono::{DateTime, Duration, Utc};
use janus_domain::throttle::ThrottleBucket;
use janus_domain::{AppError, Secret};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::tokens::token_digest;
use crate::{OrInternal, Store, internal};

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
    pub async fn throttle(&self, bucket: ThrottleBucket, key: &str) -> Result<(), AppError> {
        self.throttle_noting_lockout(bucket, key)
            .await
            .map_err(|(refused, _)| refused)
    }

    /// [`Self::throttle`], saying with a refusal whether it is the window's first (the
    /// moment the key became locked out), so a lockout is recorded once, not per request.
    pub(crate) async fn throttle_noting_lockout(
        &self,
        bucket: ThrottleBucket,
        key: &str,
    ) -> Result<(), (AppError, bool)> {
        let rules = &self.settings.throttle;
        let limit = bucket.limit(rules);
        let window = Duration::minutes(rules.window_minutes.into());
        let now = self.clock.now();
        let (hits, started) = self
            .count(bucket, key, now, now - window)
            .await
            .map_err(|e| (e, false))?;
        if hits <= i64::from(limit) {
            return Ok(());
        }
        let first = hits == i64::from(limit) + 1;
        tracing::warn!(?bucket, hits, "throttled");
        let wait = (started + window - now).num_seconds().max(1);
        let minutes = (wait + 59) / 60;
        let refused = AppError::TooManyAttempts(format!(
            "Too many attempts. Please wait {minutes} minute{} and try again.",
            if minutes == 1 { "" } else { "s" }
        ));
        Err((refused, first))
    }

    /// Starts the count of `key` again (a successful sign-in forgives earlier mistakes).
    pub async fn forgive(&self, bucket: ThrottleBucket, key: &str) -> Result<(), AppError> {
        let backend = self.db.get_database_backend();
        let sql = placeholders(
            backend,
            "DELETE FROM throttle_counters WHERE bucket = $1 AND key_digest = $2",
        );
        self.db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [bucket.into(), digest(key).into()],
            ))
            .await
            .or_internal()?;
        Ok(())
    }

    async fn count(
        &self,
        bucket: ThrottleBucket,
        key: &str,
        now: DateTime<Utc>,
        window_ended_before: DateTime<Utc>,
    ) -> Result<(i64, DateTime<Utc>), AppError> {
        let backend = self.db.get_database_backend();
        let values: [Value; 5] = [
            bucket.into(),
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
