//! Locks on PIN checks against a real database (SQLite here, PostgreSQL when
//! `DATABASE_URL` names one): checks abandoned mid-hash, the hold after repeated lockouts,
//! and lifting it by a 2-step code or an admin.

mod common;

use chrono::Duration;
use common::pin_world::*;
use janus_domain::security::{CodeCheckOutcome, LinkPurpose, PinCheckOutcome};
use janus_domain::{AppError, Secret};
use janus_store::entity::{audit_event, client_pin};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// Starts a PIN check and abandons it once it has been counted, as a caller that goes away
/// mid-hash does: the future is dropped and never sees the comparison's result.
async fn abandon_a_check(w: &World, pin: &str) {
    use std::future::Future;
    use std::task::Poll;
    let in_flight = || async {
        client_pin::Entity::find_by_id(w.client.id)
            .one(&w.t.store.db)
            .await
            .unwrap()
            .map_or(0, |r| r.checks_in_flight)
    };
    let before = in_flight().await;
    let mut check =
        Box::pin(
            w.t.store
                .verify_pin(w.client.id, w.owner.id, Secret::new(pin), &w.me),
        );
    for _ in 0..10_000 {
        let polled = std::future::poll_fn(|cx| Poll::Ready(check.as_mut().poll(cx))).await;
        assert!(
            polled.is_pending(),
            "the check ended before it could be abandoned"
        );
        if in_flight().await > before {
            drop(check);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    panic!("the check was never counted");
}

#[tokio::test]
async fn checks_abandoned_mid_hash_stop_counting_when_their_lease_ends() {
    // A hash slow enough (tenths of a second) that a check is surely still comparing when
    // its count becomes visible: on PostgreSQL that is only once its transaction commits.
    let slow = common::test_store_with(|s| {
        s.argon2.memory_kib = 32 * 1024;
        s.argon2.iterations = 8;
    })
    .await;
    let w = world_in(slow).await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for _ in 0..5 {
        abandon_a_check(&w, OTHER_PIN).await;
    }
    // Five checks counted and never resolved: the limit's worth is taken.
    let busy = refused(verify(&w, GOOD_PIN).await);
    assert!(
        matches!(&busy, AppError::TooManyAttempts(m) if m.contains("still running")),
        "{busy:?}"
    );
    let status = s.security_status(w.client.id).await.unwrap();
    assert_eq!(status.locked_until, None, "no lock: nothing was judged");
    assert_eq!(status.consecutive_failures, 0);

    // Once no check has started for the lease's length, the abandoned ones are forgotten.
    w.t.clock
        .advance(Duration::seconds(janus_store::CHECK_LEASE_SECONDS));
    assert_eq!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
    let row = client_pin::Entity::find_by_id(w.client.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.checks_in_flight, 0, "the check that ran was resolved");
}

/// Five misses in a row: one lock window.
async fn lock_once(w: &World) {
    for _ in 0..5 {
        verify(w, OTHER_PIN).await.unwrap();
    }
}

#[tokio::test]
async fn a_third_lock_in_a_day_holds_until_a_two_step_code_succeeds() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for _ in 0..2 {
        lock_once(&w).await;
        w.t.clock.advance(Duration::minutes(15));
    }
    assert_eq!(
        s.security_status(w.client.id).await.unwrap().held_since,
        None
    );
    for _ in 0..4 {
        verify(&w, OTHER_PIN).await.unwrap();
    }
    let third = verify(&w, OTHER_PIN).await.unwrap();
    assert!(
        matches!(third, PinCheckOutcome::Mismatch { held_since: Some(t), locked_until: Some(_), .. } if t == s.clock.now()),
        "{third:?}"
    );
    // Waiting does not lift it.
    w.t.clock.advance(Duration::days(2));
    let held = refused(verify(&w, GOOD_PIN).await);
    assert!(
        matches!(&held, AppError::TooManyAttempts(m) if m.contains("3 lockouts within 24 hours")),
        "{held:?}"
    );
    let status = s.security_status(w.client.id).await.unwrap();
    assert!(status.held_since.is_some());
    assert!(status.verify_pin_blocked().unwrap().contains("2-step"));
    let holds = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("pin_lock_held"))
        .count(&s.db)
        .await
        .unwrap();
    assert_eq!(holds, 1);

    s.send_code(w.client.id, w.owner.id, &w.me).await.unwrap();
    let code = sent_code(&w).await;
    assert_eq!(
        check_code(&w, &code).await.unwrap(),
        CodeCheckOutcome::Verified
    );
    let status = s.security_status(w.client.id).await.unwrap();
    assert_eq!((status.held_since, status.locked_until), (None, None));
    assert_eq!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
}

#[tokio::test]
async fn locks_spread_over_more_than_a_day_do_not_hold() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for _ in 0..3 {
        lock_once(&w).await;
        w.t.clock.advance(Duration::hours(13));
    }
    assert_eq!(
        s.security_status(w.client.id).await.unwrap().held_since,
        None
    );
}

#[tokio::test]
async fn only_an_admin_with_a_reason_unlocks_held_pin_checks() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    let not_locked = refused(
        s.unlock_pin_checks(w.client.id, "caller confirmed", &w.me)
            .await,
    );
    assert!(
        matches!(not_locked, AppError::Forbidden(_)),
        "agents may not"
    );
    for _ in 0..3 {
        lock_once(&w).await;
        w.t.clock.advance(Duration::minutes(15));
    }
    let admin = admin(&w).await;
    assert!(matches!(
        refused(s.unlock_pin_checks(w.client.id, "  ok ", &admin).await),
        AppError::InvalidInput { field, .. } if field == "reason"
    ));
    let status = s
        .unlock_pin_checks(
            w.client.id,
            "Owner called from the number on file; confirmed by a callback.",
            &admin,
        )
        .await
        .unwrap();
    assert_eq!((status.held_since, status.locked_until), (None, None));
    let unlocked = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("pin_unlocked"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unlocked.staff_user_id, Some(admin.id));
    assert!(
        unlocked.detail.contains("confirmed by a callback"),
        "{}",
        unlocked.detail
    );
    assert_eq!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
    assert!(matches!(
        refused(
            s.unlock_pin_checks(w.client.id, "again, please", &admin)
                .await
        ),
        AppError::InvalidInput { .. }
    ));
}

#[tokio::test]
async fn an_unlock_starts_the_count_of_lock_windows_again() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for _ in 0..3 {
        lock_once(&w).await;
        w.t.clock.advance(Duration::minutes(15));
    }
    let admin = admin(&w).await;
    s.unlock_pin_checks(w.client.id, "Owner confirmed by callback.", &admin)
        .await
        .unwrap();
    w.t.clock.advance(Duration::minutes(1));
    // The next lock is a first one again, not a fourth within the day.
    lock_once(&w).await;
    let status = s.security_status(w.client.id).await.unwrap();
    assert!(status.locked_until.is_some());
    assert_eq!(status.held_since, None);
}
