//! The delivery worker: claims due messages from the outbox and hands them to the
//! transports, recording each attempt. One runs in every server process; the outbox's
//! claims keep them from sending a message twice.
//!
//! It runs under [`supervise`], which restarts it after a panic (a worker silently gone
//! would leave every code and link queued), and it stops between two messages when told
//! to: the message being sent is finished, and the rest of its batch goes back to the
//! queue at once rather than when the claim's lease runs out.

use std::time::Duration;

use janus_store::Store;
use janus_store::transports::Transports;
use tokio::sync::watch;

/// How long an idle worker waits before looking again.
const IDLE_POLL: Duration = Duration::from_millis(500);
/// How long it waits after the database failed, so an outage is not a busy loop.
const ERROR_PAUSE: Duration = Duration::from_secs(5);
/// How long a worker that panicked waits before it starts again, so a message that makes
/// it panic every time costs a log line a second rather than a busy loop. (The message's
/// claim lapses after `outbox.lease_seconds` and its attempts are counted, so it ends as
/// failed after `MAX_ATTEMPTS`.)
const RESTART_PAUSE: Duration = Duration::from_secs(1);

/// Runs the worker until `stop` turns true, starting it again whenever it panics.
pub async fn supervise(store: Store, transports: Transports, stop: watch::Receiver<bool>) {
    let worker_stop = stop.clone();
    keep_running(stop, move || {
        run(store.clone(), transports.clone(), worker_stop.clone())
    })
    .await;
}

/// Runs what `start` makes on its own task, and again whenever it panics, until it returns
/// or `stop` turns true; returns how many times it was started again.
async fn keep_running<F, W>(mut stop: watch::Receiver<bool>, start: F) -> u32
where
    F: Fn() -> W,
    W: std::future::Future<Output = ()> + Send + 'static,
{
    let mut restarts = 0u32;
    loop {
        match tokio::spawn(start()).await {
            Ok(()) => return restarts,
            Err(e) if e.is_panic() => {
                restarts += 1;
                tracing::error!(restarts, "delivery worker panicked; starting it again");
                tokio::select! {
                    () = tokio::time::sleep(RESTART_PAUSE) => {}
                    _ = stop.wait_for(|stop| *stop) => return restarts,
                }
            }
            Err(_) => return restarts,
        }
    }
}

/// The worker itself; returns once `stop` is true.
pub async fn run(store: Store, transports: Transports, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        let pause = match deliver_until(&store, &transports, &stop).await {
            Ok(0) => IDLE_POLL,
            Ok(_) => continue,
            Err(e) => {
                tracing::error!(%e, "delivery worker: database error; retrying shortly");
                ERROR_PAUSE
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = stop.wait_for(|stop| *stop) => {}
        }
    }
    tracing::info!("delivery worker stopped");
}

/// Delivers one batch; returns how many messages it handled.
pub async fn deliver_due(store: &Store, transports: &Transports) -> Result<usize, sea_orm::DbErr> {
    deliver_until(store, transports, &watch::channel(false).1).await
}

/// [`deliver_due`], stopping between two messages once `stop` is true: the messages not
/// begun are released for another worker.
async fn deliver_until(
    store: &Store,
    transports: &Transports,
    stop: &watch::Receiver<bool>,
) -> Result<usize, sea_orm::DbErr> {
    let batch = store
        .claim_messages(store.settings.outbox.batch_size())
        .await?;
    for (done, m) in batch.iter().enumerate() {
        if *stop.borrow() {
            store.release_claims(&batch[done..]).await?;
            tracing::info!(
                released = batch.len() - done,
                "delivery worker: queued messages released for another worker"
            );
            return Ok(done);
        }
        let attempt = transports.deliver(m, store.clock.now()).await;
        if let janus_store::outbox::Attempt::Transient(why)
        | janus_store::outbox::Attempt::Permanent(why) = &attempt
        {
            tracing::warn!(message = %m.id, channel = ?m.channel, attempt = m.attempts, %why, "delivery failed");
        }
        store.record_attempt(m, attempt).await?;
    }
    Ok(batch.len())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_worker_that_panics_is_started_again_until_it_ends() {
        let starts = Arc::new(AtomicU32::new(0));
        let (_stop, stopping) = watch::channel(false);
        let counted = starts.clone();
        let restarts = keep_running(stopping, move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                assert!(n >= 2, "a worker's bug, on its start number {n}");
            }
        })
        .await;
        assert_eq!(restarts, 2);
        assert_eq!(starts.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_stop_during_the_pause_after_a_panic_ends_the_supervision() {
        let (stop, stopping) = watch::channel(false);
        let supervision = tokio::spawn(keep_running(stopping, || async {
            panic!("always");
        }));
        tokio::task::yield_now().await;
        stop.send_replace(true);
        let restarts = supervision.await.unwrap();
        assert_eq!(restarts, 1);
    }
}
