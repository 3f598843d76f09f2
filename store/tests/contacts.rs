//! Contacts managed on the lead card (SQLite here, PostgreSQL when `DATABASE_URL` names
//! one): a change to who speaks for the business needs their verification or an admin's
//! reason, tells the replaced addresses in the same transaction, ends the changed person's
//! verification, and voids what was sent to the old details. The cooling-off it starts is
//! in `cooling_off.rs`.

mod common;

use common::pin_world::*;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::contact::ContactRole;
use janus_domain::contact_edit::ContactDraft;
use janus_domain::security::{LinkPurpose, PinCheckOutcome};
use janus_domain::{AppError, Secret};
use janus_store::entity::contact;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const NEW_EMAIL: &str = "rachel.new@example.net";

async fn owner_now(w: &World) -> contact::Model {
    contact::Entity::find_by_id(w.owner.id)
        .one(&w.t.store.db)
        .await
        .unwrap()
        .unwrap()
}

/// Sets the PIN and verifies the owner with it, as the agent.
async fn verify_owner(w: &World) {
    set_pin(w, LinkPurpose::Setup, GOOD_PIN).await;
    assert_eq!(
        verify(w, GOOD_PIN).await.unwrap(),
        PinCheckOutcome::Verified
    );
}

#[tokio::test]
async fn an_owners_email_changes_only_once_the_owner_is_verified_and_the_old_address_hears() {
    let w = world().await;
    let s = &w.t.store;
    let draft = owner_with_email(&w, NEW_EMAIL);

    let refusal = refused(
        s.edit_contact(w.client.id, w.owner.id, draft.clone(), "", &w.me)
            .await,
    );
    let AppError::VerificationRequired(why) = &refusal else {
        panic!("{refusal:?}")
    };
    assert!(
        why.starts_with("Changing an Owner or Authorized Representative needs the Owner or an Authorized Representative")
            && why.contains("nobody is verified now")
            && !why.contains("admin"),
        "{why}"
    );
    assert_eq!(owner_now(&w).await.email, w.owner.email, "nothing changed");
    assert_eq!(notices_to(&w, &w.owner.email).await, 0);
    let refused_entry = latest_audit(&w, AuditAction::ContactChanged).await;
    assert_eq!(refused_entry.outcome, AuditOutcome::Failure);
    assert!(
        refused_entry.detail.starts_with("refused: "),
        "{}",
        refused_entry.detail
    );

    verify_owner(&w).await;
    let card = s
        .edit_contact(w.client.id, w.owner.id, draft, "", &w.me)
        .await
        .unwrap();
    let shown = card.contacts.iter().find(|k| k.id == w.owner.id).unwrap();
    assert_eq!(shown.email, NEW_EMAIL);
    // The old address and the mobile on file hear of it; the new one does not.
    assert_eq!(notices_to(&w, &w.owner.email).await, 1);
    assert_eq!(
        notices_to(&w, w.owner.mobile_phone.as_deref().unwrap()).await,
        1
    );
    assert_eq!(notices_to(&w, NEW_EMAIL).await, 0);
    let notice = last_message(&w, "email", &w.owner.email).await;
    assert!(
        notice.text_body.contains("Your email address on file for")
            && notice.text_body.contains("If this was not you"),
        "{}",
        notice.text_body
    );
    let entry = latest_audit(&w, AuditAction::ContactChanged).await;
    assert_eq!(entry.outcome, AuditOutcome::Success);
    assert!(
        entry.detail.contains("authorized by") && entry.detail.contains("2 notice(s)"),
        "{}",
        entry.detail
    );
    // The verification proved the person at the old address: it ends with the change.
    assert!(!s.is_verified(w.client.id).await.unwrap());
    let ended = latest_audit(&w, AuditAction::VerificationEnded).await;
    assert!(ended.detail.contains("contact"), "{}", ended.detail);
}

