//! Staff accounts and sessions against a real database: SQLite here, PostgreSQL when
//! `DATABASE_URL` names one. Sign-in, session limits, and admins managing staff users.

mod common;

use chrono::Duration;
use common::test_store;
use janus_domain::ids::StaffId;
use janus_domain::staff::{StaffChange, StaffRole};
use janus_domain::{AppError, Secret};
use janus_store::auth::NewStaff;
use janus_store::entity::audit_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use strum::IntoEnumIterator;

fn staff(email: &str, password: &str) -> NewStaff {
    NewStaff {
        name: "Test Agent".into(),
        email: email.into(),
        password: Secret::new(password),
        role: StaffRole::Agent,
    }
}

/// The error of a call that must be refused (the success type holds a token, which is not `Debug`).
fn refused<T>(result: Result<T, AppError>) -> AppError {
    match result {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn sign_in_opens_a_session_and_refusals_look_alike() {
    let t = test_store().await;
    t.store
        .create_staff(staff("Ana@Example.com", "a long password"))
        .await
        .unwrap();

    let (token, who) = t
        .store
        .sign_in(" ana@example.COM ", Secret::new("a long password"))
        .await
        .unwrap();
    assert_eq!(who.email, "ana@example.com");
    assert_eq!(
        t.store.session_staff(&token).await.unwrap().map(|s| s.id),
        Some(who.id)
    );

    let wrong_password = refused(
        t.store
            .sign_in("ana@example.com", Secret::new("a long passworD"))
            .await,
    );
    let unknown = refused(
        t.store
            .sign_in("bob@example.com", Secret::new("a long password"))
            .await,
    );
    assert_eq!(wrong_password, AppError::InvalidCredentials);
    assert_eq!(unknown, wrong_password);

    let failures = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("sign_in"))
        .filter(audit_event::Column::Outcome.eq("failure"))
        .all(&t.store.db)
        .await
        .unwrap();
    assert_eq!(failures.len(), 2);
    assert!(
        failures.iter().all(|e| !e.detail.contains("password")),
        "audit must not hold secrets"
    );

    t.store.sign_out(&token).await.unwrap();
    assert_eq!(t.store.session_staff(&token).await.unwrap(), None);
}

#[tokio::test]
async fn empty_fields_are_named() {
    let t = test_store().await;
    let e = refused(t.store.sign_in("", Secret::new("x")).await);
    assert!(
        matches!(e, AppError::InvalidInput { ref field, .. } if field == "email"),
        "{e:?}"
    );
    let e = refused(t.store.sign_in("a@b.example", Secret::new("")).await);
    assert!(
        matches!(e, AppError::InvalidInput { ref field, .. } if field == "password"),
        "{e:?}"
    );
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_limits() {
    let t = test_store().await;
    t.store
        .create_staff(staff("ana@example.com", "a long password"))
        .await
        .unwrap();
    let idle = i64::from(t.store.settings.sessions.idle_minutes);

    let (token, _) = t
        .store
        .sign_in("ana@example.com", Secret::new("a long password"))
        .await
        .unwrap();
    // Activity just inside the idle limit keeps the session going, again and again ...
    for _ in 0..3 {
        t.clock.advance(Duration::minutes(idle - 1));
        assert!(t.store.session_staff(&token).await.unwrap().is_some());
    }
    // ... silence for the whole idle limit ends it, for good.
    t.clock.advance(Duration::minutes(idle));
    assert_eq!(t.store.session_staff(&token).await.unwrap(), None);
    t.clock.advance(Duration::minutes(-idle));
    assert_eq!(
        t.store.session_staff(&token).await.unwrap(),
        None,
        "an ended session stays ended"
    );

    let (token, _) = t
        .store
        .sign_in("ana@example.com", Secret::new("a long password"))
        .await
        .unwrap();
    let absolute = i64::from(t.store.settings.sessions.absolute_hours) * 60;
    let mut elapsed = 0;
    while elapsed + idle - 1 < absolute {
        t.clock.advance(Duration::minutes(idle - 1));
        elapsed += idle - 1;
        assert!(t.store.session_staff(&token).await.unwrap().is_some());
    }
    t.clock.advance(Duration::minutes(idle - 1));
    assert_eq!(
        t.store.session_staff(&token).await.unwrap(),
        None,
        "absolute limit"
    );
}

#[tokio::test]
async fn a_page_polling_by_itself_does_not_keep_its_session_alive() {
    let t = test_store().await;
    t.store
        .create_staff(staff("ana@example.com", "a long password"))
        .await
        .unwrap();
    let idle = i64::from(t.store.settings.sessions.idle_minutes);
    let (token, _) = t
        .store
        .sign_in("ana@example.com", Secret::new("a long password"))
        .await
        .unwrap();
    // A modal left open asks every few seconds; each answer comes while the session lives.
    for _ in 0..(idle - 1) {
        t.clock.advance(Duration::minutes(1));
        assert!(
            t.store
                .session_in_background(&token)
                .await
                .unwrap()
                .is_some()
        );
    }
    // Nobody touched the page for the idle limit: the next request finds the session over.
    t.clock.advance(Duration::minutes(1));
    assert!(
        t.store
            .session_in_background(&token)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(t.store.session_staff(&token).await.unwrap(), None);
}

fn with_role(new: NewStaff, role: StaffRole) -> NewStaff {
    NewStaff { role, ..new }
}

#[tokio::test]
async fn deactivated_staff_lose_their_sessions_at_once_and_cannot_sign_in() {
    let t = test_store().await;
    let admin = t
        .store
        .create_staff(with_role(
            staff("boss@example.com", "a long password"),
            StaffRole::Admin,
        ))
        .await
        .unwrap();
    let ana = t
        .store
        .create_staff(staff("ana@example.com", "a long password"))
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (token, _) = t
            .store
            .sign_in("ana@example.com", Secret::new("a long password"))
            .await
            .unwrap();
        tokens.push(token);
    }
    let listed = t.store.list_staff(&admin).await.unwrap();
    let row = listed.iter().find(|m| m.id == ana.id).unwrap();
    assert_eq!((row.active, row.open_sessions), (true, 2));

    let after = t
        .store
        .change_staff(&admin, ana.id, StaffChange::Deactivate)
        .await
        .unwrap();
    assert_eq!((after.active, after.open_sessions), (false, 0));
    for token in &tokens {
        assert_eq!(t.store.session_staff(token).await.unwrap(), None);
    }
    let e = refused(
        t.store
            .sign_in("ana@example.com", Secret::new("a long password"))
            .await,
    );
    assert_eq!(e, AppError::InvalidCredentials);
    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("staff_deactivated"))
        .one(&t.store.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audited.staff_user_id, Some(admin.id));
    assert!(audited.detail.contains("ana@example.com") && audited.detail.contains("2 sessions"));

    let back = t
        .store
        .change_staff(&admin, ana.id, StaffChange::Reactivate)
        .await
        .unwrap();
    assert!(back.active);
    t.store
        .sign_in("ana@example.com", Secret::new("a long password"))
        .await
        .unwrap();
}

#[tokio::test]
async fn only_admins_manage_staff_and_no_admin_locks_themselves_out() {
    let t = test_store().await;
    let admin = t
        .store
        .create_staff(with_role(
            staff("boss@example.com", "a long password"),
            StaffRole::Admin,
        ))
        .await
        .unwrap();
    let agent = t
        .store
        .create_staff(staff("ana@example.com", "a long password"))
        .await
        .unwrap();
    let forbidden = |r: Result<_, AppError>| matches!(r, Err(AppError::Forbidden(_)));
    assert!(forbidden(t.store.list_staff(&agent).await.map(|_| ())));
    assert!(forbidden(
        t.store
            .add_staff(&agent, staff("new@example.com", "a long password"))
            .await
            .map(|_| ())
    ));
    for change in StaffChange::iter() {
        assert!(forbidden(
            t.store
                .change_staff(&agent, admin.id, change)
                .await
                .map(|_| ())
        ));
    }
    assert!(forbidden(
        t.store
            .change_staff(&admin, admin.id, StaffChange::Deactivate)
            .await
            .map(|_| ())
    ));
    assert!(forbidden(
        t.store
            .change_staff(&admin, admin.id, StaffChange::MakeAgent)
            .await
            .map(|_| ())
    ));
    // Nothing changed.
    let listed = t.store.list_staff(&admin).await.unwrap();
    assert!(listed.iter().all(|m| m.active));
    assert_eq!(
        listed.iter().find(|m| m.id == admin.id).unwrap().role,
        StaffRole::Admin
    );

    let promoted = t
        .store
        .change_staff(&admin, agent.id, StaffChange::MakeAdmin)
        .await
        .unwrap();
    assert_eq!(promoted.role, StaffRole::Admin);
    let promoted_view = t
        .store
        .sign_in("ana@example.com", Secret::new("a long password"))
        .await
        .unwrap()
        .1;
    assert_eq!(promoted_view.role, StaffRole::Admin);
    let added = t
        .store
        .add_staff(&promoted_view, staff("new@example.com", "a long password"))
        .await
        .unwrap();
    assert_eq!((added.role, added.active), (StaffRole::Agent, true));
    assert_eq!(
        t.store
            .change_staff(&admin, StaffId(9999), StaffChange::Reactivate)
            .await
            .unwrap_err(),
        AppError::NotFound("Staff user".into())
    );
}

#[tokio::test]
async fn staff_emails_are_unique_whatever_their_case() {
    let t = test_store().await;
    t.store
        .create_staff(staff("ana@example.com", "a long password"))
        .await
        .unwrap();
    let e = t
        .store
        .create_staff(staff("ANA@example.com", "another long one"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::InvalidInput { ref field, ref message } if field == "email" && message.contains("already exists")),
        "{e:?}"
    );
    let e = t
        .store
        .create_staff(staff("bob@example.com", "short"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::InvalidInput { ref field, .. } if field == "password"),
        "{e:?}"
    );
}
