//! PIN checks and 2-step codes against a real database (SQLite here, PostgreSQL when
//! `DATABASE_URL` names one), with a fixed clock: lockout, concurrent guesses, code expiry,
//! checks and send limits.

mod common;

use janus_domain::ids::ClientId;
use std::sync::Arc;

use chrono::Duration;
use common::pin_world::*;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::EnrollmentStage;
use janus_domain::security::{CodeCheckOutcome, LinkPurpose, PinCheckOutcome, VerifyMethod};
use janus_domain::{AppError, Secret};
use janus_store::entity::{audit_event, client, client_pin, verification};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

#[tokio::test]
async fn five_misses_lock_pin_checks_for_fifteen_minutes() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for n in 1..=4 {
        assert_eq!(
            verify(&w, OTHER_PIN).await.unwrap(),
            PinCheckOutcome::Mismatch {
                consecutive_failures: n,
                locked_until: None,
                held_since: None
            }
        );
    }
    let until = s.clock.now() + Duration::minutes(15);
    assert_eq!(
        verify(&w, OTHER_PIN).await.unwrap(),
        PinCheckOutcome::Mismatch {
            consecutive_failures: 5,
            locked_until: Some(until),
            held_since: None
        }
    );
    // Even the right PIN is refused while locked.
    assert!(
        matches!(refused(verify(&w, GOOD_PIN).await), AppError::TooManyAttempts(m) if m.contains("locked"))
    );
    let status = s.security_status(w.client.id).await.unwrap();
    assert_eq!(status.locked_until, Some(until));
    assert!(status.verify_pin_blocked().unwrap().contains("locked"));

    w.t.clock.advance(Duration::minutes(15));
    assert_eq!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
    let locks = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("pin_locked"))
        .all(&s.db)
        .await
        .unwrap();
    assert_eq!(locks.len(), 1);
}

#[tokio::test]
async fn concurrent_guesses_never_exceed_the_limit_and_each_is_audited() {
    const GUESSES: usize = 30;
    let w = world().await;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    let store = Arc::new(w.t.store.clone());
    let tasks: Vec<_> = (0..GUESSES)
        .map(|_| {
            let (store, me) = (store.clone(), w.me.clone());
            let (id, owner) = (w.client.id, w.owner.id);
            tokio::spawn(async move {
                store
                    .verify_pin(id, owner, Secret::new(OTHER_PIN), &me)
                    .await
                    .map(|r| r.outcome)
            })
        })
        .collect();
    let mut compared = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            compared += 1;
        }
    }
    assert!(compared <= 5, "{compared} guesses were compared");
    let row = client_pin::Entity::find_by_id(w.client.id)
        .one(&w.t.store.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.locked_until.is_some());
    // Every attempt, compared or refused at the gate, left exactly one audit row.
    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(w.client.id))
        .filter(audit_event::Column::Action.eq("pin_check"))
        .count(&w.t.store.db)
        .await
        .unwrap();
    assert_eq!(audited, GUESSES as u64, "one row per guess");
}

#[tokio::test]
async fn a_match_clears_the_misses_opens_an_hour_and_is_audited() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for _ in 0..2 {
        verify(&w, OTHER_PIN).await.unwrap();
    }
    let now = s.clock.now();
    assert_eq!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
    // The three writes of a success, sent together, all landed.
    let pin = client_pin::Entity::find_by_id(w.client.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((pin.consecutive_failures, pin.locked_until), (0, None));
    let windows = verification::Entity::find()
        .filter(verification::Column::ClientId.eq(w.client.id))
        .all(&s.db)
        .await
        .unwrap();
    assert_eq!(windows.len(), 1);
    let window = &windows[0];
    assert_eq!(
        (window.method, window.staff_user_id, window.contact_id),
        (VerifyMethod::Pin, w.me.id, Some(w.owner.id)),
        "the PIN verified the person staff said was on the phone"
    );
    assert_eq!(window.contact_role, Some(ContactRole::Owner));
    assert_eq!(
        (window.verified_at, window.until),
        (now, now + Duration::hours(1))
    );
    let successes = audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(w.client.id))
        .filter(audit_event::Column::Action.eq("pin_check"))
        .filter(audit_event::Column::Outcome.eq("success"))
        .all(&s.db)
        .await
        .unwrap();
    assert_eq!(successes.len(), 1);
    assert_eq!(successes[0].staff_user_id, Some(w.me.id));
    assert_eq!(successes[0].contact_id, Some(w.owner.id));
    assert_eq!(
        successes[0].detail,
        format!(
            "PIN verified: {} (Owner) verified until {}",
            w.owner.name,
            window.until.format("%H:%M UTC")
        )
    );
    assert!(s.is_verified(w.client.id).await.unwrap());
}