#[tokio::test]
async fn an_admin_without_verification_is_asked_for_a_reason() {
    let w = world().await;
    let s = &w.t.store;
    let boss = admin(&w).await;
    let refusal = refused(
        s.edit_contact(
            w.client.id,
            w.owner.id,
            owner_with_email(&w, NEW_EMAIL),
            " ",
            &boss,
        )
        .await,
    );
    assert!(
        matches!(&refusal, AppError::VerificationRequired(m) if m.ends_with("As an admin, you may instead write down why the change cannot wait.")),
        "{refusal:?}"
    );
    assert_eq!(refusal.status(), 428);
}

#[tokio::test]
async fn changes_that_do_not_touch_who_speaks_for_the_business_need_no_verification() {
    let w = world().await;
    let s = &w.t.store;
    // A name alone.
    let mut renamed = owner_with_email(&w, &w.owner.email);
    renamed.name = format!("{} Jr.", w.owner.name);
    s.edit_contact(w.client.id, w.owner.id, renamed, "", &w.me)
        .await
        .unwrap();
    // A payroll contact added, changed and removed.
    let added = ContactDraft::parse(
        "Sam Ortiz",
        ContactRole::PayrollContact,
        "sam@example.com",
        "",
    )
    .unwrap();
    let card = s.add_contact(w.client.id, added, "", &w.me).await.unwrap();
    let sam = card
        .contacts
        .iter()
        .find(|k| k.name == "Sam Ortiz")
        .unwrap();
    assert_eq!(
        latest_audit(&w, AuditAction::ContactAdded).await.outcome,
        AuditOutcome::Success
    );
    // Its address is new too: no code goes to it yet.
    assert!(
        sam.code_refusal()
            .is_some_and(|why| why.contains("changed recently"))
    );
    let card = s
        .remove_contact(w.client.id, sam.id, "", &w.me)
        .await
        .unwrap();
    assert!(card.contacts.iter().all(|k| k.name != "Sam Ortiz"));
    assert_eq!(
        latest_audit(&w, AuditAction::ContactRemoved).await.detail,
        "removed Sam Ortiz (Payroll Contact)"
    );
    assert_eq!(
        notices_to(&w, &w.owner.email).await,
        0,
        "nobody needed telling"
    );
}

#[tokio::test]
async fn an_added_owner_is_announced_to_those_who_already_speak_for_the_business() {
    let w = world().await;
    let s = &w.t.store;
    verify_owner(&w).await;
    let added = ContactDraft::parse(
        "Dana Lee",
        ContactRole::AuthorizedRepresentative,
        "dana@example.com",
        "",
    )
    .unwrap();
    s.add_contact(w.client.id, added, "", &w.me).await.unwrap();
    assert_eq!(notices_to(&w, &w.owner.email).await, 1);
    assert_eq!(notices_to(&w, "dana@example.com").await, 0);
    let notice = last_message(&w, "email", &w.owner.email).await;
    assert!(
        notice
            .text_body
            .contains("Dana Lee was added as Authorized Representative"),
        "{}",
        notice.text_body
    );
}

#[tokio::test]
async fn the_last_who_speaks_for_the_business_cannot_be_removed_or_demoted() {
    let w = world().await;
    let s = &w.t.store;
    let boss = admin(&w).await;
    let managers: Vec<contact::Model> = contact::Entity::find()
        .filter(contact::Column::ClientId.eq(w.client.id))
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.role.may_manage_pin())
        .collect();
    let (last, others) = managers.split_last().unwrap();
    for k in others {
        s.remove_contact(w.client.id, k.id, "duplicate record from the import", &boss)
            .await
            .unwrap();
    }
    let refusal = refused(
        s.remove_contact(
            w.client.id,
            last.id,
            "duplicate record from the import",
            &boss,
        )
        .await,
    );
    assert!(
        matches!(&refusal, AppError::InvalidInput { message, .. } if message.contains("is the last Owner or Authorized Representative")),
        "{refusal:?}"
    );
    let mut demoted = ContactDraft::parse(
        &last.name,
        ContactRole::Accountant,
        &last.email,
        last.mobile_phone.as_deref().unwrap_or(""),
    )
    .unwrap();
    demoted.role = ContactRole::Accountant;
    assert!(matches!(
        refused(
            s.edit_contact(
                w.client.id,
                last.id,
                demoted,
                "role was wrong in the CRM",
                &boss
            )
            .await
        ),
        AppError::InvalidInput { .. }
    ));
    // A contact of another client is not this client's to change.
    let stranger = contact::Entity::find()
        .filter(contact::Column::ClientId.ne(w.client.id))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        refused(s.remove_contact(w.client.id, stranger.id, "", &w.me).await),
        AppError::InvalidInput { field, .. } if field == "contact"
    ));
}

