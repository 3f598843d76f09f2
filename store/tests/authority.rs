//! Who a verification proves, and what it allows (SQLite here, PostgreSQL when
//! `DATABASE_URL` names one): each sensitive action's authority, refused or allowed per
//! role, method and agent; verifications that end when trust changes.

mod common;

use common::pin_world::*;
use janus_domain::AppError;
use janus_domain::Secret;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::authority::{Authority, SensitiveAction};
use janus_domain::contact::ContactRole;
use janus_domain::security::{CodeCheckOutcome, LinkPurpose, VerificationEnd, VerifyMethod};
use janus_store::entity::client_pin;
use janus_store::seed::{DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD};
use sea_orm::EntityTrait;
use strum::IntoEnumIterator;

/// The code in the newest email to the non-authorized contact.
async fn code_emailed_to_other(w: &World) -> String {
    let m = last_message(w, "email", &w.other.email).await;
    let at = m.text_body.find("code is ").unwrap() + 8;
    m.text_body[at..at + 6].to_owned()
}

async fn verify_other_by_code(w: &World) {
    let s = &w.t.store;
    s.send_code(w.client.id, w.other.id, &w.me).await.unwrap();
    let code = code_emailed_to_other(w).await;
    let r = s
        .verify_code(w.client.id, Secret::new(code), &w.me)
        .await
        .unwrap();
    assert_eq!(r.outcome, CodeCheckOutcome::Verified);
}

#[tokio::test]
async fn a_code_read_back_by_another_contact_verifies_that_person_only() {
    let w = world().await;
    let s = &w.t.store;
    verify_other_by_code(&w).await;
    let status = s.security_status(w.client.id).await.unwrap();
    let [v] = status.current.as_slice() else {
        panic!("{:?}", status.current)
    };
    assert_eq!(
        (v.contact_id, v.role, v.method),
        (
            Some(w.other.id),
            Some(w.other.role),
            VerifyMethod::TwoStepCode
        )
    );

    let refusal = refused(s.send_to_beia(w.client.id, &w.me).await);
    let AppError::VerificationRequired(why) = &refusal else {
        panic!("{refusal:?}")
    };
    assert!(
        why.starts_with("Send to BEIA needs the Owner or an Authorized Representative")
            && why.contains(&format!(
                "{} ({}) is verified",
                w.other.name,
                w.other.role.label()
            )),
        "{why}"
    );
    assert_eq!(refusal.status(), 428);
    let refused_entry = latest_audit(&w, AuditAction::SendToBeia).await;
    assert_eq!(refused_entry.outcome, AuditOutcome::Failure);
    assert!(refused_entry.detail.contains(why.as_str()));
    assert!(
        s.lead_card(w.client.id)
            .await
            .unwrap()
            .beia_sent_at
            .is_none()
    );

    // The owner's own code does unlock it, and the audit names who authorized it.
    s.send_code(w.client.id, w.owner.id, &w.me).await.unwrap();
    let code = sent_code(&w).await;
    assert_eq!(
        check_code(&w, &code).await.unwrap(),
        CodeCheckOutcome::Verified
    );
    let card = s.send_to_beia(w.client.id, &w.me).await.unwrap();
    assert!(card.beia_sent_at.is_some());
    assert_eq!(card.verifications.len(), 2, "both people are verified");
    let done = latest_audit(&w, AuditAction::SendToBeia).await;
    assert_eq!(
        (done.outcome, done.contact_id),
        (AuditOutcome::Success, Some(w.owner.id))
    );
    assert!(
        done.detail
            .contains(&format!("{} (Owner) · 2-step code", w.owner.name)),
        "{}",
        done.detail
    );
}

