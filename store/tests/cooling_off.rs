//! Cooling-off on the store (SQLite here, PostgreSQL when `DATABASE_URL` names one): a new
//! address gets no link or code until an admin approves with a reason or the period ends
//! on the clock; an approval covers only the addresses on file when it was given.

mod common;

use chrono::Duration;
use common::pin_world::*;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::security::{CodeCheckOutcome, LinkPurpose};
use janus_domain::{AppError, Secret};

const NEW_EMAIL: &str = "rachel.new@example.net";

#[tokio::test]
async fn a_new_address_cools_off_until_an_admin_approves_or_the_period_ends() {
    let w = world().await;
    let s = &w.t.store;
    let boss = admin(&w).await;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    s.edit_contact(
        w.client.id,
        w.owner.id,
        owner_with_email(&w, NEW_EMAIL),
        "the owner asked in writing, letter on file",
        &boss,
    )
    .await
    .unwrap();
    let entry = latest_audit(&w, AuditAction::ContactChanged).await;
    assert!(
        entry
            .detail
            .contains("admin, without verification: the owner asked in writing"),
        "{}",
        entry.detail
    );

    let status = s.security_status(w.client.id).await.unwrap();
    let picked = status.contacts.iter().find(|k| k.id == w.owner.id).unwrap();
    let why = picked.link_refusal().unwrap();
    assert!(
        why.contains("email address was changed recently") && why.contains("24 h more"),
        "{why}"
    );
    let refusal = refused(
        s.send_pin_link(w.client.id, w.owner.id, LinkPurpose::Reset, &w.me)
            .await,
    );
    assert_eq!(
        refusal,
        AppError::invalid("contact", why.clone()),
        "the store refuses what the picker says"
    );
    assert!(matches!(
        refused(s.send_code(w.client.id, w.owner.id, &w.me).await),
        AppError::InvalidInput { .. }
    ));
    assert_eq!(notices_to(&w, NEW_EMAIL).await, 0);
    let link_refused = latest_audit(&w, AuditAction::PinLinkSent).await;
    assert_eq!(link_refused.outcome, AuditOutcome::Failure);

    // Half an hour later, only an admin approves, and only with a reason.
    w.t.clock.advance(Duration::minutes(30));
    assert!(matches!(
        refused(
            s.approve_cooling_off(w.client.id, w.owner.id, "owner confirmed", &w.me)
                .await
        ),
        AppError::Forbidden(_)
    ));
    assert!(matches!(
        refused(
            s.approve_cooling_off(w.client.id, w.owner.id, "ok", &boss)
                .await
        ),
        AppError::InvalidInput { .. }
    ));
    let status = s
        .approve_cooling_off(
            w.client.id,
            w.owner.id,
            "owner confirmed by video call",
            &boss,
        )
        .await
        .unwrap();
    let picked = status.contacts.iter().find(|k| k.id == w.owner.id).unwrap();
    assert_eq!(picked.link_refusal(), None);
    s.send_pin_link(w.client.id, w.owner.id, LinkPurpose::Reset, &w.me)
        .await
        .unwrap();
    let approved = latest_audit(&w, AuditAction::CoolingOffApproved).await;
    assert!(approved.detail.ends_with("owner confirmed by video call"));

    // A later change waits again; the period then ends by itself.
    w.t.clock.advance(Duration::minutes(5));
    let mobile = "+15550100177";
    let mut draft = owner_with_email(&w, NEW_EMAIL);
    draft.mobile_phone = Some(mobile.into());
    s.edit_contact(
        w.client.id,
        w.owner.id,
        draft,
        "new phone, per the owner",
        &boss,
    )
    .await
    .unwrap();
    assert!(matches!(
        refused(s.send_code(w.client.id, w.owner.id, &w.me).await),
        AppError::InvalidInput { message, .. } if message.contains("mobile number was changed recently")
    ));
    w.t.clock.advance(Duration::hours(24));
    s.send_code(w.client.id, w.owner.id, &w.me).await.unwrap();
    let sms = last_message(&w, "sms", mobile).await;
    assert!(sms.text_body.contains("code is"));
    let code = sent_code_to(&w, mobile).await;
    let checked = s
        .verify_code(w.client.id, Secret::new(code), &w.me)
        .await
        .unwrap();
    assert_eq!(checked.outcome, CodeCheckOutcome::Verified);
}