#[tokio::test]
async fn a_client_that_left_the_workflow_is_refused_and_its_attempt_handed_back() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    assert!(matches!(
        verify(&w, OTHER_PIN).await.unwrap(),
        PinCheckOutcome::Mismatch {
            consecutive_failures: 1,
            ..
        }
    ));
    // Back to New Lead: the PIN stays on file but the workflow no longer applies.
    let mut back: client::ActiveModel = w.client.clone().into();
    back.stage = Set(EnrollmentStage::NewLead);
    back.update(&s.db).await.unwrap();
    for pin in [GOOD_PIN, OTHER_PIN] {
        assert_eq!(
            refused(
                s.verify_pin(w.client.id, w.owner.id, Secret::new(pin), &w.me)
                    .await
            ),
            AppError::PinNotApplicable {
                brands: "Cornerstone, PeoPayGo, Compeo and CoGuardHR".into()
            }
        );
    }
    let row = client_pin::Entity::find_by_id(w.client.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.consecutive_failures, 1,
        "the refused checks were not counted"
    );
    assert!(!s.is_verified(w.client.id).await.unwrap());
    // An unknown client is not found, whatever its PIN row would have said.
    assert!(matches!(
        refused(
            s.verify_pin(ClientId(999_999), w.owner.id, Secret::new(GOOD_PIN), &w.me)
                .await
        ),
        AppError::NotFound(_)
    ));
}

#[tokio::test]
async fn two_step_codes_verify_once_expire_and_a_new_code_voids_the_old() {
    let w = world().await;
    let s = &w.t.store;
    let id = w.client.id;
    assert!(matches!(
        refused(check_code(&w, "123456").await),
        AppError::InvalidInput { .. }
    ));

    s.send_code(id, w.other.id, &w.me).await.unwrap(); // any contact may receive a code
    s.send_code(id, w.owner.id, &w.me).await.unwrap();
    let code = sent_code(&w).await;
    let email = last_message(&w, "email", &w.owner.email).await;
    assert!(email.text_body.contains(&code));
    let status = s.security_status(id).await.unwrap();
    assert_eq!(status.code.as_ref().unwrap().contact_name, w.owner.name);

    assert_eq!(
        check_code(&w, &wrong(&code)).await.unwrap(),
        CodeCheckOutcome::Mismatch { checks_left: 4 }
    );
    assert_eq!(
        check_code(&w, &code).await.unwrap(),
        CodeCheckOutcome::Verified
    );
    assert!(s.is_verified(id).await.unwrap());
    assert!(
        refused(check_code(&w, &code).await)
            .to_string()
            .contains("No 2-step code")
    );

    // A new code voids the old one; a code expires after 10 minutes.
    s.send_code(id, w.owner.id, &w.me).await.unwrap();
    let old = sent_code(&w).await;
    s.send_code(id, w.owner.id, &w.me).await.unwrap();
    let new = sent_code(&w).await;
    if old != new {
        assert!(matches!(
            check_code(&w, &old).await.unwrap(),
            CodeCheckOutcome::Mismatch { .. }
        ));
    }
    w.t.clock.advance(Duration::minutes(10));
    assert!(
        refused(check_code(&w, &new).await)
            .to_string()
            .contains("expired")
    );
}

#[tokio::test]
async fn a_code_allows_five_checks_and_a_contact_five_sends_per_ten_minutes() {
    let w = world().await;
    let s = &w.t.store;
    let id = w.client.id;
    s.send_code(id, w.owner.id, &w.me).await.unwrap();
    let code = sent_code(&w).await;
    for left in (0..5).rev() {
        assert_eq!(
            check_code(&w, &wrong(&code)).await.unwrap(),
            CodeCheckOutcome::Mismatch { checks_left: left }
        );
    }
    assert!(matches!(
        refused(check_code(&w, &code).await),
        AppError::TooManyAttempts(_)
    ));

    for _ in 0..4 {
        w.t.clock.advance(Duration::minutes(1));
        s.send_code(id, w.owner.id, &w.me).await.unwrap();
    }
    let limit = refused(s.send_code(id, w.owner.id, &w.me).await);
    assert!(
        matches!(&limit, AppError::TooManyAttempts(m) if m.contains("5 codes")),
        "{limit:?}"
    );
    w.t.clock.advance(Duration::minutes(6));
    s.send_code(id, w.owner.id, &w.me).await.unwrap();
}