#[tokio::test]
async fn the_pin_verifies_only_an_owner_or_representative_and_a_refusal_costs_no_attempt() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    let refusal = refused(
        s.verify_pin(w.client.id, w.other.id, Secret::new(GOOD_PIN), &w.me)
            .await,
    );
    assert!(
        matches!(&refusal, AppError::InvalidInput { field, message } if field == "contact" && message.contains("only the Owner or an Authorized Representative")),
        "{refusal:?}"
    );
    let pin = client_pin::Entity::find_by_id(w.client.id)
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((pin.consecutive_failures, pin.checks_in_flight), (0, 0));
    assert!(!s.is_verified(w.client.id).await.unwrap());
    // Someone else's contact is not a caller of this client either.
    let other_client = refused(
        s.verify_pin(
            w.client.id,
            janus_domain::ids::ContactId(999_999),
            Secret::new(GOOD_PIN),
            &w.me,
        )
        .await,
    );
    assert!(matches!(other_client, AppError::InvalidInput { ref field, .. } if field == "contact"));
}

#[tokio::test]
async fn another_agents_verification_does_not_authorize_me() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    verify(&w, GOOD_PIN).await.unwrap();
    let (_, admin) = s
        .sign_in(DEMO_ADMIN_EMAIL, Secret::new(DEMO_ADMIN_PASSWORD))
        .await
        .unwrap();
    let why = match refused(s.sync_employees(w.client.id, &admin).await) {
        AppError::VerificationRequired(why) => why,
        other => panic!("{other:?}"),
    };
    assert!(
        why.contains(&format!("(Owner) was verified by {}", w.me.name)),
        "{why}"
    );
    s.sync_employees(w.client.id, &w.me).await.unwrap();
}

#[tokio::test]
async fn settings_can_let_another_role_authorize_an_action() {
    let t = common::test_store_with(|s| {
        let mut sync = Authority::default_for(SensitiveAction::SyncEmployees);
        sync.roles = ContactRole::iter().collect();
        s.authority.0.insert(SensitiveAction::SyncEmployees, sync);
    })
    .await;
    let w = world_in(t).await;
    verify_other_by_code(&w).await;
    w.t.store.sync_employees(w.client.id, &w.me).await.unwrap();
    assert!(refused(w.t.store.send_to_beia(w.client.id, &w.me).await).status() == 428);
}

#[tokio::test]
async fn a_reset_ends_the_verification_the_old_pin_gave() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    verify(&w, GOOD_PIN).await.unwrap();
    assert!(s.is_verified(w.client.id).await.unwrap());
    send_link(&w, LinkPurpose::Reset).await;
    assert!(!s.is_verified(w.client.id).await.unwrap());
    let status = s.security_status(w.client.id).await.unwrap();
    assert!(status.current.is_empty());
    let last = status.last.unwrap();
    assert_eq!(
        (last.ended, last.until),
        (Some(VerificationEnd::PinReset), s.clock.now())
    );
    let ended = latest_audit(&w, AuditAction::VerificationEnded).await;
    assert_eq!(ended.detail, "1 verification ended: the PIN was reset");
    assert!(matches!(
        refused(s.send_to_beia(w.client.id, &w.me).await),
        AppError::VerificationRequired(_)
    ));
}

#[tokio::test]
async fn an_admin_ends_a_verification_and_an_agent_cannot() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    verify(&w, GOOD_PIN).await.unwrap();
    assert!(matches!(
        refused(s.end_verification(w.client.id, &w.me).await),
        AppError::Forbidden(_)
    ));
    assert!(s.is_verified(w.client.id).await.unwrap());
    let (_, admin) = s
        .sign_in(DEMO_ADMIN_EMAIL, Secret::new(DEMO_ADMIN_PASSWORD))
        .await
        .unwrap();
    let status = s.end_verification(w.client.id, &admin).await.unwrap();
    assert!(status.current.is_empty());
    assert_eq!(
        status.last.unwrap().ended,
        Some(VerificationEnd::EndedByAdmin)
    );
    let ended = latest_audit(&w, AuditAction::VerificationEnded).await;
    assert_eq!(ended.staff_user_id, Some(admin.id));
    // Nothing left to end is said so.
    assert!(matches!(
        refused(s.end_verification(w.client.id, &admin).await),
        AppError::InvalidInput { .. }
    ));
}
