//! The outbox on a real database (SQLite here, PostgreSQL when `DATABASE_URL` names one):
//! claims, leases, retries with backoff, final failure, expiry, and two workers racing.

mod common;

use janus_domain::ids::{ClientId, ContactId, MessageId};
use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use common::{TestStore, test_store};
use janus_domain::messages::Email;
use janus_domain::messages::MessageKind;
use janus_domain::security::DeliveryStatus;
use janus_store::entity::message;
use janus_store::mailbox::{self, Carries, Recipient};
use janus_store::outbox::{self, Attempt, MAX_ATTEMPTS};
use sea_orm::EntityTrait;

async fn queue(t: &TestStore, n: usize, deliver_within: Option<Duration>) {
    let now = t.store.clock.now();
    for i in 0..n {
        let to = Recipient {
            client_id: Some(ClientId(1)),
            contact_id: Some(ContactId(i as i32)),
            address: "ana@client.example",
            carries: Carries::Nothing,
            deliver_by: deliver_within.map(|d| now + d),
        };
        let email = Email {
            subject: format!("message {i}"),
            text: "text".into(),
            html: "<p>html</p>".into(),
        };
        mailbox::queue_email(
            &t.store.db,
            &t.store.sealer,
            now,
            MessageKind::PinChanged,
            to,
            email,
        )
        .await
        .unwrap();
    }
}

async fn status_of(t: &TestStore, id: MessageId) -> message::Model {
    message::Entity::find_by_id(id)
        .one(&t.store.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_claim_is_a_lease_and_a_sent_message_is_done() {
    let t = test_store().await;
    queue(&t, 3, None).await;
    let claimed = t.store.claim_messages(10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(claimed.iter().all(|m| m.attempts == 1));
    assert!(
        t.store.claim_messages(10).await.unwrap().is_empty(),
        "leased"
    );

    t.store
        .record_attempt(&claimed[0], Attempt::Sent)
        .await
        .unwrap();
    let sent = status_of(&t, claimed[0].id).await;
    assert_eq!(
        (sent.status, sent.sent_at),
        (DeliveryStatus::Sent, Some(t.store.clock.now()))
    );

    // A worker that died: its lease runs out and the rows come back, the sent one not.
    t.clock.advance(t.store.lease() + Duration::seconds(1));
    let again: Vec<_> = t
        .store
        .claim_messages(10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(again, [claimed[1].id, claimed[2].id]);
}

#[tokio::test]
async fn transient_errors_back_off_then_fail_and_permanent_ones_fail_at_once() {
    let t = test_store().await;
    queue(&t, 2, None).await;
    let mut claimed = t.store.claim_messages(10).await.unwrap();
    t.store
        .record_attempt(
            &claimed[1],
            Attempt::Permanent("invalid phone number".into()),
        )
        .await
        .unwrap();
    let failed = status_of(&t, claimed[1].id).await;
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.last_error.as_deref(), Some("invalid phone number"));

    let id = claimed.remove(0).id;
    for attempt in 1..=MAX_ATTEMPTS {
        let m = status_of(&t, id).await;
        t.store
            .record_attempt(&m, Attempt::Transient("connection refused".into()))
            .await
            .unwrap();
        if attempt == MAX_ATTEMPTS {
            break;
        }
        // Not due before its backoff has passed.
        t.clock
            .advance(outbox::backoff(attempt) - Duration::seconds(1));
        assert!(
            t.store.claim_messages(10).await.unwrap().is_empty(),
            "attempt {attempt}"
        );
        t.clock.advance(Duration::seconds(1));
        let due = t.store.claim_messages(10).await.unwrap();
        assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), [id]);
    }
    let given_up = status_of(&t, id).await;
    assert_eq!(given_up.status, DeliveryStatus::Failed);
    assert_eq!(given_up.attempts, MAX_ATTEMPTS);
}

#[tokio::test]
async fn a_message_whose_code_expired_is_never_sent() {
    let t = test_store().await;
    queue(&t, 1, Some(Duration::minutes(10))).await;
    t.clock.advance(Duration::minutes(10));
    assert!(t.store.claim_messages(10).await.unwrap().is_empty());
    let m = message::Entity::find()
        .one(&t.store.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.status, DeliveryStatus::Expired);
}

#[tokio::test]
async fn two_workers_racing_never_claim_the_same_message() {
    let t = test_store().await;
    queue(&t, 60, None).await;
    let store = Arc::new(t.store.clone());
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = vec![];
                loop {
                    let batch = store.claim_messages(7).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    for m in batch {
                        store.record_attempt(&m, Attempt::Sent).await.unwrap();
                        mine.push(m.id);
                    }
                }
            })
        })
        .collect();
    let mut all = vec![];
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (60, 60),
        "each message claimed exactly once"
    );
}

#[tokio::test]
async fn a_released_claim_goes_back_to_the_queue_at_once_without_counting_an_attempt() {
    let t = test_store().await;
    queue(&t, 2, None).await;
    let claimed = t.store.claim_messages(10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    // Claimed: no other worker may have them while the lease runs.
    assert!(t.store.claim_messages(10).await.unwrap().is_empty());
    t.store.release_claims(&claimed[1..]).await.unwrap();
    let again = t.store.claim_messages(10).await.unwrap();
    assert_eq!(
        again.iter().map(|m| m.id).collect::<Vec<_>>(),
        [claimed[1].id]
    );
    // The released claim's attempt was taken back; the new claim counts one.
    assert_eq!(again[0].attempts, 1);
    let kept = status_of(&t, claimed[0].id).await;
    assert!(kept.claimed_until.is_some(), "a claim not released is kept");
}

#[tokio::test]
async fn a_claim_whose_lease_ran_out_is_not_released_from_under_its_new_worker() {
    let t = test_store().await;
    queue(&t, 1, None).await;
    let first = t.store.claim_messages(10).await.unwrap();
    t.clock.advance(t.store.lease() + Duration::seconds(1));
    let second = t.store.claim_messages(10).await.unwrap();
    assert_eq!(second.len(), 1);
    // The first worker, late, releases what it once claimed.
    t.store.release_claims(&first).await.unwrap();
    let row = status_of(&t, second[0].id).await;
    assert_eq!(row.claimed_until, second[0].claimed_until);
    assert_eq!(row.attempts, 2);
}
