//! Staff second factors, passwords, step-up and sessions against a real database (SQLite
//! here, PostgreSQL when `DATABASE_URL` names one), with the clock moved by hand.

mod common;

use chrono::Duration;
use common::{TestStore, test_store_with};
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::staff::second_factor::{SecondFactorPolicy, SignInStep};
use janus_domain::staff::{StaffChange, StaffRole, StaffView};
use janus_domain::{AppError, Clock, Secret};
use janus_store::auth::{Browser, NewStaff, SessionToken, StaffSession};
use janus_store::entity::audit_event;
use janus_store::staff_factors::Seed;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const PASSWORD: &str = "copper kettle morning";

async fn store(policy: SecondFactorPolicy) -> TestStore {
    test_store_with(|s| s.staff.second_factor = Some(policy)).await
}

async fn account(t: &TestStore, email: &str, role: StaffRole) -> StaffView {
    t.store
        .create_staff(NewStaff {
            name: "Robin Vale".into(),
            email: email.into(),
            password: Secret::new(PASSWORD),
            role,
        })
        .await
        .unwrap()
}

async fn sign_in(t: &TestStore, email: &str, browser: &str) -> (SessionToken, StaffSession) {
    let browser = Browser {
        user_agent: browser.into(),
        address: "192.0.2.7".into(),
    };
    t.store
        .sign_in_with(email, Secret::new(PASSWORD), &browser)
        .await
        .unwrap()
}

async fn session(t: &TestStore, token: &SessionToken) -> StaffSession {
    t.store
        .session(token)
        .await
        .unwrap()
        .expect("a live session")
}

/// Sets up an authenticator app on `session` and returns its seed and recovery codes.
async fn set_up_app(t: &TestStore, session: &StaffSession) -> (Seed, Vec<String>) {
    let setup = t.store.begin_authenticator_setup(session).await.unwrap();
    let seed = Seed::from_base32(setup.secret.replace(' ', ""));
    assert!(setup.qr_svg.starts_with("<?xml") || setup.qr_svg.contains("<svg"));
    let code = seed.code_at(t.clock.now()).unwrap();
    let (after, codes) = t
        .store
        .confirm_authenticator_setup(session, &code)
        .await
        .unwrap();
    assert_eq!(after.step, SignInStep::Done);
    (seed, codes)
}

async fn count(t: &TestStore, action: AuditAction, outcome: AuditOutcome) -> usize {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::Outcome.eq(outcome))
        .all(&t.store.db)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_required_factor_is_set_up_before_anything_else_then_asked_at_each_sign_in() {
    let t = store(SecondFactorPolicy::Required).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (token, first) = sign_in(&t, "robin@example.com", "").await;
    assert_eq!(first.step, SignInStep::EnrolFactor);
    // A password alone opens nothing.
    assert_eq!(t.store.session_staff(&token).await.unwrap(), None);
    assert_eq!(
        session(&t, &token).await.finished(),
        Err(AppError::SignInUnfinished(SignInStep::EnrolFactor))
    );

    // A wrong first code leaves the app unconfirmed.
    t.store.begin_authenticator_setup(&first).await.unwrap();
    let refused = t
        .store
        .confirm_authenticator_setup(&first, "000000")
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(refused, AppError::InvalidInput { .. }),
        "{refused:?}"
    );
    let (seed, codes) = set_up_app(&t, &first).await;
    assert_eq!(codes.len(), 10);
    assert!(t.store.session_staff(&token).await.unwrap().is_some());
    let factors = t.store.factors(first.staff.id).await.unwrap();
    assert!(factors.authenticator_app);
    assert_eq!(factors.recovery_codes_left, 10);
    assert_eq!(
        count(&t, AuditAction::FactorAdded, AuditOutcome::Success).await,
        1
    );

    // The next sign-in asks for the factor; the code just used is refused (replay), the
    // next half-minute's is accepted once.
    let (token, second) = sign_in(&t, "robin@example.com", "").await;
    assert_eq!(second.step, SignInStep::SecondFactor);
    let used = seed.code_at(t.clock.now()).unwrap();
    let replay = t.store.confirm_second_factor(&second, &used).await;
    assert!(matches!(replay, Err(AppError::InvalidInput { .. })));
    t.clock.advance(Duration::seconds(30));
    let fresh = seed.code_at(t.clock.now()).unwrap();
    let done = t
        .store
        .confirm_second_factor(&second, &fresh)
        .await
        .unwrap();
    assert_eq!(done.step, SignInStep::Done);
    assert!(t.store.session_staff(&token).await.unwrap().is_some());
    let (_, third) = sign_in(&t, "robin@example.com", "").await;
    assert!(t.store.confirm_second_factor(&third, &fresh).await.is_err());
    assert_eq!(
        count(&t, AuditAction::SecondFactor, AuditOutcome::Failure).await,
        2
    );
    assert_eq!(
        count(&t, AuditAction::SecondFactor, AuditOutcome::Success).await,
        1
    );

    // The seed is sealed at rest.
    let row = janus_store::entity::staff_user::Entity::find_by_id(first.staff.id)
        .one(&t.store.db)
        .await
        .unwrap()
        .unwrap();
    let sealed = row.totp_secret_sealed.unwrap();
    assert!(sealed.starts_with("sealed:"));
    assert!(!sealed.contains(&setup_secret_of(&seed)));
}