#[tokio::test]
async fn moving_a_client_back_to_new_lead_does_not_open_the_way_to_its_owner() {
    let w = world().await;
    let s = &w.t.store;
    s.move_stage(
        w.client.id,
        janus_domain::dashboard::EnrollmentStage::NewLead,
        "paperwork came back incomplete",
        &w.me,
    )
    .await
    .unwrap();
    let refusal = refused(
        s.edit_contact(
            w.client.id,
            w.owner.id,
            owner_with_email(&w, NEW_EMAIL),
            "",
            &w.me,
        )
        .await,
    );
    assert!(
        matches!(refusal, AppError::VerificationRequired(_)),
        "{refusal:?}"
    );
    assert_eq!(owner_now(&w).await.email, w.owner.email);
    // An admin with a reason still can, and the old address is told.
    let boss = admin(&w).await;
    s.edit_contact(
        w.client.id,
        w.owner.id,
        owner_with_email(&w, NEW_EMAIL),
        "owner's letter on file",
        &boss,
    )
    .await
    .unwrap();
    assert_eq!(notices_to(&w, &w.owner.email).await, 1);
}

#[tokio::test]
async fn a_promotion_is_told_to_those_who_speak_for_the_business_and_cools_off() {
    let w = world().await;
    let s = &w.t.store;
    verify_owner(&w).await;
    let promoted = ContactDraft::parse(
        &w.other.name,
        ContactRole::AuthorizedRepresentative,
        &w.other.email,
        w.other.mobile_phone.as_deref().unwrap_or(""),
    )
    .unwrap();
    let card = s
        .edit_contact(w.client.id, w.other.id, promoted, "", &w.me)
        .await
        .unwrap();
    assert_eq!(notices_to(&w, &w.owner.email).await, 1);
    assert_eq!(notices_to(&w, &w.other.email).await, 0);
    let notice = last_message(&w, "email", &w.owner.email).await;
    assert!(
        notice.text_body.contains(&format!(
            "{} is now Authorized Representative",
            w.other.name
        )),
        "{}",
        notice.text_body
    );
    let shown = card.contacts.iter().find(|k| k.id == w.other.id).unwrap();
    assert!(
        shown
            .link_refusal()
            .is_some_and(|why| why.contains("changed recently")),
        "a newly authorized address waits before links go to it: {shown:?}"
    );
}

#[tokio::test]
async fn a_change_voids_the_codes_and_links_sent_to_the_old_details() {
    let w = world().await;
    let s = &w.t.store;
    let boss = admin(&w).await;
    s.send_code(w.client.id, w.owner.id, &w.me).await.unwrap();
    let code = sent_code(&w).await;
    let token = send_link(&w, LinkPurpose::Setup).await;
    s.edit_contact(
        w.client.id,
        w.owner.id,
        owner_with_email(&w, NEW_EMAIL),
        "owner's letter on file",
        &boss,
    )
    .await
    .unwrap();
    assert!(
        s.verify_code(w.client.id, Secret::new(code), &w.me)
            .await
            .is_err(),
        "the code sent before the change no longer verifies"
    );
    assert_eq!(
        refused(s.setup_page(&token).await),
        AppError::LinkUnusable,
        "the link sent to the old address no longer works"
    );
}
