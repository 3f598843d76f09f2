//! The live feed: how a change made in one request reaches every staff screen that shows
//! the client, in this process and in every other one serving the same database.
//!
//! Each process fans events out to its own open streams through one in-memory broadcast
//! channel. Where the events come from depends on the database:
//! - **SQLite** serves one process, so a published event goes straight into the channel.
//! - **PostgreSQL** may have several processes: a published event is a `NOTIFY` on the
//!   [`CHANNEL`], and each process has one connection that `LISTEN`s and feeds its channel
//!   (its own events included, so both databases take the same path through the fan-out).
//!   PostgreSQL delivers a notification only after the publishing statement commits, and we
//!   publish after the change's own transaction, so a screen never reads a state older than
//!   the event it heard.
//!
//! Events are hints (which client, what kind of change); a lost one costs a fresh read
//! (see `janus_domain::live`). So a stream that falls behind, and a listener that lost its
//! connection, send [`LiveEvent::Resync`] rather than trying to replay.

use std::sync::Arc;
use std::time::Duration;

use janus_domain::ids::{ClientId, StaffId};
use janus_domain::live::{ClientChange, LiveEvent};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::sync::{OnceCell, broadcast, watch};

use crate::Store;

/// The PostgreSQL notification channel the processes share.
pub const CHANNEL: &str = "janus_live";

/// Events a stream may fall behind by before it is told to resync. A burst of changes to
/// many clients (a campaign) is thousands of events in a second; 1,024 × 24 bytes is
/// 24 KiB per process, shared by every stream.
const FAN_OUT_CAPACITY: usize = 1024;

/// How long a listener that lost PostgreSQL waits before connecting again.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// One per process (inside the [`Store`]), shared by every request and stream.
pub struct LiveFeed {
    fan_out: broadcast::Sender<LiveEvent>,
    /// Set when the server shuts down: every stream ends (`closing`).
    closing: watch::Sender<bool>,
    source: Source,
}

enum Source {
    InProcess,
    Postgres {
        url: String,
        /// The listening task, started by the first subscriber.
        listening: OnceCell<()>,
    },
}

impl LiveFeed {
    /// A feed for the database at `url`: PostgreSQL's notifications there, otherwise
    /// this process alone.
    pub fn for_database(db: &DatabaseConnection, url: &str) -> Arc<Self> {
        let source = match db.get_database_backend() {
            DbBackend::Postgres => Source::Postgres {
                url: url.to_owned(),
                listening: OnceCell::new(),
            },
            _ => Source::InProcess,
        };
        Arc::new(Self {
            fan_out: broadcast::channel(FAN_OUT_CAPACITY).0,
            closing: watch::channel(false).0,
            source,
        })
    }

    /// A receiver of every event from now on. On PostgreSQL, the first call starts this
    /// process's listener and returns once it listens, so nothing published after this
    /// returns is missed.
    pub async fn subscribe(self: &Arc<Self>) -> broadcast::Receiver<LiveEvent> {
        let receiver = self.fan_out.subscribe();
        if let Source::Postgres { url, listening } = &self.source {
            listening
                .get_or_init(|| async {
                    let (ready, first_listen) = tokio::sync::oneshot::channel();
                    tokio::spawn(listen(Arc::downgrade(self), url.clone(), ready));
                    // A database that cannot be reached now is retried by the task; the
                    // stream opens all the same and is told to resync once it listens.
                    let _ = tokio::time::timeout(Duration::from_secs(5), first_listen).await;
                })
                .await;
        }
        receiver
    }

    /// Ends every stream (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// How many streams this process has open (for the benchmark and the logs).
    pub fn open_streams(&self) -> usize {
        self.fan_out.receiver_count()
    }

