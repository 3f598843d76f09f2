//! Persistence and use cases of Janus Enrollment: everything that needs the database, a
//! hash or a random number, and nothing that knows about HTTP or HTML.
//!
//! The web layer holds one [`Store`] and calls its use cases; each returns
//! [`janus_domain::AppError`] for anything a person should read, having logged the
//! internal cause.

pub mod audit;
pub mod auth;
pub mod clients;
mod contacts;
mod db;
mod deployment;
pub mod devices;
pub mod entity;
mod hashing_pool;
pub mod live;
pub mod mailbox;
mod migration;
pub mod outbox;
mod own_account;
pub mod passwords;
pub mod sealing;
mod security;
pub mod seed;
pub mod seed_scale;
pub mod setup_form;
pub mod sign_in;
pub mod sign_in_audit;
pub mod staff_admin;
pub mod staff_factors;
mod staff_notices;
mod staff_sessions;
mod stages;
pub mod templates;
pub mod throttle;
mod tokens;
pub mod transports;
mod workflows;

use std::sync::Arc;

use janus_domain::settings::Settings;
use janus_domain::{AppError, Clock};
use sea_orm::DatabaseConnection;

use db::Writer;
pub use db::{connect, migrate};
pub use passwords::SecretHasher;
pub use security::CHECK_LEASE_SECONDS;

/// Everything a use case needs: the database, the settings, the clock and the hasher.
/// Cheap to clone; one is built at start-up and shared by every request.
#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    /// Where the batches that write run: on SQLite, a connection of its own (`db/writer.rs`)
    /// to the same database as `db`. Private, so that only [`Store::new`] builds a store
    /// and the two cannot point at different databases.
    writer: Arc<Writer>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub hasher: Arc<SecretHasher>,
    /// The message templates, loaded and checked at start-up.
    pub templates: Arc<janus_domain::messages::MessageTemplates>,
    /// Seals outbox message bodies at rest.
    pub sealer: Arc<sealing::Sealer>,
    /// Tells staff screens, in this process and the others on the same database, what
    /// changed.
    pub live: Arc<live::LiveFeed>,
}

impl Store {
    /// Assembles the store around an open, migrated database. On SQLite the write batches'
    /// own connection is opened to the same database, on first use.
    pub fn new(
        db: DatabaseConnection,
        settings: Settings,
        clock: Arc<dyn Clock>,
        hasher: SecretHasher,
        templates: janus_domain::messages::MessageTemplates,
        sealer: sealing::Sealer,
    ) -> Self {
        Self {
            writer: Arc::new(Writer::new(&db)),
            live: live::LiveFeed::for_database(&db, &settings.database.url),
            db,
            settings: Arc::new(settings),
            clock,
            hasher: Arc::new(hasher),
            templates: Arc::new(templates),
            sealer: Arc::new(sealer),
        }
    }
}

/// The clock of the real world.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Logs an internal failure with its cause and returns the message people see instead.
/// A database that cannot be reached is told apart ([`AppError::Unavailable`], 503): it is
/// not a fault of this request, and the same request succeeds once the database is back.
#[track_caller]
pub(crate) fn internal<E: std::fmt::Display + 'static>(err: E) -> AppError {
    internal_at(err, std::panic::Location::caller())
}

/// `result.or_internal()`: [`internal`] for a failed result, logged with the caller's file
/// and line. (`map_err(internal)` would log the standard library's closure call instead:
/// `#[track_caller]` does not reach through a function passed as a value.)
pub(crate) trait OrInternal<T> {
    fn or_internal(self) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display + 'static> OrInternal<T> for Result<T, E> {
    #[track_caller]
    fn or_internal(self) -> Result<T, AppError> {
        let at = std::panic::Location::caller();
        self.map_err(|err| internal_at(err, at))
    }
}

fn internal_at<E: std::fmt::Display + 'static>(
    err: E,
    at: &'static std::panic::Location<'static>,
) -> AppError {
    let any: &dyn std::any::Any = &err;
    let unreachable = any
        .downcast_ref::<sea_orm::DbErr>()
        .is_some_and(db_unreachable)
        || matches!(
            any.downcast_ref::<sea_orm::TransactionError<sea_orm::DbErr>>(),
            Some(sea_orm::TransactionError::Connection(e)) if db_unreachable(e)
        );
    if unreachable {
        tracing::warn!(%err, file = at.file(), line = at.line(), "database unreachable");
        return AppError::Unavailable;
    }
    tracing::error!(%err, file = at.file(), line = at.line(), "internal error");
    AppError::Internal
}

/// Whether a database error means "cannot talk to the database" rather than "this query
/// is wrong": no connection to be had, a connection lost, or the server shutting down
/// (PostgreSQL SQLSTATE classes 08 and 57P).
fn db_unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        // No connection could be had or opened, whatever the reason the handshake failed.
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
                Sqlx::Database(db) => db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
                _ => false,
            }
        }
        _ => false,
    }
}
