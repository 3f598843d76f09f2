//! Use cases against a real database (SQLite here, PostgreSQL when `DATABASE_URL` names one):
//! demo data, the lead card and audited workflows, the backend in use, and the production
//! mark. The dashboard's list and search (scale seed included) are in `dashboard_search.rs`.

mod common;

use janus_domain::ids::{BrandId, ClientId};
use std::collections::HashSet;

use chrono::Duration;
use common::test_store;
use janus_domain::audit::AuditAction;
use janus_domain::contact::ContactRole;
use janus_domain::{AppError, Secret};
use janus_store::entity::{audit_event, brand, client, contact};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, SeedOutcome};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use strum::IntoEnumIterator;

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
    let stages: HashSet<_> = clients.iter().map(|c| c.stage).collect();
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
            mine.iter().any(|k| k.role == ContactRole::Owner),
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
    let roles: HashSet<_> = contacts.iter().map(|k| k.role).collect();
    for r in ContactRole::iter() {
        assert!(roles.contains(&r), "no contact has role {r:?}");
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
async fn lead_card_lists_contacts_owner_first_and_workflows_are_audited() {
    let t = test_store().await;
    t.store.seed_demo().await.unwrap();
    let (_, me) = t
        .store
        .sign_in(DEMO_AGENT_EMAIL, Secret::new(DEMO_AGENT_PASSWORD))
        .await
        .unwrap();
    // A client of a brand outside the PIN workflow, so its workflows need no verification
    // (tests/security.rs covers the clients that do).
    let outside: Vec<BrandId> = brand::Entity::find()
        .all(&t.store.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|b| !t.store.settings.brands.is_in_scope(&b.slug))
        .map(|b| b.id)
        .collect();
    let c = client::Entity::find()
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .filter(client::Column::BrandId.is_in(outside))
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
    let actions: Vec<_> = events.iter().map(|e| (e.action, e.staff_user_id)).collect();
    assert_eq!(
        actions,
        [
            (AuditAction::SyncEmployees, Some(me.id)),
            (AuditAction::SendToBeia, Some(me.id))
        ]
    );

    assert_eq!(
        t.store.lead_card(ClientId(999_999)).await.unwrap_err(),
        AppError::NotFound("Client".into())
    );
    assert_eq!(
        t.store
            .sync_employees(ClientId(999_999), &me)
            .await
            .unwrap_err(),
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

#[tokio::test]
async fn a_production_start_marks_the_database_for_good() {
    use janus_domain::settings::Mode;
    let t = common::test_store_with(|s| s.site.mode = Mode::Production).await;
    assert!(!t.store.served_in_production().await.unwrap());
    // Every start claims it again; the mark is written once and stays.
    t.store.claim_for_serving().await.unwrap();
    t.store.claim_for_serving().await.unwrap();
    assert!(t.store.served_in_production().await.unwrap());
    assert!(matches!(
        t.store.seed_demo().await,
        Err(janus_domain::AppError::Forbidden(_))
    ));
}
