//! *Prove it's us* (SQLite here, PostgreSQL when `DATABASE_URL` names one): the contact's
//! email and mobile on file get the words staff read aloud, limited like codes, refused to
//! an address still cooling off, and audited without the words.

mod common;

use common::pin_world::*;
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_store::entity::audit_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn proof_events(w: &World) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(w.client.id))
        .filter(audit_event::Column::Action.eq(AuditAction::ProveItsUs))
        .order_by_asc(audit_event::Column::Id)
        .all(&w.t.store.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_contact_receives_the_words_staff_read_aloud() {
    let w = world().await;
    let s = &w.t.store;
    let sent = s
        .prove_its_us(w.client.id, w.owner.id, &w.me)
        .await
        .unwrap();
    let words: Vec<&str> = sent.words.split(' ').collect();
    assert_eq!(words.len(), 3, "{}", sent.words);
    assert_eq!(sent.contact_name, w.owner.name);
    assert_eq!(sent.channels, "email and SMS");
    let email = last_message(&w, "email", &w.owner.email).await;
    assert!(
        email.text_body.contains(&format!(
            "{} from Compeo is on the phone with you now and will read you the words: {}",
            w.me.name, sent.words
        )),
        "{}",
        email.text_body
    );
    let sms = last_message(&w, "sms", w.owner.mobile_phone.as_deref().unwrap()).await;
    assert!(sms.text_body.contains(&sent.words), "{}", sms.text_body);
    let [entry] = proof_events(&w).await.try_into().unwrap();
    assert_eq!(entry.outcome, AuditOutcome::Success);
    assert_eq!(entry.staff_user_id, Some(w.me.id));
    assert!(
        !entry.detail.contains(&sent.words),
        "the audit never holds the words"
    );
    // Each time, fresh words.
    let again = s
        .prove_its_us(w.client.id, w.owner.id, &w.me)
        .await
        .unwrap();
    let third = s
        .prove_its_us(w.client.id, w.owner.id, &w.me)
        .await
        .unwrap();
    assert!(
        sent.words != again.words || again.words != third.words,
        "three sends drew the same words"
    );
}

#[tokio::test]
async fn proofs_to_one_contact_are_limited_like_codes() {
    let w = world().await;
    let s = &w.t.store;
    for _ in 0..s.settings.prove_its_us.max_sends {
        s.prove_its_us(w.client.id, w.other.id, &w.me)
            .await
            .unwrap();
    }
    let refusal = refused(s.prove_its_us(w.client.id, w.other.id, &w.me).await);
    assert!(
        matches!(&refusal, AppError::TooManyAttempts(m) if m.starts_with("Prove it's us was sent to this contact 5 times in the last 10 minutes")),
        "{refusal:?}"
    );
    assert_eq!(
        proof_events(&w).await.pop().unwrap().outcome,
        AuditOutcome::Failure
    );
    // Another contact has a limit of its own.
    s.prove_its_us(w.client.id, w.owner.id, &w.me)
        .await
        .unwrap();
}

#[tokio::test]
async fn no_words_go_to_an_address_still_cooling_off() {
    let w = world().await;
    let s = &w.t.store;
    let boss = admin(&w).await;
    let draft = owner_with_email(&w, "someone.else@example.net");
    s.edit_contact(
        w.client.id,
        w.owner.id,
        draft,
        "owner asked by letter",
        &boss,
    )
    .await
    .unwrap();
    assert!(matches!(
        refused(s.prove_its_us(w.client.id, w.owner.id, &w.me).await),
        AppError::InvalidInput { message, .. } if message.contains("changed recently")
    ));
}
