//! The live feed on a real database: a use case's change reaches a subscriber (in this
//! process on SQLite; through PostgreSQL's LISTEN/NOTIFY, to another process's store, on
//! PostgreSQL), and migrations started together take turns.

mod common;

use std::time::Duration;

use common::pin_world::world;
use common::{another_process, fresh_postgres_database, on_postgres};
use janus_domain::dashboard::EnrollmentStage;
use janus_domain::ids::ClientId;
use janus_domain::live::{ClientChange, LiveEvent};
use janus_domain::security::LinkPurpose;
use tokio::sync::broadcast;

/// The next event about a client, skipping the others (the seed's own changes, say).
async fn next_client_event(
    events: &mut broadcast::Receiver<LiveEvent>,
) -> (ClientId, ClientChange) {
    let wait = async {
        loop {
            match events.recv().await.expect("the feed is open") {
                LiveEvent::Client { client, change, .. } => return (client, change),
                LiveEvent::Resync | LiveEvent::SessionsEnded { .. } => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), wait)
        .await
        .expect("an event within 5 s")
}

#[tokio::test]
async fn each_change_to_a_client_is_announced_with_its_kind() {
    let w = world().await;
    let store = &w.t.store;
    let mut events = store.live.subscribe().await;
    let id = w.client.id;

    store.send_code(id, w.owner.id, &w.me).await.unwrap();
    assert_eq!(
        next_client_event(&mut events).await,
        (id, ClientChange::CodeSent)
    );

    store
        .send_pin_link(id, w.owner.id, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();
    assert_eq!(
        next_client_event(&mut events).await,
        (id, ClientChange::LinkSent)
    );

    common::pin_world::set_pin(&w, LinkPurpose::Setup, "402913").await;
    // set_pin sends a fresh link first.
    assert_eq!(
        next_client_event(&mut events).await,
        (id, ClientChange::LinkSent)
    );
    assert_eq!(
        next_client_event(&mut events).await,
        (id, ClientChange::PinSet)
    );

    common::pin_world::verify(&w, "111111").await.unwrap();
    assert_eq!(
        next_client_event(&mut events).await,
        (id, ClientChange::CheckFailed)
    );
    common::pin_world::verify(&w, "402913").await.unwrap();
    assert_eq!(
        next_client_event(&mut events).await,
        (id, ClientChange::VerificationStarted)
    );

    // A delivery's outcome is a change too.
    let claimed = store.claim_messages(1).await.unwrap();
    store
        .record_attempt(&claimed[0], janus_store::outbox::Attempt::Sent)
        .await
        .unwrap();
    assert_eq!(
        next_client_event(&mut events).await,
        (claimed[0].client_id.unwrap(), ClientChange::Delivery)
    );
}

#[tokio::test]
async fn a_refused_change_is_announced_too_since_its_refusal_is_audited() {
    let w = world().await;
    let store = &w.t.store;
    let mut events = store.live.subscribe().await;
    // The PIN gate refuses moving a client without a PIN to enrolled, and audits it.
    let refused = store
        .move_stage(w.client.id, EnrollmentStage::Enrolled, "done", &w.me)
        .await;
    assert!(refused.is_err());
    assert_eq!(
        next_client_event(&mut events).await,
        (w.client.id, ClientChange::Refused)
    );
}

#[tokio::test]
async fn a_request_about_a_client_that_does_not_exist_reaches_no_screen() {
    let w = world().await;
    let store = &w.t.store;
    let mut events = store.live.subscribe().await;
    let made_up = ClientId(987_654);
    let refused = store
        .move_stage(made_up, EnrollmentStage::Enrolled, "done", &w.me)
        .await;
    assert!(refused.is_err());
    store
        .send_code(w.client.id, w.owner.id, &w.me)
        .await
        .unwrap();
    // The next event is the real change: nothing was announced for the made-up id.
    assert_eq!(
        next_client_event(&mut events).await,
        (w.client.id, ClientChange::CodeSent)
    );
}

#[tokio::test]
async fn on_postgresql_another_process_hears_of_the_change() {
    if !on_postgres() {
        return;
    }
    let w = world().await;
    let elsewhere = another_process(&w.t).await;
    let mut there = elsewhere.live.subscribe().await;
    let mut here = w.t.store.live.subscribe().await;
    w.t.store
        .send_code(w.client.id, w.owner.id, &w.me)
        .await
        .unwrap();
    // Both processes hear it, this one through PostgreSQL as well.
    assert_eq!(
        next_client_event(&mut there).await,
        (w.client.id, ClientChange::CodeSent)
    );
    assert_eq!(
        next_client_event(&mut here).await,
        (w.client.id, ClientChange::CodeSent)
    );
}

#[tokio::test]
async fn two_servers_migrating_one_new_database_together_take_turns() {
    let Some(url) = fresh_postgres_database().await else {
        // SQLite: one file, migrated from two pools at once.
        let path = std::env::temp_dir().join(format!("janus-migrate-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let url = format!("sqlite://{}?mode=rwc", path.display());
        migrate_twice_at_once(&url).await;
        let _ = std::fs::remove_file(&path);
        return;
    };
    migrate_twice_at_once(&url).await;
}

async fn migrate_twice_at_once(url: &str) {
    let settings = janus_domain::settings::DatabaseSettings {
        url: url.to_owned(),
        max_connections: 3,
    };
    let (a, b) = tokio::join!(
        janus_store::connect(&settings),
        janus_store::connect(&settings)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let (ra, rb) = tokio::join!(janus_store::migrate(&a), janus_store::migrate(&b));
    ra.expect("the first migration");
    rb.expect("the second migration");
    // And the schema is whole: a table of the last migration is there.
    use sea_orm::ConnectionTrait;
    a.execute_unprepared("SELECT count(*) FROM webauthn_ceremonies")
        .await
        .expect("the last migration's table");
}
