//! Send limits under concurrency against a real database (SQLite here, PostgreSQL when
//! `DATABASE_URL` names one): codes per contact, links per client, and sends of both kinds
//! for one client at once.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::pin_world::*;
use janus_domain::AppError;
use janus_domain::security::LinkPurpose;
use janus_store::entity::{audit_event, pin_link, two_step_code};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// Sends `n` at once through `send`, and how many went out.
async fn sent_at_once<F, Fut>(n: usize, send: F) -> (usize, Vec<AppError>)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(send())).collect();
    let (mut sent, mut refusals) = (0, Vec::new());
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => sent += 1,
            Err(e) => refusals.push(e),
        }
    }
    (sent, refusals)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_codes_sent_at_once_to_one_contact_stop_at_the_limit() {
    let w = world().await;
    let store = Arc::new(w.t.store.clone());
    let (id, contact) = (w.client.id, w.owner.id);
    let (sent, refusals) = sent_at_once(20, || {
        let (store, me) = (store.clone(), w.me.clone());
        async move { store.send_code(id, contact, &me).await.map(|_| ()) }
    })
    .await;
    assert_eq!(sent, 5, "refused: {refusals:?}");
    assert!(
        refusals
            .iter()
            .all(|e| matches!(e, AppError::TooManyAttempts(m) if m.contains("5 codes"))),
        "{refusals:?}"
    );
    let codes = two_step_code::Entity::find()
        .filter(two_step_code::Column::ContactId.eq(contact))
        .count(&w.t.store.db)
        .await
        .unwrap();
    assert_eq!(codes, 5, "only the allowed sends left a code");
    let refused_rows = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("code_sent"))
        .filter(audit_event::Column::Detail.eq("refused: send limit reached"))
        .count(&w.t.store.db)
        .await
        .unwrap();
    assert_eq!(refused_rows, 15, "every refusal is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_links_sent_at_once_for_one_client_stop_at_the_limit() {
    let w = world().await;
    let store = Arc::new(w.t.store.clone());
    let (id, contact) = (w.client.id, w.owner.id);
    let (sent, refusals) = sent_at_once(20, || {
        let (store, me) = (store.clone(), w.me.clone());
        async move {
            store
                .send_pin_link(id, contact, LinkPurpose::Setup, &me)
                .await
                .map(|_| ())
        }
    })
    .await;
    assert_eq!(sent, 5, "refused: {refusals:?}");
    assert!(
        refusals.iter().all(|e| matches!(e, AppError::TooManyAttempts(m)
            if m.contains("5 setup or reset links were sent for this client in the last 60 minutes"))),
        "{refusals:?}"
    );
    let links = pin_link::Entity::find()
        .filter(pin_link::Column::ClientId.eq(id))
        .count(&w.t.store.db)
        .await
        .unwrap();
    assert_eq!(links, 5);
    // The window is an hour: the first link's slot frees an hour after it was sent.
    w.t.clock.advance(Duration::minutes(60));
    w.t.store
        .send_pin_link(id, contact, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn codes_and_links_sent_for_one_client_at_once_never_deadlock() {
    let w = world().await;
    let store = Arc::new(w.t.store.clone());
    let (id, owner, other) = (w.client.id, w.owner.id, w.other.id);
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let (store, me) = (store.clone(), w.me.clone());
            tokio::spawn(async move {
                match i % 3 {
                    0 => store
                        .send_pin_link(id, owner, LinkPurpose::Setup, &me)
                        .await
                        .map(|_| ()),
                    1 => store.send_code(id, owner, &me).await.map(|_| ()),
                    _ => store.send_code(id, other, &me).await.map(|_| ()),
                }
            })
        })
        .collect();
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) | Err(AppError::TooManyAttempts(_)) => {}
            Err(e) => panic!("a send failed: {e:?}"),
        }
    }
}
