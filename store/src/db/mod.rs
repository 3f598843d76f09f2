//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use std::time::Duration;

use janus_domain::settings::DatabaseSettings;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;

mod batch;
mod writer;

pub(crate) use batch::{read_together, write_atomically, write_then_read};
pub use writer::Writer;

/// How much of a SQLite database file each connection keeps in memory, in KiB (32 MiB).
const SQLITE_CACHE_KIB: i64 = 32 * 1024;

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
        .map_sqlx_sqlite_opts(|o| {
            o.synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                // Each connection keeps up to 32 MiB of the file's pages (SQLite's default is
                // 2 MiB): at 100,000 clients the dashboard otherwise copied most pages in
                // through a read() call on every request, and served about 400 rather than
                // 450 requests a second (docs/PERFORMANCE.md). A memory map was about as
                // fast but counted the shared file pages once per connection in the
                // process's resident memory. At most `max_connections` × 32 MiB, and as much
                // for the write batches' own connection (`writer.rs`), which shares these
                // options.
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
        });
    if settings.url.starts_with("sqlite:") {
        // A pooled SQLite connection is a file handle in this process: nothing can drop it
        // behind our back, so sqlx's ping before every checkout only costs a round trip to
        // the connection's thread (a loop of `SELECT 1` took 38–55 µs a statement without
        // it, 60–124 µs with it; docs/PERFORMANCE.md). PostgreSQL keeps the ping: a
        // restarted server or a proxy can break an idle connection, and the ping replaces
        // it before a request fails.
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

/// A transaction that will write. On SQLite it takes the write lock at `BEGIN` (IMMEDIATE,
/// waiting out the busy timeout if another connection writes): a deferred transaction
/// that reads first cannot take the lock later if another connection committed in between
/// (`SQLITE_BUSY_SNAPSHOT`, which no timeout waits out), and the write batches commit from
/// a connection of their own (`writer.rs`). Other databases ignore the mode.
pub(crate) async fn begin_writing(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Which advisory lock the migrations take on PostgreSQL (any number that no other
/// program using the database picks; this one is "janus" in ASCII).
const MIGRATION_LOCK: i64 = 0x006a_616e_7573;

/// Brings the schema up to date, all pending migrations in one transaction that holds a
/// lock while it runs: two servers started together take turns, and the second finds
/// nothing left to do rather than racing the first to create the same tables. On
/// PostgreSQL the lock is a transaction-scoped advisory lock; SQLite's IMMEDIATE
/// transaction holds the file's write lock. Either database undoes the whole upgrade if
/// one migration fails.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = begin_writing(db).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [MIGRATION_LOCK.into()],
        ))
        .await?;
    }
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, Statement, TransactionTrait};

    use super::*;

    /// A database file of its own, with a table of notes, and a pool of two connections.
    pub(super) async fn notes(name: &str) -> (DatabaseConnection, String) {
        let path = std::env::temp_dir().join(format!("janus-{name}-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let url = format!("sqlite:{}?mode=rwc", path.display());
        let settings = DatabaseSettings {
            url: url.clone(),
            max_connections: 2,
        };
        let db = connect(&settings).await.unwrap();
        db.execute_unprepared("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .await
            .unwrap();
        (db, url)
    }

    pub(super) fn insert(id: i32, body: Option<&str>) -> Statement {
        Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO note (id, body) VALUES (?, ?)",
            [id.into(), body.map(str::to_owned).into()],
        )
    }

    /// The notes as a connection of another pool reads them: only what was committed.
    pub(super) async fn committed(url: &str) -> Vec<(i32, String)> {
        let other = Database::connect(url).await.unwrap();
        let rows = other
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT id, body FROM note ORDER BY id",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| (r.try_get("", "id").unwrap(), r.try_get("", "body").unwrap()))
            .collect()
    }

    #[tokio::test]
    async fn sqlite_connections_keep_32_mib_of_pages() {
        let (db, _) = notes("cache").await;
        // Every connection of the pool, each asked in turn while the others are held.
        let (a, b) = (db.begin().await.unwrap(), db.begin().await.unwrap());
        for connection in [&a, &b] {
            let row = connection
                .query_one_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "PRAGMA cache_size",
                ))
                .await
                .unwrap()
                .unwrap();
            let size: i64 = row.try_get_by_index(0).unwrap();
            // Negative: a size in KiB rather than in pages.
            assert_eq!(size, -SQLITE_CACHE_KIB);
        }
    }
}
