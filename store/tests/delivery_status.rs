//! What the Security Verification modal shows about delivery, against a real database
//! (SQLite here, PostgreSQL when `DATABASE_URL` names one): each message of the current
//! link or code with its status, and contacts whose addresses cannot receive messages.

mod common;

use common::pin_world::*;
use janus_domain::AppError;
use janus_domain::messages::Channel;
use janus_domain::security::{DeliveryStatus, DeliveryView, LinkPurpose};
use janus_store::entity::{contact, message, pin_link, two_step_code};
use janus_store::outbox::Attempt;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};

fn summary(d: &[DeliveryView]) -> Vec<(&str, DeliveryStatus)> {
    d.iter().map(|d| (d.channel.label(), d.status)).collect()
}

async fn counts(w: &World) -> (u64, u64, u64) {
    let db = &w.t.store.db;
    (
        message::Entity::find().count(db).await.unwrap(),
        pin_link::Entity::find().count(db).await.unwrap(),
        two_step_code::Entity::find().count(db).await.unwrap(),
    )
}

#[tokio::test]
async fn each_message_of_the_current_link_and_code_shows_its_status() {
    let w = world().await;
    let s = &w.t.store;
    let id = w.client.id;

    s.send_pin_link(id, w.owner.id, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();
    let link = s.security_status(id).await.unwrap().link.unwrap();
    assert_eq!(
        summary(&link.deliveries),
        [
            ("Email", DeliveryStatus::Queued),
            ("SMS", DeliveryStatus::Queued)
        ]
    );
    let email = &link.deliveries[0];
    assert!(email.destination.contains('•') && email.destination.contains('@'));
    assert_ne!(email.destination, w.owner.email, "the address is masked");
    let mobile = w.owner.mobile_phone.as_deref().unwrap();
    assert_eq!(
        link.deliveries[1].destination,
        format!("•••• {}", &mobile[mobile.len() - 4..])
    );

    // The worker sends the email; the provider refuses the SMS for good.
    for m in s.claim_messages(10).await.unwrap() {
        let attempt = match m.channel {
            Channel::Email => Attempt::Sent,
            Channel::Sms => Attempt::Permanent("invalid phone number".into()),
        };
        s.record_attempt(&m, attempt).await.unwrap();
    }
    let link = s.security_status(id).await.unwrap().link.unwrap();
    assert_eq!(
        summary(&link.deliveries),
        [
            ("Email", DeliveryStatus::Sent),
            ("SMS", DeliveryStatus::Failed)
        ]
    );
    assert_eq!(
        link.deliveries[1].error.as_deref(),
        Some("invalid phone number")
    );

    // A transient error leaves the message queued, with the reason shown.
    s.send_code(id, w.owner.id, &w.me).await.unwrap();
    for m in s.claim_messages(10).await.unwrap() {
        s.record_attempt(&m, Attempt::Transient("connection refused".into()))
            .await
            .unwrap();
    }
    let code = s.security_status(id).await.unwrap().code.unwrap();
    assert_eq!(
        summary(&code.deliveries),
        [
            ("Email", DeliveryStatus::Queued),
            ("SMS", DeliveryStatus::Queued)
        ]
    );
    assert!(
        code.deliveries
            .iter()
            .all(|d| d.attempts == 1 && d.error.as_deref() == Some("connection refused"))
    );

    // A new link replaces the old one, and only its own messages are listed.
    s.send_pin_link(id, w.owner.id, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();
    let link = s.security_status(id).await.unwrap().link.unwrap();
    assert_eq!(
        summary(&link.deliveries),
        [
            ("Email", DeliveryStatus::Queued),
            ("SMS", DeliveryStatus::Queued)
        ]
    );
}

#[tokio::test]
async fn addresses_that_cannot_receive_messages_are_refused_before_anything_is_queued() {
    let w = world().await;
    let s = &w.t.store;
    let id = w.client.id;
    let before = counts(&w).await;

    let mut bad_email: contact::ActiveModel = w.owner.clone().into();
    bad_email.email = Set("ana.lopez@".into());
    bad_email.update(&s.db).await.unwrap();
    for result in [
        s.send_pin_link(id, w.owner.id, LinkPurpose::Setup, &w.me)
            .await
            .map(drop),
        s.send_code(id, w.owner.id, &w.me).await.map(drop),
    ] {
        let AppError::InvalidInput { field, message } = refused(result) else {
            panic!("expected InvalidInput");
        };
        assert_eq!(field, "contact");
        assert!(
            message.contains("email address \"ana.lopez@\""),
            "{message}"
        );
    }

    let mut bad_mobile: contact::ActiveModel = w.owner.clone().into();
    bad_mobile.email = Set(w.owner.email.clone());
    bad_mobile.mobile_phone = Set(Some("555-0100".into()));
    bad_mobile.update(&s.db).await.unwrap();
    let AppError::InvalidInput { message, .. } = refused(s.send_code(id, w.owner.id, &w.me).await)
    else {
        panic!("expected InvalidInput");
    };
    assert!(message.contains("mobile number \"555-0100\""), "{message}");
    assert_eq!(counts(&w).await, before, "nothing was created or queued");

    // No mobile number at all: email only, and the modal can say so.
    let mut no_mobile: contact::ActiveModel = w.owner.clone().into();
    no_mobile.mobile_phone = Set(None);
    no_mobile.update(&s.db).await.unwrap();
    s.send_pin_link(id, w.owner.id, LinkPurpose::Setup, &w.me)
        .await
        .unwrap();
    let link = s.security_status(id).await.unwrap().link.unwrap();
    assert_eq!(
        summary(&link.deliveries),
        [("Email", DeliveryStatus::Queued)]
    );
}

#[tokio::test]
async fn message_bodies_are_sealed_at_rest_and_open_for_delivery() {
    let w = world().await;
    let s = &w.t.store;
    let token = send_link(&w, LinkPurpose::Setup).await;
    s.send_code(w.client.id, w.owner.id, &w.me).await.unwrap();
    let code = {
        let sms = last_message(&w, "sms", w.owner.mobile_phone.as_deref().unwrap()).await;
        let at = sms.text_body.find("code is ").unwrap() + 8;
        sms.text_body[at..at + 6].to_owned()
    };
    // In the database: no row holds the link or the code.
    for row in message::Entity::find().all(&s.db).await.unwrap() {
        for stored in std::iter::once(&row.text_body).chain(row.html_body.as_ref()) {
            assert!(
                stored.starts_with(&format!("sealed:v2:{}:", s.sealer.key_id())),
                "{stored}"
            );
            assert!(!stored.contains(token.expose()) && !stored.contains(&code));
        }
    }
    // The worker gets them open.
    let claimed = s.claim_messages(10).await.unwrap();
    assert_eq!(claimed.len(), 4);
    assert!(claimed.iter().any(|m| m.text_body.contains(token.expose())));
    assert!(claimed.iter().any(|m| m.text_body.contains(&code)));
    assert!(
        claimed
            .iter()
            .filter_map(|m| m.html_body.as_ref())
            .any(|h| h.contains(token.expose()))
    );
}
