//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use std::time::Duration;

use janus_domain::settings::DatabaseSettings;
use sea_orm::sea_query::Values;
use sea_orm::sqlx::Sqlite;
use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    TransactionTrait, sqlx,
};
use sea_orm_migration::MigratorTrait;
use sea_query_sqlx::SqlxValues;

use crate::migration::Migrator;

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
                // process's resident memory. At most `max_connections` × 32 MiB.
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
        });
    if settings.url.starts_with("sqlite:") {
        // A pooled SQLite connection is a file handle in this process: nothing can drop it
        // behind our back, so sqlx's ping before every checkout only costs a round trip to
        // the connection's thread (a loop of `SELECT 1` took 38–55 µs a statement without
        // it, 60–124 µs with it; docs/PERFORMANCE.md). PostgreSQL keeps the ping: a restarted server or a proxy
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

/// Runs `statements` in order as one transaction: all of them land or none.
///
/// On SQLite the whole transaction, `BEGIN` to `COMMIT`, is one call. sqlx hands each call
/// to the connection's own thread and back, and on this project's machine each hand-off
/// cost more than a small write itself (docs/PERFORMANCE.md): three writes in a transaction
/// were five hand-offs, now one. PostgreSQL cannot prepare several commands at once, so
/// there this is an ordinary transaction.
pub(crate) async fn write_atomically(
    db: &DatabaseConnection,
    statements: Vec<Statement>,
) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        let txn = db.begin().await?;
        for statement in statements {
            txn.execute_raw(statement).await?;
        }
        return txn.commit().await;
    }
    let mut sql = String::from("BEGIN IMMEDIATE;\n");
    let mut values = Vec::new();
    for statement in statements {
        sql.push_str(&statement.sql);
        sql.push_str(";\n");
        values.extend(statement.values.into_iter().flat_map(|v| v.0));
    }
    sql.push_str("COMMIT;");
    let sqlx_error = |e: sqlx::Error| DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e.into()));
    let pool = db.get_sqlite_connection_pool();
    let mut connection = ClosedIfAbandoned(Some(pool.acquire().await.map_err(sqlx_error)?));
    let ran = sqlx::query_with(sqlx::AssertSqlSafe(sql), SqlxValues(Values(values)))
        .execute(&mut **connection.get())
        .await;
    if ran.is_err() {
        end_failed_batch(connection.get()).await;
    }
    connection.release();
    ran.map(|_| ()).map_err(sqlx_error)
}

/// The connection a batch runs on. sqlx stops a batch between two statements when nobody
/// waits for its answer any more (a request that went away), which can leave its
/// transaction open: a connection dropped before [`Self::release`] is therefore closed, and
/// closing rolls back, rather than handed to the next request with the transaction open.
struct ClosedIfAbandoned(Option<PoolConnection<Sqlite>>);

impl ClosedIfAbandoned {
    fn get(&mut self) -> &mut PoolConnection<Sqlite> {
        self.0.as_mut().expect("released only once, at the end")
    }

    /// Back to the pool (or closed, if a failed batch said so).
    fn release(mut self) {
        drop(self.0.take());
    }
}

impl Drop for ClosedIfAbandoned {
    fn drop(&mut self) {
        if let Some(connection) = &mut self.0 {
            connection.close_on_drop();
        }
    }
}

/// After a batch failed, its transaction may still be open (a statement failed) or not (it
/// never began, or COMMIT failed and SQLite rolled back). The connection is reused only
/// once no transaction is open, and closed otherwise.
async fn end_failed_batch(connection: &mut PoolConnection<Sqlite>) {
    match sqlx::query("ROLLBACK").execute(&mut **connection).await {
        Ok(_) => {}
        Err(e)
            if e.as_database_error()
                .is_some_and(|e| e.message().contains("no transaction is active")) => {}
        Err(_) => connection.close_on_drop(),
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, Statement};

    use super::*;

    /// A database file of its own, with a table of notes, and a pool of two connections.
    async fn notes(name: &str) -> (DatabaseConnection, String) {
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

    fn insert(id: i32, body: Option<&str>) -> Statement {
        Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO note (id, body) VALUES (?, ?)",
            [id.into(), body.map(str::to_owned).into()],
        )
    }

    /// The notes as a connection of another pool reads them: only what was committed.
    async fn committed(url: &str) -> Vec<(i32, String)> {
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

    #[tokio::test]
    async fn a_batch_lands_whole_with_each_statements_values_in_place() {
        let (db, url) = notes("batch-lands").await;
        write_atomically(
            &db,
            vec![
                insert(1, Some("one")),
                insert(2, Some("two")),
                insert(3, Some("three")),
            ],
        )
        .await
        .unwrap();
        assert_eq!(
            committed(&url).await,
            [(1, "one".into()), (2, "two".into()), (3, "three".into())]
        );
    }

    #[tokio::test]
    async fn a_failing_statement_undoes_the_batch_and_leaves_no_transaction_open() {
        let (db, url) = notes("batch-fails").await;
        // The second breaks NOT NULL: the first must not land either.
        let failed = write_atomically(&db, vec![insert(1, Some("one")), insert(2, None)]).await;
        assert!(
            failed.unwrap_err().to_string().contains("NOT NULL"),
            "the database's reason reaches the caller"
        );
        assert_eq!(committed(&url).await, []);
        // Both pooled connections still work outside any transaction: what they write is
        // committed at once, as another pool sees.
        for id in [3, 4] {
            db.execute_raw(insert(id, Some("after"))).await.unwrap();
        }
        write_atomically(&db, vec![insert(5, Some("batch after"))])
            .await
            .unwrap();
        assert_eq!(
            committed(&url).await,
            [
                (3, "after".into()),
                (4, "after".into()),
                (5, "batch after".into())
            ]
        );
    }

    #[tokio::test]
    async fn a_batch_abandoned_midway_is_rolled_back_and_its_connection_not_reused() {
        let (db, url) = notes("batch-abandoned").await;
        // The second statement takes long enough for the caller to give up during it, and
        // sqlx then stops before COMMIT.
        let slow = Statement::from_string(
            DbBackend::Sqlite,
            "INSERT INTO note (id, body) WITH RECURSIVE n(x) AS (SELECT 10 UNION ALL \
             SELECT x + 1 FROM n WHERE x < 400000) SELECT x, 'slow' FROM n",
        );
        let batch = write_atomically(
            &db,
            vec![insert(1, Some("one")), slow, insert(2, Some("two"))],
        );
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(20), batch)
                .await
                .is_err(),
            "the batch was still running when abandoned"
        );
        // Whichever connections serve them, later writes are committed, and nothing of the
        // abandoned batch is.
        for id in [3, 4] {
            db.execute_raw(insert(id, Some("after"))).await.unwrap();
        }
        assert_eq!(
            committed(&url).await,
            [(3, "after".into()), (4, "after".into())]
        );
    }
}