    async fn publish(&self, db: &DatabaseConnection, event: LiveEvent) {
        match &self.source {
            Source::InProcess => {
                // No receiver is not an error: nobody is watching.
                let _ = self.fan_out.send(event);
            }
            Source::Postgres { .. } => {
                let payload = match serde_json::to_string(&event) {
                    Ok(p) => p,
                    Err(e) => return tracing::error!(%e, "live event not encoded"),
                };
                let notify = Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), payload.into()],
                );
                // The change itself is committed; a notification that cannot go out leaves
                // the other screens a change behind until their next resync, which is
                // worth a warning and not worth failing the request that made the change.
                if let Err(e) = db.execute_raw(notify).await {
                    tracing::warn!(%e, ?event, "live event not published");
                }
            }
        }
    }
}

/// This process's `LISTEN` connection, for as long as the feed exists: each notification
/// goes into the fan-out, and a lost connection is followed by a resync once it is back.
async fn listen(
    feed: std::sync::Weak<LiveFeed>,
    url: String,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    loop {
        let listener = async {
            let mut listener = PgListener::connect(&url).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = match listener.await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(%e, "live feed: cannot listen on PostgreSQL; retrying");
                tokio::time::sleep(RECONNECT_PAUSE).await;
                if feed.strong_count() == 0 {
                    return;
                }
                continue;
            }
        };
        // The first subscriber waits for the first `LISTEN`, up to a point; one that
        // stopped waiting (or a gap after a lost connection) may have missed events.
        let waited = ready.take().is_some_and(|ready| ready.send(()).is_ok());
        if !waited {
            let Some(feed) = feed.upgrade() else { return };
            let _ = feed.fan_out.send(LiveEvent::Resync);
        }
        loop {
            let received = listener.try_recv().await;
            let Some(feed) = feed.upgrade() else { return };
            match received {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<LiveEvent>(notification.payload()) {
                        Ok(event) => {
                            let _ = feed.fan_out.send(event);
                        }
                        Err(e) => tracing::warn!(%e, "live feed: a notification not ours"),
                    }
                }
                // Reconnected inside `try_recv`: events may have been missed.
                Ok(None) => {
                    let _ = feed.fan_out.send(LiveEvent::Resync);
                }
                Err(e) => {
                    tracing::warn!(%e, "live feed: lost PostgreSQL; listening again");
                    break;
                }
            }
        }
        tokio::time::sleep(RECONNECT_PAUSE).await;
    }
}

impl Store {
    /// Tells every staff screen that `client` changed. Called after the change commits.
    pub(crate) async fn announce(&self, client: ClientId, change: ClientChange) {
        self.live
            .publish(
                &self.db,
                LiveEvent::client(client, change, self.clock.now()),
            )
            .await;
    }

    /// Tells every open stream of `staff` to check whether its session still stands.
    pub(crate) async fn announce_sessions_ended(&self, staff: StaffId) {
        self.live
            .publish(&self.db, LiveEvent::SessionsEnded { staff })
            .await;
    }
}

impl Store {
    /// Hands back a use case's `result` after announcing what it did to `client`: the
    /// change `done` names, or, for an error, what it may have left behind.
    pub(crate) async fn announced<T>(
        &self,
        client: ClientId,
        result: Result<T, janus_domain::AppError>,
        done: impl FnOnce(&T) -> ClientChange,
    ) -> Result<T, janus_domain::AppError> {
        use janus_domain::AppError;
        let change = match &result {
            Ok(value) => Some(done(value)),
            // No such client (or contact), or nobody signed in: nobody shows it, and a
            // made-up id must not reach every screen.
            Err(
                AppError::NotFound(_) | AppError::Unauthenticated | AppError::SignInUnfinished(_),
            ) => None,
            // Failed part-way: the change may have committed before a read that followed it
            // failed, so every screen showing the client reads it all again.
            Err(AppError::Internal | AppError::Unavailable | AppError::Unreachable) => {
                Some(ClientChange::Unsettled)
            }
            // A refusal: most are audited, and a screen that reads its activity list for
            // nothing costs less than one left behind.
            Err(_) => Some(ClientChange::Refused),
        };
        if let Some(change) = change {
            self.announce(client, change).await;
        }
        result
    }
}
