//! The dashboard's list against a real database (SQLite here, PostgreSQL when
//! `DATABASE_URL` names one): tabs, search and pages, on demo data and on the scale seed,
//! and search following changes to names.

mod common;

use common::test_store;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::{ClientQuery, DashboardTab, EnrollmentStage, PAGE_SIZE, PinState};
use janus_domain::ids::{BrandId, ClientId};
use janus_store::entity::{brand, client, contact};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

fn query(tab: DashboardTab, search: &str, page: u64) -> ClientQuery {
    ClientQuery::new(tab, search, page).unwrap()
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

    // In-scope brands from Currently Enrolling on get the PIN column; others do not.
    for row in &all.rows {
        let in_scope =
            ["cornerstone", "peopaygo", "compeo", "coguardhr"].contains(&row.brand.slug.as_str());
        let expected = if in_scope && row.stage.has_pin_workflow() {
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
async fn the_scale_seed_adds_clients_that_list_and_search_like_any_other() {
    let t = test_store().await;
    let o = t.store.seed_scale(240).await.unwrap();
    assert_eq!((o.clients, o.contacts, o.audit_events), (240, 720, 480));
    assert!(o.pins > 0);
    // Demo data came first (48 clients), then the generated ones.
    let all = t
        .store
        .list_clients(&query(DashboardTab::All, "", 1))
        .await
        .unwrap();
    assert_eq!(all.total, 48 + 240);
    let found = t
        .store
        .list_clients(&query(DashboardTab::All, "Cedar Ridge Bakery", 1))
        .await
        .unwrap();
    assert!(found.total >= 1, "generated names are searchable");
    let more = t.store.seed_scale(10).await.unwrap();
    assert_eq!(more.clients, 10);
    // A row inserted the ordinary way still gets a fresh id (PostgreSQL's sequence moved
    // past the ids the seed gave explicitly).
    use sea_orm::{ActiveModelTrait, Set};
    let c = client::ActiveModel {
        brand_id: Set(BrandId(1)),
        business_name: Set("Fresh Id Bakery".into()),
        legal_name: Set("Fresh Id Bakery LLC".into()),
        stage: Set(EnrollmentStage::NewLead),
        address: Set("1 Main Street".into()),
        employee_count: Set(3),
        last_synced_at: Set(None),
        beia_sent_at: Set(None),
        created_at: Set(t.store.clock.now()),
        ..Default::default()
    }
    .insert(&t.store.db)
    .await
    .unwrap();
    assert!(c.id > ClientId(48 + 250));
    assert_eq!(
        client::Entity::find().count(&t.store.db).await.unwrap(),
        48 + 250 + 1
    );
}

/// Paging through a search gives every match once, in name order, whichever way the
/// database finds them: from a few matches (a rare name) or by walking the clients in name
/// order (a common term). Checked against every client's names read directly.
#[tokio::test]
async fn searches_page_through_every_match_whether_rare_or_common() {
    let t = test_store().await;
    t.store.seed_scale(1500).await.unwrap();
    let db = &t.store.db;
    let clients = client::Entity::find().all(db).await.unwrap();
    let brands: std::collections::HashMap<BrandId, String> = brand::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.id, b.name.to_lowercase()))
        .collect();
    let contacts = contact::Entity::find().all(db).await.unwrap();
    // Each row names the client's first owner, by id.
    let first_owner = |client_id: ClientId| {
        contacts
            .iter()
            .filter(|k| k.client_id == client_id && k.role == ContactRole::Owner)
            .min_by_key(|k| k.id)
            .map(|k| k.name.clone())
    };
    let expected = |tab: DashboardTab, term: &str| {
        let term = term.to_lowercase();
        let mut found: Vec<(String, ClientId, Option<String>)> = clients
            .iter()
            .filter(|c| tab.stage().is_none_or(|s| s == c.stage))
            .filter(|c| {
                c.business_name.to_lowercase().contains(&term)
                    || brands[&c.brand_id].contains(&term)
                    || contacts
                        .iter()
                        .any(|k| k.client_id == c.id && k.name.to_lowercase().contains(&term))
            })
            .map(|c| (c.business_name.clone(), c.id, first_owner(c.id)))
            .collect();
        found.sort();
        found
    };
    let enrolling: Vec<&client::Model> = clients
        .iter()
        .filter(|c| c.stage == EnrollmentStage::CurrentlyEnrolling)
        .collect();
    let rare = enrolling[enrolling.len() / 2].business_name.clone();
    let cases = [
        (DashboardTab::CurrentlyEnrolling, rare.as_str()),
        (DashboardTab::CurrentlyEnrolling, "compeo"),
        (DashboardTab::All, "compeo"),
    ];
    for (tab, term) in cases {
        let want = expected(tab, term);
        let mut got = Vec::new();
        for page in 1.. {
            let p = t.store.list_clients(&query(tab, term, page)).await.unwrap();
            assert_eq!(p.total as usize, want.len(), "{tab:?} {term:?}: total");
            if p.rows.is_empty() {
                break;
            }
            got.extend(
                p.rows
                    .into_iter()
                    .map(|r| (r.business_name, r.id, r.owner_name)),
            );
        }
        if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
            assert_eq!(
                got, want,
                "{tab:?} {term:?}: every match once, in name order"
            );
        } else {
            // PostgreSQL orders names by its own collation.
            got.sort();
            assert_eq!(got, want, "{tab:?} {term:?}: every match once");
        }
    }
    // Both ways of finding the matches ran: up to 200 matches start from the matches.
    assert!(expected(cases[0].0, cases[0].1).len() <= 200);
    assert!(expected(cases[2].0, cases[2].1).len() > 200);
}

