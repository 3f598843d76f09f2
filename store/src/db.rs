//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use std::time::Duration;

use janus_domain::settings::DatabaseSettings;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;

pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        // In WAL mode, NORMAL syncs at checkpoints rather than at every commit: the database
        // can never be corrupted by a crash, and a power cut loses at most the last commits.
        // FULL (the default) made every small write wait for the disk (docs/PERFORMANCE.md).
        .map_sqlx_sqlite_opts(|o| o.synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal));
    if settings.url.starts_with("sqlite:") {
        // A pooled SQLite connection is a file handle in this process: nothing can drop it
        // behind our back, so sqlx's ping before every checkout only costs a round trip to
        // the connection's thread (~0.1 ms here, as much as the statement that follows;
        // docs/PERFORMANCE.md). PostgreSQL keeps the ping: a restarted server or a proxy
        // can break an idle connection, and the ping replaces it before a request fails.
        options.test_before_acquire(false);
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers work while one writer commits; it is a property of the file, so
        // setting it once is enough. (sqlx already turns on foreign keys and a busy timeout
        // on every connection it opens.)
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
