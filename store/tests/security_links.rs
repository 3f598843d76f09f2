//! PIN links and the verified window against a real database (SQLite here, PostgreSQL
//! when `DATABASE_URL` names one), with a fixed clock moved by hand: create, set, verify,
//! reset, link expiry and single use, who may receive a link, scope, and the audit trail.

mod common;

use janus_domain::audit::AuditOutcome;
use janus_domain::ids::ClientId;
use std::sync::Arc;

use chrono::Duration;
use common::pin_world::*;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::{ClientQuery, DashboardTab, PinState};
use janus_domain::security::{LinkPurpose, PinCheckOutcome};
use janus_domain::{AppError, Secret};
use janus_store::entity::{audit_event, brand, client, client_pin, contact};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test]
async fn create_set_verify_and_the_one_hour_window_gates_sensitive_work() {
    let w = world().await;
    let s = &w.t.store;
    let id = w.client.id;
    assert_eq!(
        s.security_status(id).await.unwrap().pin_state,
        PinState::NoPin
    );
    assert!(matches!(
        refused(s.sync_employees(id, &w.me).await),
        AppError::VerificationRequired(why) if why.contains("nobody is verified")
    ));

    assert_eq!(dashboard_row(&w).await, (PinState::NoPin, 0));
    let token = send_link(&w, LinkPurpose::Setup).await;
    let status = s.security_status(id).await.unwrap();
    assert_eq!(status.pin_state, PinState::LinkSent);
    assert_eq!(dashboard_row(&w).await, (PinState::LinkSent, 0));
    assert_eq!(status.link.as_ref().unwrap().contact_name, w.owner.name);
    assert!(status.verify_pin_blocked().is_some());
    let sms = last_message(&w, "sms", w.owner.mobile_phone.as_ref().unwrap()).await;
    assert!(
        sms.text_body.contains(token.expose()),
        "the SMS carries the same link"
    );

    let page = s.setup_page(&token).await.unwrap();
    assert_eq!(
        (page.business_name.as_str(), page.purpose),
        (w.client.business_name.as_str(), LinkPurpose::Setup)
    );

    // Weak and mismatched PINs are refused without using up the link.
    let weak = refused(
        s.complete_setup(&token, Secret::new("123456"), Secret::new("123456"))
            .await,
    );
    assert!(
        matches!(&weak, AppError::InvalidInput { field, message } if field == "pin" && message.contains("counting")),
        "{weak:?}"
    );
    let mismatch = refused(
        s.complete_setup(&token, Secret::new(GOOD_PIN), Secret::new(OTHER_PIN))
            .await,
    );
    assert!(matches!(&mismatch, AppError::InvalidInput { field, .. } if field == "confirm"));
    s.complete_setup(&token, Secret::new(GOOD_PIN), Secret::new(GOOD_PIN))
        .await
        .unwrap();
    assert_eq!(refused(s.setup_page(&token).await), AppError::LinkUnusable);

    let status = s.security_status(id).await.unwrap();
    assert_eq!(status.pin_state, PinState::PinSet);
    assert_eq!(status.pin_set_at, Some(s.clock.now()));
    assert_eq!(status.verify_pin_blocked(), None);
    let notice = last_message(&w, "email", &w.owner.email).await;
    assert!(notice.subject.contains("was set"), "{}", notice.subject);

    assert_eq!(
        verify(&w, OTHER_PIN).await.unwrap(),
        PinCheckOutcome::Mismatch {
            consecutive_failures: 1,
            locked_until: None,
            held_since: None
        }
    );
    assert_eq!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
    let status = s.security_status(id).await.unwrap();
    let [current] = status.current.as_slice() else {
        panic!("one verification: {:?}", status.current)
    };
    assert_eq!(
        (current.seconds_left, current.staff_name.as_str()),
        (3600, w.me.name.as_str())
    );
    assert_eq!(
        (current.contact_id, current.role),
        (Some(w.owner.id), Some(ContactRole::Owner)),
        "the PIN verified the owner, who staff said was on the phone"
    );
    assert_eq!(status.consecutive_failures, 0, "success clears the count");

    s.sync_employees(id, &w.me).await.unwrap();
    let card = s.lead_card(id).await.unwrap();
    assert_eq!(card.seconds_verified(), 3600);
    assert_eq!(card.verifications[0].contact_id, Some(w.owner.id));
    assert_eq!(card.pin_state, PinState::PinSet);
    assert_eq!(
        card.audit[0].action.label(),
        "Sync Employees",
        "newest first"
    );
    let row = s
        .list_clients(&ClientQuery::new(DashboardTab::All, &w.client.business_name, 1).unwrap())
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(
        (row.pin_state, row.verified_seconds_left),
        (PinState::PinSet, 3600)
    );

    w.t.clock
        .advance(Duration::minutes(59) + Duration::seconds(59));
    assert!(s.is_verified(id).await.unwrap());
    w.t.clock.advance(Duration::seconds(1));
    assert!(!s.is_verified(id).await.unwrap());
    let status = s.security_status(id).await.unwrap();
    assert!(status.current.is_empty() && status.last.is_some());
    assert!(matches!(
        refused(s.send_to_beia(id, &w.me).await),
        AppError::VerificationRequired(why) if why.contains("nobody is verified")
    ));
}

