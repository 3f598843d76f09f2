//! PIN checks and 2-step codes against a real database (SQLite here, PostgreSQL when
//! `DATABASE_URL` names one), with a fixed clock: lockout, concurrent guesses, code expiry,
//! checks and send limits.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::pin_world::*;
use janus_domain::security::{CodeCheckOutcome, LinkPurpose, PinCheckOutcome};
use janus_domain::{AppError, Secret};
use janus_store::entity::{audit_event, client, client_pin, pin_link, two_step_code, verification};
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
            let id = w.client.id;
            tokio::spawn(async move {
                store
                    .verify_pin(id, Secret::new(OTHER_PIN), &me)
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
        (
            window.method.as_str(),
            window.staff_user_id,
            window.contact_id
        ),
        ("pin", w.me.id, None)
    );
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
    assert_eq!(
        successes[0].detail,
        format!(
            "PIN verified; verified until {}",
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
    // Enrolment finished: the PIN stays on file but the workflow no longer applies.
    let mut done: client::ActiveModel = w.client.clone().into();
    done.stage = Set("enrolled".into());
    done.update(&s.db).await.unwrap();
    for pin in [GOOD_PIN, OTHER_PIN] {
        assert_eq!(
            refused(s.verify_pin(w.client.id, Secret::new(pin), &w.me).await),
            AppError::PinNotApplicable
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
        refused(s.verify_pin(999_999, Secret::new(GOOD_PIN), &w.me).await),
        AppError::NotFound(_)
    ));
}

/// The code in the newest SMS to the owner.
async fn sent_code(w: &World) -> String {
    let sms = last_message(w, "sms", w.owner.mobile_phone.as_ref().unwrap()).await;
    let at = sms.text_body.find("code is ").unwrap() + 8;
    sms.text_body[at..at + 6].to_owned()
}

async fn check_code(w: &World, code: &str) -> Result<CodeCheckOutcome, AppError> {
    w.t.store
        .verify_code(w.client.id, Secret::new(code), &w.me)
        .await
        .map(|r| r.outcome)
}

fn wrong(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
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
    let mut check = Box::pin(w.t.store.verify_pin(w.client.id, Secret::new(pin), &w.me));
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
    use janus_store::seed::{DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD};
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
    let (_, admin) = s
        .sign_in(DEMO_ADMIN_EMAIL, Secret::new(DEMO_ADMIN_PASSWORD))
        .await
        .unwrap();
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
    use janus_store::seed::{DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD};
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    for _ in 0..3 {
        lock_once(&w).await;
        w.t.clock.advance(Duration::minutes(15));
    }
    let (_, admin) = s
        .sign_in(DEMO_ADMIN_EMAIL, Secret::new(DEMO_ADMIN_PASSWORD))
        .await
        .unwrap();
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
