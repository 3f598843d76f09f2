//! Use cases against a real database: SQLite here, PostgreSQL when `DATABASE_URL` names one.

mod common;

use std::collections::HashSet;

use chrono::Duration;
use common::test_store;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::{ClientQuery, DashboardTab, EnrollmentStage, PAGE_SIZE, PinState};
use janus_domain::staff::StaffRole;
use janus_domain::{AppError, Secret};
use janus_store::auth::NewStaff;
use janus_store::entity::{audit_event, brand, client, contact};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, SeedOutcome};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

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

fn query(tab: DashboardTab, search: &str, page: u64) -> ClientQuery {
    ClientQuery::new(tab, search, page).unwrap()
}

#[tokio::test]
async fn demo_data_covers_brands_stages_and_roles() {
    let t = test_store().await;
    let outcome = t.store.seed_demo().await.unwrap();
    assert_eq!(
        outcome,
        SeedOutcome::Seeded {
            clients: 48,
            contacts: contact::Entity::find().count(&t.store.db).await.unwrap()
        }
    );
    let db = &t.store.db;
    assert_eq!(brand::Entity::find().count(db).await.unwrap(), 6);
    let clients = client::Entity::find().all(db).await.unwrap();
    assert!(clients.len() >= 40);
    let stages: HashSet<_> = clients.iter().map(|c| c.stage.clone()).collect();
    assert_eq!(stages.len(), 3);
    let contacts = contact::Entity::find().all(db).await.unwrap();
    for c in &clients {
        let mine: Vec<_> = contacts.iter().filter(|k| k.client_id == c.id).collect();
        assert!(
            (2..=5).contains(&mine.len()),
            "{} has {} contacts",
            c.business_name,
            mine.len()
        );
        assert!(
            mine.iter().any(|k| k.role == "owner"),
            "{} has no owner",
            c.business_name
        );
        for k in mine {
            janus_domain::contact::normalize_email("email", &k.email).unwrap();
            if let Some(m) = &k.mobile_phone {
                assert_eq!(
                    &janus_domain::contact::normalize_e164("mobile", m).unwrap(),
                    m
                );
            }
        }
    }
    let roles: HashSet<_> = contacts.iter().map(|k| k.role.as_str()).collect();
    for r in ContactRole::ALL {
        assert!(roles.contains(r.code()), "no contact has role {r:?}");
    }
    // Seeding again never touches a database with data.
    assert_eq!(
        t.store.seed_demo().await.unwrap(),
        SeedOutcome::AlreadyHasData
    );
    assert_eq!(
        client::Entity::find().count(db).await.unwrap(),
        clients.len() as u64
    );
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
async fn deactivated_staff_cannot_sign_in_and_lose_their_sessions() {
    use sea_orm::{ActiveModelTrait, Set};
    let t = test_store().await;
    let who = t
        .store
        .create_staff(staff("ana@example.com", "a long password"))
        .await
        .unwrap();
    let (token, _) = t
        .store
        .sign_in("ana@example.com", Secret::new("a long password"))
        .await
        .unwrap();
    let user = janus_store::entity::staff_user::Entity::find_by_id(who.id)
        .one(&t.store.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: janus_store::entity::staff_user::ActiveModel = user.into();
    active.active = Set(false);
    active.update(&t.store.db).await.unwrap();
    assert_eq!(t.store.session_staff(&token).await.unwrap(), None);
    let e = refused(
        t.store
            .sign_in("ana@example.com", Secret::new("a long password"))
            .await,
    );
    assert_eq!(e, AppError::InvalidCredentials);
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

#[tokio::test]
async fn tabs_search_and_pages() {
    let t = test_store().await;
    t.store.seed_demo().await.unwrap();
    let db = &t.store.db;

    let all = t
        .store
        .list_clients(&query(DashboardTab::All, "", 1))
        .await
        .unwrap();
    assert_eq!(all.total, 48);
    assert_eq!(all.rows.len() as u64, PAGE_SIZE);
    let page3 = t
        .store
        .list_clients(&query(DashboardTab::All, "", 3))
        .await
        .unwrap();
    assert_eq!(page3.rows.len(), 8);
    let names: Vec<_> = all.rows.iter().map(|r| r.business_name.clone()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "rows are ordered by business name");

    let enrolling = t
        .store
        .list_clients(&query(DashboardTab::CurrentlyEnrolling, "", 1))
        .await
        .unwrap();
    let expected = client::Entity::find()
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(enrolling.total, expected);
    assert!(
        enrolling
            .rows
            .iter()
            .all(|r| r.stage == EnrollmentStage::CurrentlyEnrolling)
    );

    // In-scope brands in enrollment get the PIN column; others do not.
    for row in &all.rows {
        let in_scope =
            ["cornerstone", "peopaygo", "compeo", "coguardhr"].contains(&row.brand.slug.as_str());
        let expected = if in_scope && row.stage.in_enrollment() {
            PinState::NoPin
        } else {
            PinState::NotApplicable
        };
        assert_eq!(row.pin_state, expected, "{}", row.business_name);
    }

    // Search by part of a business name, case-insensitively.
    let first = client::Entity::find()
        .order_by_asc(client::Column::Id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let word = first
        .business_name
        .split_whitespace()
        .last()
        .unwrap()
        .to_uppercase();
    let found = t
        .store
        .list_clients(&query(DashboardTab::All, &word, 1))
        .await
        .unwrap();
    assert!(found.total >= 1 && found.rows.iter().any(|r| r.id == first.id));
    assert!(
        found
            .rows
            .iter()
            .all(|r| r.business_name.to_uppercase().contains(&word) || r.owner_name.is_some())
    );

    // Search by brand name.
    let compeo = t
        .store
        .list_clients(&query(DashboardTab::All, "compeo", 1))
        .await
        .unwrap();
    assert_eq!(compeo.total, 8);
    assert!(compeo.rows.iter().all(|r| r.brand.name == "Compeo"));

    // Search by a contact's name finds their client.
    let someone = contact::Entity::find()
        .filter(contact::Column::Role.eq("accountant"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let by_contact = t
        .store
        .list_clients(&query(DashboardTab::All, &someone.name, 1))
        .await
        .unwrap();
    assert!(by_contact.rows.iter().any(|r| r.id == someone.client_id));

    // LIKE wildcards are literal characters.
    let none = t
        .store
        .list_clients(&query(DashboardTab::All, "%", 1))
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    let none = t
        .store
        .list_clients(&query(DashboardTab::All, "_", 1))
        .await
        .unwrap();
    assert_eq!(none.total, 0);

    // A page past the end is empty, not an error.
    let past = t
        .store
        .list_clients(&query(DashboardTab::All, "", 99))
        .await
        .unwrap();
    assert!(past.rows.is_empty() && past.total == 48);
}

#[tokio::test]
async fn lead_card_lists_contacts_owner_first_and_workflows_are_audited() {
    let t = test_store().await;
    t.store.seed_demo().await.unwrap();
    let (_, me) = t
        .store
        .sign_in(DEMO_AGENT_EMAIL, Secret::new(DEMO_AGENT_PASSWORD))
        .await
        .unwrap();
    let c = client::Entity::find()
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .one(&t.store.db)
        .await
        .unwrap()
        .unwrap();

    let card = t.store.lead_card(c.id).await.unwrap();
    assert_eq!(card.business_name, c.business_name);
    assert_eq!(card.contacts[0].role, ContactRole::Owner);
    assert!(card.last_synced_at.is_none());

    t.clock.advance(Duration::minutes(5));
    t.store.sync_employees(c.id, &me).await.unwrap();
    t.store.send_to_beia(c.id, &me).await.unwrap();
    let card = t.store.lead_card(c.id).await.unwrap();
    assert_eq!(card.last_synced_at, Some(t.store.clock.now()));
    assert_eq!(card.beia_sent_at, Some(t.store.clock.now()));
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(c.id))
        .all(&t.store.db)
        .await
        .unwrap();
    let actions: Vec<_> = events
        .iter()
        .map(|e| (e.action.as_str(), e.staff_user_id))
        .collect();
    assert_eq!(
        actions,
        [
            ("sync_employees", Some(me.id)),
            ("send_to_beia", Some(me.id))
        ]
    );

    assert_eq!(
        t.store.lead_card(999_999).await.unwrap_err(),
        AppError::NotFound("Client".into())
    );
    assert_eq!(
        t.store.sync_employees(999_999, &me).await.unwrap_err(),
        AppError::NotFound("Client".into())
    );
}

#[tokio::test]
async fn runs_on_the_configured_backend() {
    let t = test_store().await;
    let backend = t.store.db.get_database_backend();
    assert_eq!(
        backend == sea_orm::DbBackend::Postgres,
        common::on_postgres()
    );
}