fn setup_secret_of(seed: &Seed) -> String {
    seed.otpauth_url("x@example.com")
        .unwrap()
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let t = store(SecondFactorPolicy::Required).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (_, first) = sign_in(&t, "robin@example.com", "").await;
    let (_, codes) = set_up_app(&t, &first).await;

    let (_, second) = sign_in(&t, "robin@example.com", "").await;
    // Typed as people do: upper case, spaces for dashes.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let done = t
        .store
        .confirm_second_factor(&second, &typed)
        .await
        .unwrap();
    assert_eq!(done.step, SignInStep::Done);
    assert_eq!(
        t.store
            .factors(first.staff.id)
            .await
            .unwrap()
            .recovery_codes_left,
        9
    );
    let (_, third) = sign_in(&t, "robin@example.com", "").await;
    assert!(matches!(
        t.store.confirm_second_factor(&third, &codes[3]).await,
        Err(AppError::InvalidInput { .. })
    ));
    assert!(
        t.store
            .confirm_second_factor(&third, &codes[4])
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn guessing_second_factor_codes_is_throttled() {
    let t = store(SecondFactorPolicy::Required).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (_, first) = sign_in(&t, "robin@example.com", "").await;
    let (seed, _) = set_up_app(&t, &first).await;
    let (_, second) = sign_in(&t, "robin@example.com", "").await;
    let limit = t.store.settings.throttle.second_factor_per_account;
    for _ in 0..limit {
        assert!(matches!(
            t.store.confirm_second_factor(&second, "000000").await,
            Err(AppError::InvalidInput { .. })
        ));
    }
    t.clock.advance(Duration::seconds(30));
    let right = seed.code_at(t.clock.now()).unwrap();
    assert!(matches!(
        t.store.confirm_second_factor(&second, &right).await,
        Err(AppError::TooManyAttempts(_))
    ));
}

#[tokio::test]
async fn admin_actions_need_a_factor_confirmed_within_five_minutes() {
    let t = store(SecondFactorPolicy::Required).await;
    account(&t, "boss@example.com", StaffRole::Admin).await;
    let (token, first) = sign_in(&t, "boss@example.com", "").await;
    let (seed, _) = set_up_app(&t, &first).await;
    let now = session(&t, &token).await;
    assert_eq!(t.store.require_step_up(&now).await, Ok(()));
    t.clock.advance(Duration::minutes(4));
    assert_eq!(
        t.store.require_step_up(&session(&t, &token).await).await,
        Ok(())
    );
    t.clock.advance(Duration::minutes(1));
    let stale = session(&t, &token).await;
    assert!(matches!(
        t.store.require_step_up(&stale).await,
        Err(AppError::StepUpRequired(_))
    ));
    // Adding a factor from a finished session waits for step-up too.
    assert!(matches!(
        t.store.renew_recovery_codes(&stale).await,
        Err(AppError::StepUpRequired(_))
    ));
    let code = seed.code_at(t.clock.now()).unwrap();
    let again = t.store.confirm_second_factor(&stale, &code).await.unwrap();
    assert_eq!(again.step, SignInStep::Done);
    assert_eq!(
        t.store.require_step_up(&session(&t, &token).await).await,
        Ok(())
    );
    assert_eq!(
        t.store
            .renew_recovery_codes(&session(&t, &token).await)
            .await
            .unwrap()
            .len(),
        10
    );
}

#[tokio::test]
async fn without_a_factor_step_up_takes_the_password_again() {
    let t = store(SecondFactorPolicy::Optional).await;
    account(&t, "boss@example.com", StaffRole::Admin).await;
    let (token, first) = sign_in(&t, "boss@example.com", "").await;
    assert_eq!(first.step, SignInStep::Done);
    assert_eq!(t.store.require_step_up(&first).await, Ok(()));
    t.clock.advance(Duration::minutes(6));
    let stale = session(&t, &token).await;
    assert!(t.store.require_step_up(&stale).await.is_err());
    assert!(
        t.store
            .confirm_password_again(&stale, Secret::new("not it at all"))
            .await
            .is_err()
    );
    t.store
        .confirm_password_again(&stale, Secret::new(PASSWORD))
        .await
        .unwrap();
    assert_eq!(
        t.store.require_step_up(&session(&t, &token).await).await,
        Ok(())
    );
}

#[tokio::test]
async fn a_first_password_from_an_admin_is_changed_at_sign_in_and_a_change_ends_other_sessions() {
    let t = store(SecondFactorPolicy::Optional).await;
    let admin = account(&t, "boss@example.com", StaffRole::Admin).await;
    t.store
        .add_staff(
            &admin,
            NewStaff {
                name: "Sam Reyes".into(),
                email: "sam@example.com".into(),
                password: Secret::new(PASSWORD),
                role: StaffRole::Verifier,
            },
        )
        .await
        .unwrap();
    let (elsewhere, _) = sign_in(&t, "sam@example.com", "curl/8").await;
    let (token, first) = sign_in(&t, "sam@example.com", "").await;
    assert_eq!(first.step, SignInStep::ChangePassword);
    assert_eq!(t.store.session_staff(&token).await.unwrap(), None);

    for (current, new, field) in [
        (
            "wrong one entirely",
            "harbor-lantern-7412",
            "current_password",
        ),
        (PASSWORD, "password1234", "password"),
        (PASSWORD, "sam-reyes-lantern-7", "password"),
        (PASSWORD, PASSWORD, "password"),
    ] {
        match t
            .store
            .change_own_password(&first, Secret::new(current), Secret::new(new))
            .await
        {
            Err(AppError::InvalidInput { field: f, .. }) => assert_eq!(f, field, "{new}"),
            other => panic!("{new}: {:?}", other.map(|s| s.step)),
        }
    }
    let done = t
        .store
        .change_own_password(
            &first,
            Secret::new(PASSWORD),
            Secret::new("harbor-lantern-7412"),
        )
        .await
        .unwrap();
    assert_eq!(done.step, SignInStep::Done);
    assert!(t.store.session_staff(&token).await.unwrap().is_some());
    assert_eq!(t.store.session(&elsewhere).await.unwrap(), None);
    assert!(
        t.store
            .sign_in("sam@example.com", Secret::new("harbor-lantern-7412"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn staff_list_and_end_their_sessions_and_admins_anyones() {
    let t = store(SecondFactorPolicy::Optional).await;
    let admin = account(&t, "boss@example.com", StaffRole::Admin).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36";
    let (_, here) = sign_in(&t, "robin@example.com", chrome).await;
    t.clock.advance(Duration::minutes(2));
    let (there_token, there) = sign_in(&t, "robin@example.com", "curl/8.5").await;

    let list = t.store.list_sessions(&here, here.staff.id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].browser, "curl");
    assert_eq!(list[1].browser, "Chrome on Linux");
    assert!(list[1].current && !list[0].current);
    assert_eq!(list[0].address, "192.0.2.7");

    // Not the one in use; not someone else's, unless an admin.
    let refused = t.store.end_session(&here, here.staff.id, &list[1].id).await;
    assert!(matches!(refused, Err(AppError::InvalidInput { .. })));
    let (_, boss) = sign_in(&t, "boss@example.com", "").await;
    let agent_view = t.store.list_sessions(&there, boss.staff.id).await;
    assert!(matches!(agent_view, Err(AppError::Forbidden(_))));
    t.store
        .end_session(&here, here.staff.id, &list[0].id)
        .await
        .unwrap();
    assert_eq!(t.store.session(&there_token).await.unwrap(), None);
    assert!(matches!(
        t.store.end_session(&here, here.staff.id, &list[0].id).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        t.store
            .list_sessions(&boss, here.staff.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(admin.role, StaffRole::Admin);
    assert_eq!(
        count(&t, AuditAction::SessionEnded, AuditOutcome::Success).await,
        1
    );
}

#[tokio::test]
async fn an_admin_resets_a_lost_factor_or_password_and_the_sessions_end() {
    let t = store(SecondFactorPolicy::Required).await;
    let admin = account(&t, "boss@example.com", StaffRole::Admin).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (token, robin) = sign_in(&t, "robin@example.com", "").await;
    set_up_app(&t, &robin).await;
    t.store
        .change_staff(&admin, robin.staff.id, StaffChange::ResetSecondFactor)
        .await
        .unwrap();
    assert_eq!(t.store.session(&token).await.unwrap(), None);
    assert!(t.store.factors(robin.staff.id).await.unwrap().is_empty());
    let (_, again) = sign_in(&t, "robin@example.com", "").await;
    assert_eq!(again.step, SignInStep::EnrolFactor);

    let (member, issued) = t
        .store
        .reset_staff_password(&admin, robin.staff.id)
        .await
        .unwrap();
    assert!(member.must_change_password);
    assert!(
        t.store
            .sign_in("robin@example.com", Secret::new(PASSWORD))
            .await
            .is_err()
    );
    let (_, after) = t
        .store
        .sign_in_with("robin@example.com", issued, &Browser::default())
        .await
        .unwrap();
    assert_eq!(after.step, SignInStep::ChangePassword);
    assert_eq!(
        count(&t, AuditAction::PasswordReset, AuditOutcome::Success).await,
        1
    );
    assert_eq!(
        count(&t, AuditAction::FactorRemoved, AuditOutcome::Success).await,
        1
    );

    // Robin is told of each, by email, and the notice names the admin.
    let notices = janus_store::entity::message::Entity::find()
        .filter(janus_store::entity::message::Column::Recipient.eq("robin@example.com"))
        .filter(
            janus_store::entity::message::Column::Kind
                .eq(janus_domain::messages::MessageKind::StaffAccount),
        )
        .all(&t.store.db)
        .await
        .unwrap();
    assert_eq!(notices.len(), 2);
    let texts: Vec<String> = notices
        .iter()
        .map(|m| t.store.sealer.open(&m.text_body).unwrap())
        .collect();
    assert!(texts[0].contains("removed your passkeys"), "{}", texts[0]);
    assert!(texts[1].contains("reset your password"), "{}", texts[1]);
    assert!(texts.iter().all(|text| text.contains("Robin Vale")));
    assert!(notices.iter().all(|m| m.client_id.is_none()));
}

/// Someone with the password alone signs in while the account has no factor; its owner
/// then sets one up elsewhere. The stranger's half-signed-in session must not go on to set
/// up a factor of its own, nor renew the owner's recovery codes.
#[tokio::test]
async fn a_password_only_session_cannot_take_over_once_the_owner_sets_up_a_factor() {
    let t = store(SecondFactorPolicy::Required).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (stranger_token, stranger) = sign_in(&t, "robin@example.com", "curl/8").await;
    assert_eq!(stranger.step, SignInStep::EnrolFactor);
    let (_, owner) = sign_in(&t, "robin@example.com", "").await;
    set_up_app(&t, &owner).await;

    // What the stranger held is judged afresh: the account has a factor now.
    assert_eq!(
        t.store.renew_recovery_codes(&stranger).await.map(|_| ()),
        Err(AppError::SignInUnfinished(SignInStep::SecondFactor))
    );
    assert!(t.store.begin_passkey_registration(&stranger).await.is_err());
    assert!(t.store.begin_authenticator_setup(&stranger).await.is_err());
    // And the session itself ended when the owner's factor was set up.
    assert_eq!(t.store.session(&stranger_token).await.unwrap(), None);
    assert_eq!(
        t.store
            .factors(owner.staff.id)
            .await
            .unwrap()
            .recovery_codes_left,
        10
    );
}

#[tokio::test]
async fn the_last_factor_stays_where_the_policy_wants_one() {
    let t = store(SecondFactorPolicy::Required).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (token, first) = sign_in(&t, "robin@example.com", "").await;
    set_up_app(&t, &first).await;
    let now = session(&t, &token).await;
    assert!(matches!(
        t.store.remove_authenticator(&now).await,
        Err(AppError::InvalidInput { .. })
    ));
    assert!(
        t.store
            .factors(first.staff.id)
            .await
            .unwrap()
            .authenticator_app
    );

    // Where the policy allows none, it goes, and its recovery codes with it.
    let t = store(SecondFactorPolicy::Optional).await;
    account(&t, "robin@example.com", StaffRole::Agent).await;
    let (token, first) = sign_in(&t, "robin@example.com", "").await;
    set_up_app(&t, &first).await;
    t.store
        .remove_authenticator(&session(&t, &token).await)
        .await
        .unwrap();
    assert_eq!(
        t.store.factors(first.staff.id).await.unwrap(),
        janus_domain::staff::second_factor::Factors::default()
    );
    assert_eq!(
        count(&t, AuditAction::FactorRemoved, AuditOutcome::Success).await,
        1
    );
}
