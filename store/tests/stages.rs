//! The enrollment gate as a use case (SQLite here, PostgreSQL when `DATABASE_URL` names
//! one): moves are audited, going back needs a reason, and an in-scope client becomes
//! Enrolled only with a PIN, while an Enrolled client keeps its PIN tools.

mod common;

use common::pin_world::*;
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::dashboard::{EnrollmentStage, PinState};
use janus_domain::security::LinkPurpose;
use janus_store::entity::{audit_event, brand, client};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn stage_events(w: &World) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::ClientId.eq(w.client.id))
        .filter(audit_event::Column::Action.eq(AuditAction::StageChanged))
        .order_by_asc(audit_event::Column::Id)
        .all(&w.t.store.db)
        .await
        .unwrap()
}

async fn stage_of(w: &World) -> EnrollmentStage {
    client::Entity::find_by_id(w.client.id)
        .one(&w.t.store.db)
        .await
        .unwrap()
        .unwrap()
        .stage
}

#[tokio::test]
async fn an_in_scope_client_is_enrolled_only_once_its_pin_is_set() {
    let w = world().await;
    let s = &w.t.store;
    let refusal = refused(
        s.move_stage(w.client.id, EnrollmentStage::Enrolled, "", &w.me)
            .await,
    );
    let AppError::PinRequired(why) = &refusal else {
        panic!("{refusal:?}")
    };
    assert!(
        why.starts_with("Compeo clients become Enrolled only once they have a security PIN"),
        "{why}"
    );
    assert_eq!(refusal.status(), 409);
    assert_eq!(stage_of(&w).await, EnrollmentStage::CurrentlyEnrolling);
    let [refused_entry] = stage_events(&w).await.try_into().unwrap();
    assert_eq!(refused_entry.outcome, AuditOutcome::Failure);
    assert_eq!(refused_entry.staff_user_id, Some(w.me.id));
    assert_eq!(
        refused_entry.detail,
        "refused: Currently enrolling → Enrolled without a security PIN"
    );

    // A link out is not a PIN: the gate still holds.
    let token = send_link(&w, LinkPurpose::Setup).await;
    assert!(matches!(
        s.move_stage(w.client.id, EnrollmentStage::Enrolled, "", &w.me)
            .await,
        Err(AppError::PinRequired(_))
    ));
    s.complete_setup(
        &token,
        janus_domain::Secret::new(GOOD_PIN),
        janus_domain::Secret::new(GOOD_PIN),
    )
    .await
    .unwrap();
    let card = s
        .move_stage(
            w.client.id,
            EnrollmentStage::Enrolled,
            "contract signed",
            &w.me,
        )
        .await
        .unwrap();
    assert_eq!(card.stage, EnrollmentStage::Enrolled);
    // Enrolled clients keep their PIN tools: callers need verifying after enrollment too.
    assert_eq!(card.pin_state, PinState::PinSet);
    assert!(s.security_status(w.client.id).await.is_ok());
    let moved = stage_events(&w).await.pop().unwrap();
    assert_eq!(moved.outcome, AuditOutcome::Success);
    assert_eq!(
        moved.detail,
        "Currently enrolling → Enrolled: contract signed"
    );
}

#[tokio::test]
async fn a_pin_reset_closes_the_gate_again() {
    let w = world().await;
    let s = &w.t.store;
    set_pin(&w, LinkPurpose::Setup, GOOD_PIN).await;
    send_link(&w, LinkPurpose::Reset).await;
    assert!(matches!(
        s.move_stage(w.client.id, EnrollmentStage::Enrolled, "", &w.me)
            .await,
        Err(AppError::PinRequired(_))
    ));
}

#[tokio::test]
async fn going_back_needs_a_reason_and_one_step_at_a_time() {
    let w = world().await;
    let s = &w.t.store;
    let refusal = refused(
        s.move_stage(w.client.id, EnrollmentStage::NewLead, "  ", &w.me)
            .await,
    );
    assert!(
        matches!(&refusal, AppError::InvalidInput { field, message }
            if field == "reason" && message.starts_with("Say why the client moves back to New lead")),
        "{refusal:?}"
    );
    assert_eq!(refusal.status(), 422);
    assert!(stage_events(&w).await.is_empty(), "a typo is not audited");

    let card = s
        .move_stage(
            w.client.id,
            EnrollmentStage::NewLead,
            "signed with the wrong brand",
            &w.me,
        )
        .await
        .unwrap();
    assert_eq!(card.stage, EnrollmentStage::NewLead);
    assert_eq!(card.pin_state, PinState::NotApplicable);
    assert_eq!(
        stage_events(&w).await.pop().unwrap().detail,
        "Currently enrolling → New lead: signed with the wrong brand"
    );
    let skip = refused(
        s.move_stage(w.client.id, EnrollmentStage::Enrolled, "", &w.me)
            .await,
    );
    assert!(
        matches!(&skip, AppError::InvalidInput { field, .. } if field == "to"),
        "{skip:?}"
    );
    assert_eq!(stage_of(&w).await, EnrollmentStage::NewLead);
    assert!(matches!(
        refused(
            s.move_stage(
                janus_domain::ids::ClientId(0),
                EnrollmentStage::Enrolled,
                "",
                &w.me
            )
            .await
        ),
        AppError::NotFound(_)
    ));
}

#[tokio::test]
async fn a_client_of_a_brand_outside_the_scope_is_enrolled_without_a_pin() {
    let w = world().await;
    let s = &w.t.store;
    let out_of_scope = brand::Entity::find()
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .find(|b| !s.settings.brands.is_in_scope(&b.slug))
        .unwrap();
    let outsider = client::Entity::find()
        .filter(client::Column::BrandId.eq(out_of_scope.id))
        .filter(client::Column::Stage.eq(EnrollmentStage::CurrentlyEnrolling))
        .one(&s.db)
        .await
        .unwrap()
        .unwrap();
    let card = s
        .move_stage(outsider.id, EnrollmentStage::Enrolled, "", &w.me)
        .await
        .unwrap();
    assert_eq!(card.stage, EnrollmentStage::Enrolled);
    assert_eq!(card.pin_state, PinState::NotApplicable);
}