#[tokio::test]
async fn reset_voids_the_old_pin_at_once_and_the_new_one_verifies() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    assert!(matches!(
        refused(s.send_pin_link(w.client.id, w.owner.id, LinkPurpose::Setup, &w.me).await),
        AppError::InvalidInput { field, .. } if field == "purpose"
    ));

    let token = send_link(&w, LinkPurpose::Reset).await;
    assert_eq!(
        s.security_status(w.client.id).await.unwrap().pin_state,
        PinState::ResetPending
    );
    assert_eq!(dashboard_row(&w).await, (PinState::ResetPending, 0));
    assert_eq!(
        s.lead_card(w.client.id).await.unwrap().pin_state,
        PinState::ResetPending
    );
    assert!(
        matches!(refused(verify(&w, GOOD_PIN).await), AppError::InvalidInput { field, .. } if field == "pin")
    );
    let email = last_message(&w, "email", &w.owner.email).await;
    assert!(
        email.subject.contains("new security PIN"),
        "{}",
        email.subject
    );

    s.complete_setup(&token, Secret::new(OTHER_PIN), Secret::new(OTHER_PIN))
        .await
        .unwrap();
    assert!(matches!(
        verify(&w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Mismatch { .. }
    ));
    assert_eq!(
        verify(&w, OTHER_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
}

#[tokio::test]
async fn the_newest_link_wins_and_links_expire_after_24_hours() {
    let w = world().await;
    let s = &w.t.store;
    let first = send_link(&w, LinkPurpose::Setup).await;
    let second = send_link(&w, LinkPurpose::Setup).await;
    assert_eq!(refused(s.setup_page(&first).await), AppError::LinkUnusable);
    assert_eq!(
        refused(
            s.complete_setup(&first, Secret::new(GOOD_PIN), Secret::new(GOOD_PIN))
                .await
        ),
        AppError::LinkUnusable
    );
    s.setup_page(&second).await.unwrap();
    assert_eq!(
        refused(s.setup_page(&Secret::new("made-up-token")).await),
        AppError::LinkUnusable
    );

    w.t.clock.advance(Duration::hours(24));
    assert_eq!(refused(s.setup_page(&second).await), AppError::LinkUnusable);
    assert_eq!(
        s.security_status(w.client.id).await.unwrap().pin_state,
        PinState::NoPin
    );
}

#[tokio::test]
async fn a_link_used_by_50_concurrent_submissions_succeeds_exactly_once() {
    let w = world().await;
    let token = send_link(&w, LinkPurpose::Setup).await;
    let store = Arc::new(w.t.store.clone());
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            let token = Secret::new(token.expose());
            tokio::spawn(async move {
                store
                    .complete_setup(&token, Secret::new(GOOD_PIN), Secret::new(GOOD_PIN))
                    .await
                    .map(|_| ())
            })
        })
        .collect();
    let mut outcomes = vec![];
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter(|r| r.is_err())
            .all(|r| *r == Err(AppError::LinkUnusable))
    );
}

#[tokio::test]
async fn links_go_only_to_owners_and_authorized_representatives_of_the_client() {
    let w = world().await;
    let s = &w.t.store;
    let e = refused(
        s.send_pin_link(w.client.id, w.other.id, LinkPurpose::Setup, &w.me)
            .await,
    );
    assert!(
        matches!(&e, AppError::InvalidInput { field, message } if field == "contact" && message.contains("only the Owner")),
        "{e:?}"
    );
    let stranger = contact::Entity::find()
        .filter(contact::Column::ClientId.ne(w.client.id))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        refused(s.send_code(w.client.id, stranger.id, &w.me).await),
        AppError::InvalidInput { field, .. } if field == "contact"
    ));
}

