//! Persistence and use cases of Janus Enrollment: everything that needs the database, a
//! hash or a random number, and nothing that knows about HTTP or HTML.
//!
//! The web layer holds one [`Store`] and calls its use cases; each returns
//! [`janus_domain::AppError`] for anything a person should read, having logged the
//! internal cause.

pub mod audit;
pub mod auth;
pub mod clients;
mod db;
pub mod entity;
mod migration;
pub mod passwords;
pub mod seed;
mod workflows;

use std::sync::Arc;

use janus_domain::settings::Settings;
use janus_domain::{AppError, Clock};
use sea_orm::DatabaseConnection;

pub use db::{connect, migrate};
pub use passwords::SecretHasher;

/// Everything a use case needs: the database, the settings, the clock and the hasher.
/// Cheap to clone; one is built at start-up and shared by every request.
#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub hasher: Arc<SecretHasher>,
}

/// The clock of the real world.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
}

/// Logs an internal failure with its cause and returns the message people see instead.
#[track_caller]
pub(crate) fn internal(err: impl std::fmt::Display) -> AppError {
    let at = std::panic::Location::caller();
    tracing::error!(%err, file = at.file(), line = at.line(), "internal error");
    AppError::Internal
}
