//! SQLite's one writer: a connection of its own, outside sqlx's pool, that the one-call
//! write batches run on ([`super::write_atomically`], [`super::write_then_read`]).
//!
//! SQLite lets one connection write at a time, so a single connection for those batches
//! costs them no concurrency: they wait for it here, in turn, instead of on the file's
//! lock, whose busy handler sleeps a millisecond or more between tries. Kept out of the
//! pool, the connection also keeps its page cache, which SQLite empties whenever another
//! connection has written since this one last read (the pool hands its connections out in
//! turn, so each of them usually had), and it is not pinged each time it is given back, as
//! sqlx's pool does with every connection (two more thread hand-offs). docs/PERFORMANCE.md
//! has the figures.
//!
//! Other writes (sign-in, the outbox, a failed check's count) still go through the pool;
//! SQLite's lock orders them with these.

use std::sync::Arc;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm::sqlx::{self, ConnectOptions};
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::{Mutex, MutexGuard};

/// Where the write batches run: on SQLite, the writer's own connection (opened on first
/// use); on PostgreSQL, which has no such limit, ordinary transactions from the pool.
pub struct Writer {
    db: DatabaseConnection,
    sqlite: Option<OwnConnection>,
}

struct OwnConnection {
    /// The pool's own options (file, pragmas, busy timeout), so both behave alike.
    options: Arc<SqliteConnectOptions>,
    connection: Mutex<Option<SqliteConnection>>,
}

impl Writer {
    pub fn new(db: &DatabaseConnection) -> Self {
        let sqlite = (db.get_database_backend() == DbBackend::Sqlite).then(|| OwnConnection {
            options: db.get_sqlite_connection_pool().connect_options(),
            connection: Mutex::new(None),
        });
        Self {
            db: db.clone(),
            sqlite,
        }
    }

    /// The database the writer writes to, for the backends without a connection of its own.
    pub(crate) fn database(&self) -> &DatabaseConnection {
        &self.db
    }

    /// SQLite's writing connection, for one batch at a time: the next caller waits until
    /// this one is [released](Held::release) or dropped. A connection that was dropped
    /// midway was closed, so a new one is opened here.
    pub(crate) async fn hold(&self) -> Result<Held<'_>, sqlx::Error> {
        let Some(own) = &self.sqlite else {
            return Err(sqlx::Error::Configuration(
                "only SQLite has a writing connection of its own".into(),
            ));
        };
        let mut slot = own.connection.lock().await;
        if slot.is_none() {
            *slot = Some(own.options.connect().await?);
        }
        Ok(Held {
            slot,
            released: false,
        })
    }
}

/// The writing connection, held for one batch. sqlx stops a batch between two statements
/// when nobody waits for its answer any more (a request that went away), which can leave
/// its transaction open: if this is dropped before [`Self::release`], the connection is
/// closed, which rolls the transaction back, and the next batch opens a new one.
pub(crate) struct Held<'w> {
    slot: MutexGuard<'w, Option<SqliteConnection>>,
    released: bool,
}

impl Held<'_> {
    pub(crate) fn get(&mut self) -> &mut SqliteConnection {
        self.slot
            .as_mut()
            .expect("opened by `hold`, closed only when dropped")
    }

    /// Done, with no transaction left open: the next batch may use the connection.
    pub(crate) fn release(mut self) {
        self.released = true;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if !self.released {
            // Dropping the connection ends its thread, and SQLite rolls back on closing.
            self.slot.take();
        }
    }
}