#[tokio::test]
async fn clients_outside_the_workflow_are_refused_every_pin_action() {
    let w = world().await;
    let s = &w.t.store;
    let db = &s.db;
    let out_of_scope = brand::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|b| !s.settings.brands.is_in_scope(&b.slug))
        .unwrap();
    let outsider = client::Entity::find()
        .filter(client::Column::BrandId.eq(out_of_scope.id))
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let new_lead = client::Entity::find()
        .filter(client::Column::Stage.eq("new_lead"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    for c in [outsider, new_lead] {
        let k = contact::Entity::find()
            .filter(contact::Column::ClientId.eq(c.id))
            .filter(contact::Column::Role.eq(ContactRole::Owner))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let na = AppError::PinNotApplicable {
            brands: "Cornerstone, PeoPayGo, Compeo and CoGuardHR".into(),
        };
        assert_eq!(refused(s.security_status(c.id).await), na);
        assert_eq!(
            refused(s.send_pin_link(c.id, k.id, LinkPurpose::Setup, &w.me).await),
            na
        );
        assert_eq!(refused(s.send_code(c.id, k.id, &w.me).await), na);
        assert_eq!(
            refused(s.verify_pin(c.id, k.id, Secret::new(GOOD_PIN), &w.me).await),
            na
        );
        assert_eq!(
            refused(s.verify_code(c.id, Secret::new(GOOD_PIN), &w.me).await),
            na
        );
        // Their workflows do not wait for a verification they cannot have.
        s.sync_employees(c.id, &w.me).await.unwrap();
    }
}

#[tokio::test]
async fn the_audit_trail_records_every_attempt_and_never_a_secret() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    verify(&w, OTHER_PIN).await.unwrap();
    verify(&w, GOOD_PIN).await.unwrap();
    refused(
        s.sync_employees(ClientId(w.other.client_id.0 + 100_000), &w.me)
            .await,
    );
    let card = s.lead_card(w.client.id).await.unwrap();
    let actions: Vec<_> = card
        .audit
        .iter()
        .map(|a| (a.action.label(), a.outcome == AuditOutcome::Success))
        .collect();
    assert_eq!(
        actions,
        [
            ("PIN verification", true),
            ("PIN verification", false),
            ("PIN set by client", true),
            ("PIN link sent", true)
        ]
    );
    assert_eq!(
        card.audit[3].contact_name.as_deref(),
        Some(w.owner.name.as_str())
    );
    assert_eq!(
        card.audit[0].staff_name.as_deref(),
        Some(w.me.name.as_str())
    );
    for e in audit_event::Entity::find().all(&s.db).await.unwrap() {
        assert!(
            !e.detail.contains(GOOD_PIN) && !e.detail.contains(OTHER_PIN),
            "{}",
            e.detail
        );
    }
    let row = client_pin::Entity::find_by_id(w.client.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    let hash = row.pin_hash.unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(GOOD_PIN));
}

/// The client's PIN state and seconds left verified as its dashboard row shows them.
async fn dashboard_row(w: &World) -> (PinState, i64) {
    let page =
        w.t.store
            .list_clients(&ClientQuery::new(DashboardTab::All, &w.client.business_name, 1).unwrap())
            .await
            .unwrap();
    let row = page.rows.into_iter().find(|r| r.id == w.client.id).unwrap();
    (row.pin_state, row.verified_seconds_left)
}

/// The refusal names the brands the settings put in the workflow, by their names, not a
/// fixed list.
#[tokio::test]
async fn the_refusal_names_the_brands_in_the_settings() {
    let w = world_in(
        common::test_store_with(|s| {
            s.brands.in_scope = vec!["peopaygo".into(), "compeo".into()];
        })
        .await,
    )
    .await;
    let s = &w.t.store;
    let cornerstone = brand::Entity::find()
        .filter(brand::Column::Slug.eq("cornerstone"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    let c = client::Entity::find()
        .filter(client::Column::BrandId.eq(cornerstone.id))
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    let refusal = refused(s.security_status(c.id).await);
    assert_eq!(
        refusal.to_string(),
        "The security PIN workflow is for clients of PeoPayGo and Compeo, from Currently Enrolling on."
    );
}