/// The search reads a trigram index on SQLite; triggers keep it in step with every change
/// to clients, contacts and brands, whoever makes it.
#[tokio::test]
async fn search_follows_renamed_added_and_removed_names() {
    use sea_orm::{ActiveModelTrait, ModelTrait, Set};
    let t = test_store().await;
    t.store.seed_demo().await.unwrap();
    let db = &t.store.db;
    let total = |search: &'static str| {
        let store = t.store.clone();
        async move {
            store
                .list_clients(&query(DashboardTab::All, search, 1))
                .await
                .unwrap()
                .total
        }
    };
    let k = contact::Entity::find().one(db).await.unwrap().unwrap();
    let mut renamed: contact::ActiveModel = k.clone().into();
    renamed.name = Set("Zebulon Quixote".into());
    let renamed = renamed.update(db).await.unwrap();
    assert_eq!(total("zebulon quix").await, 1);

    contact::ActiveModel {
        client_id: Set(k.client_id),
        name: Set("Xanthippe Vordermann".into()),
        role: Set(ContactRole::Accountant),
        email: Set("x@v.example".into()),
        mobile_phone: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(total("VORDERMANN").await, 1, "case does not matter");

    renamed.delete(db).await.unwrap();
    assert_eq!(total("zebulon").await, 0);
    assert_eq!(total("vordermann").await, 1);

    let c = client::Entity::find_by_id(k.client_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut business: client::ActiveModel = c.into();
    business.business_name = Set("Quetzal Yarn Works".into());
    business.update(db).await.unwrap();
    assert_eq!(total("yarn works").await, 1);
    assert_eq!(
        total("vordermann").await,
        1,
        "contacts stay with the renamed client"
    );
    // The tabs follow a change of stage too.
    let in_tab = |tab: DashboardTab| {
        let store = t.store.clone();
        async move {
            store
                .list_clients(&query(tab, "yarn works", 1))
                .await
                .unwrap()
                .total
        }
    };
    let c = client::Entity::find_by_id(k.client_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut stage: client::ActiveModel = c.into();
    stage.stage = Set(EnrollmentStage::Enrolled);
    stage.update(db).await.unwrap();
    assert_eq!(in_tab(DashboardTab::Enrolled).await, 1);
    assert_eq!(in_tab(DashboardTab::CurrentlyEnrolling).await, 0);
    assert_eq!(in_tab(DashboardTab::NewLeads).await, 0);

    let b = brand::Entity::find().one(db).await.unwrap().unwrap();
    let before = total("Ultraviolet").await;
    let mut name: brand::ActiveModel = b.into();
    name.name = Set("Ultraviolet Payroll".into());
    name.update(db).await.unwrap();
    assert!(total("ultraviolet").await > before);
    // Two characters, and LIKE's wildcards, are searched for as they are.
    assert!(total("xa").await >= 1);
    assert_eq!(total("100%").await, 0);
}
