//! Throttle counters on a real database (SQLite here, PostgreSQL when `DATABASE_URL`
//! names one): the limit, the window starting again, forgiving, separate keys, and many
//! concurrent requests never passing together.

mod common;

use std::sync::Arc;

use chrono::Duration;
use common::test_store;
use janus_domain::AppError;
use janus_domain::throttle::ThrottleBucket;

#[tokio::test]
async fn a_key_gets_its_limit_per_window_then_waits() {
    let t = test_store().await;
    let s = &t.store;
    let limit = s.settings.throttle.pin_page_per_link;
    for _ in 0..limit {
        s.throttle(ThrottleBucket::PinPageLink, "link-a")
            .await
            .unwrap();
    }
    let refused = s
        .throttle(ThrottleBucket::PinPageLink, "link-a")
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        AppError::TooManyAttempts(
            "Too many attempts. Please wait 15 minutes and try again.".into()
        )
    );
    // Other keys and other buckets count on their own.
    s.throttle(ThrottleBucket::PinPageLink, "link-b")
        .await
        .unwrap();
    s.throttle(ThrottleBucket::SignInAccount, "link-a")
        .await
        .unwrap();

    t.clock.advance(Duration::minutes(14));
    let refused = s
        .throttle(ThrottleBucket::PinPageLink, "link-a")
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        AppError::TooManyAttempts("Too many attempts. Please wait 1 minute and try again.".into())
    );
    t.clock.advance(Duration::minutes(1));
    s.throttle(ThrottleBucket::PinPageLink, "link-a")
        .await
        .unwrap();

    for _ in 1..limit {
        s.throttle(ThrottleBucket::PinPageLink, "link-a")
            .await
            .unwrap();
    }
    assert!(
        s.throttle(ThrottleBucket::PinPageLink, "link-a")
            .await
            .is_err()
    );
    s.forgive(ThrottleBucket::PinPageLink, "link-a")
        .await
        .unwrap();
    s.throttle(ThrottleBucket::PinPageLink, "link-a")
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_requests_never_pass_the_limit_together() {
    let t = test_store().await;
    let store = Arc::new(t.store.clone());
    let limit = store.settings.throttle.sign_in_per_account as usize;
    let handles: Vec<_> = (0..limit * 3)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .throttle(ThrottleBucket::SignInAccount, "ana@x.example")
                    .await
            })
        })
        .collect();
    let mut passed = 0;
    for h in handles {
        if h.await.unwrap().is_ok() {
            passed += 1;
        }
    }
    assert_eq!(passed, limit);
}

#[tokio::test]
async fn keys_are_stored_as_digests_only() {
    use sea_orm::{ConnectionTrait, Statement};
    let t = test_store().await;
    t.store
        .throttle(ThrottleBucket::SignInAccount, "ana@x.example")
        .await
        .unwrap();
    let backend = t.store.db.get_database_backend();
    let rows = t
        .store
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT key_digest FROM throttle_counters",
        ))
        .await
        .unwrap();
    let key: String = rows[0].try_get("", "key_digest").unwrap();
    assert_eq!(key.len(), 64);
    assert!(!key.contains("ana"));
}
