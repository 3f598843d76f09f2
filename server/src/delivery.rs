//! The delivery worker: claims due messages from the outbox and hands them to the
//! transports, recording each attempt. One runs in every server process; the outbox's
//! claims keep them from sending a message twice.

use std::time::Duration;

use janus_store::Store;
use janus_store::transports::Transports;

/// How long an idle worker waits before looking again.
const IDLE_POLL: Duration = Duration::from_millis(500);
/// How long it waits after the database failed, so an outage is not a busy loop.
const ERROR_PAUSE: Duration = Duration::from_secs(5);

pub async fn run(store: Store, transports: Transports) {
    loop {
        match deliver_due(&store, &transports).await {
            Ok(0) => tokio::time::sleep(IDLE_POLL).await,
            Ok(_) => {}
            Err(e) => {
                tracing::error!(%e, "delivery worker: database error; retrying shortly");
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
}

/// Delivers one batch; returns how many messages it handled.
pub async fn deliver_due(store: &Store, transports: &Transports) -> Result<usize, sea_orm::DbErr> {
    let batch = store
        .claim_messages(store.settings.outbox.batch_size())
        .await?;
    for m in &batch {
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
