//! The staff door over HTTP: where a second factor is required, a session opened with a
//! password alone is refused by every server function but the steps of signing in; a
//! verifier is refused every function beyond checking callers, with the reason; admin
//! actions wait for step-up.

mod common;

use std::collections::BTreeSet;

use common::*;
use http::StatusCode;
use janus_domain::staff::second_factor::SecondFactorPolicy;
use janus_store::seed::{
    DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD,
};

/// Every staff server function with arguments it accepts, and whether a verifier may
/// call it so. Public functions (the client page's, sign-in and sign-out) are listed apart.
const STAFF_FUNCTIONS: &[(&str, &str, bool)] = &[
    ("/api/current_staff", "", true),
    (
        "/api/list_clients",
        "tab=currently-enrolling&search=&page=1",
        true,
    ),
    ("/api/get_lead_card", "client_id=1", true),
    ("/api/get_client_audit", "client_id=1", true),
    ("/api/get_security_status", "client_id=1", true),
    ("/api/watch_security_status", "client_id=1", true),
    ("/api/watch_lead_card", "client_id=1", true),
    ("/api/watch_client_audit", "client_id=1", true),
    (
        "/api/watch_clients",
        "tab=currently-enrolling&search=&page=1",
        true,
    ),
    (
        "/api/verify_pin",
        "client_id=1&contact_id=1&pin=731946",
        true,
    ),
    ("/api/send_two_step_code", "client_id=1&contact_id=1", true),
    ("/api/verify_two_step_code", "client_id=1&code=123456", true),
    ("/api/prove_its_us", "client_id=1&contact_id=1", true),
    ("/api/end_verification", "client_id=1", false),
    (
        "/api/send_pin_link",
        "client_id=1&contact_id=1&purpose=setup",
        false,
    ),
    (
        "/api/unlock_pin_checks",
        "client_id=1&reason=caller+confirmed",
        false,
    ),
    (
        "/api/approve_cooling_off",
        "client_id=1&contact_id=1&reason=because",
        false,
    ),
    ("/api/sync_employees", "client_id=1", false),
    ("/api/send_to_beia", "client_id=1", false),
    (
        "/api/move_client_stage",
        "client_id=1&to=enrolled&reason=",
        false,
    ),
    (
        "/api/add_contact",
        "client_id=1&name=A&role=owner&email=a%40b.co&mobile=&reason=",
        false,
    ),
    (
        "/api/edit_contact",
        "client_id=1&contact_id=1&name=A&role=owner&email=a%40b.co&mobile=&reason=",
        false,
    ),
    (
        "/api/remove_contact",
        "client_id=1&contact_id=1&reason=",
        false,
    ),
    ("/api/get_message_previews", "brand=compeo", false),
    ("/api/dev_mailbox", "", false),
    ("/api/list_staff", "", false),
    (
        "/api/add_staff",
        "name=Eve+Stone&email=eve%40example.com&role=agent&password=harbor-lantern-7412",
        false,
    ),
    ("/api/change_staff", "id=1&change=deactivate", false),
    ("/api/reset_staff_password", "id=1", false),
    (
        "/api/sign_in_audit",
        "staff=&action=&outcome=&from=&to=",
        false,
    ),
    // Another person's sessions (staff user 1 is the demo agent): for admins.
    ("/api/list_sessions", "whose=1", false),
    (
        "/api/end_session",
        "whose=1&session=00000000000000000000000000000000",
        false,
    ),
];

/// What a session part-way through signing in may still call.
const SIGN_IN_STEPS: &[&str] = &[
    "/api/my_account",
    "/api/confirm_second_factor",
    "/api/change_password",
    "/api/begin_authenticator_setup",
    "/api/confirm_authenticator_setup",
    "/api/step_up",
    "/api/remove_authenticator",
    "/api/renew_recovery_codes",
    "/api/my_passkeys",
    "/api/begin_passkey_registration",
    "/api/finish_passkey_registration",
    "/api/remove_passkey",
    "/api/begin_passkey_check",
    "/api/finish_passkey_check",
];

/// Anyone may call these.
const PUBLIC: &[&str] = &[
    "/api/sign_in",
    "/api/sign_out",
    "/api/get_setup_page",
    "/api/complete_pin_setup",
    "/api/get_brand",
    "/api/begin_passkey_sign_in",
    "/api/finish_passkey_sign_in",
];

#[tokio::test]
async fn every_server_function_is_in_one_of_the_tables() {
    let _ = app().await;
    let registered: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    let listed: BTreeSet<&str> = STAFF_FUNCTIONS
        .iter()
        .map(|(path, _, _)| *path)
        .chain(SIGN_IN_STEPS.iter().copied())
        .chain(PUBLIC.iter().copied())
        .collect();
    assert_eq!(
        registered, listed,
        "a server function is missing from a table"
    );
}

#[tokio::test]
async fn a_password_alone_opens_no_server_function_where_a_factor_is_required() {
    let mut settings = test_settings();
    settings.staff.second_factor = Some(SecondFactorPolicy::Required);
    let (app, _) = app_with(settings).await;
    let cookie = sign_in_as(&app, DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await;
    for (path, form, _) in STAFF_FUNCTIONS {
        let answer = send(&app, post(path, form, Some(&cookie))).await;
        expect(&answer, StatusCode::FORBIDDEN, "SignInUnfinished", path);
    }
    // The pages too: each sends the session to the step it is at.
    for page in [
        "/",
        "/clients/1",
        "/staff",
        "/account",
        "/login/second-factor",
    ] {
        let answer = send(&app, get(page, Some(&cookie))).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{page}");
        let to = answer.headers[http::header::LOCATION].to_str().unwrap();
        assert!(
            to.starts_with("/login/set-up-second-factor?next="),
            "{page} → {to}"
        );
    }
    // The step itself answers.
    let account = send(&app, post("/api/my_account", "", Some(&cookie))).await;
    expect(&account, StatusCode::OK, "enrol_factor", "my_account");
    let setup = send(
        &app,
        post("/api/begin_authenticator_setup", "", Some(&cookie)),
    )
    .await;
    expect(
        &setup,
        StatusCode::OK,
        "otpauth://totp/",
        "begin_authenticator_setup",
    );
}

#[tokio::test]
async fn a_verifier_checks_callers_and_is_refused_everything_else_with_the_reason() {
    let (app, store) = app_and_store().await;
    let admin = store
        .sign_in(
            DEMO_ADMIN_EMAIL,
            janus_domain::Secret::new(DEMO_ADMIN_PASSWORD),
        )
        .await
        .unwrap()
        .1;
    store
        .create_staff(janus_store::auth::NewStaff {
            name: "Vera Quinn".into(),
            email: "vera@example.com".into(),
            password: janus_domain::Secret::new("harbor-lantern-7412"),
            role: janus_domain::staff::StaffRole::Verifier,
        })
        .await
        .unwrap();
    assert_eq!(admin.role, janus_domain::staff::StaffRole::Admin);
    let cookie = sign_in_as(&app, "vera@example.com", "harbor-lantern-7412").await;
    for (path, form, verifier_may) in STAFF_FUNCTIONS {
        let answer = send(&app, post(path, form, Some(&cookie))).await;
        if *verifier_may {
            assert_ne!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{path}: {}",
                answer.body
            );
            assert_ne!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{path}: {}",
                answer.body
            );
        } else {
            expect(&answer, StatusCode::FORBIDDEN, "Forbidden", path);
            assert!(
                answer.body.contains("Verifiers") || answer.body.contains("admin"),
                "{path}: the refusal says why: {}",
                answer.body
            );
        }
    }
    // Pages for enrollment work and for admins are not theirs either.
    let dashboard = send(&app, get("/", Some(&cookie))).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(!dashboard.body.contains("href=\"/messages\""));
    assert!(!dashboard.body.contains("href=\"/staff\""));
}

#[tokio::test]
async fn admin_actions_wait_for_step_up() {
    let mut store = server::open_store(
        test_settings(),
        &server::settings::Secrets::from_pepper(b"http test pepper"),
    )
    .await
    .unwrap();
    let clock = std::sync::Arc::new(janus_domain::clock::FixedClock::new(chrono::Utc::now()));
    store.clock = clock.clone();
    store.seed_demo().await.unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("janus")
        .build();
    let app = server::router::app(store.clone(), options);
    let cookie = sign_in_as(&app, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let (_, agent) = store
        .sign_in(
            DEMO_AGENT_EMAIL,
            janus_domain::Secret::new(DEMO_AGENT_PASSWORD),
        )
        .await
        .unwrap();
    let change = |to: &str| format!("id={}&change={to}", agent.id);
    // Fresh from signing in, the password counts (the demo admin has no second factor).
    let answer = send(
        &app,
        post("/api/change_staff", &change("make-verifier"), Some(&cookie)),
    )
    .await;
    expect(&answer, StatusCode::OK, "verifier", "fresh change");
    // Six minutes later it does not, and nothing changes.
    clock.advance(chrono::Duration::minutes(6));
    let answer = send(
        &app,
        post("/api/change_staff", &change("make-agent"), Some(&cookie)),
    )
    .await;
    expect(
        &answer,
        StatusCode::FORBIDDEN,
        "StepUpRequired",
        "stale change",
    );
    let refused = send(
        &app,
        post(
            "/api/step_up",
            "code=&password=wrong+password",
            Some(&cookie),
        ),
    )
    .await;
    expect(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "password",
        "wrong step-up",
    );
    let answer = send(
        &app,
        post("/api/change_staff", &change("make-agent"), Some(&cookie)),
    )
    .await;
    expect(
        &answer,
        StatusCode::FORBIDDEN,
        "StepUpRequired",
        "still stale",
    );
    // Typing the password again makes it fresh.
    let form = format!(
        "code=&password={}",
        janus_domain::url::encode_query_value(DEMO_ADMIN_PASSWORD)
    );
    let confirmed = send(&app, post("/api/step_up", &form, Some(&cookie))).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let answer = send(
        &app,
        post("/api/change_staff", &change("make-agent"), Some(&cookie)),
    )
    .await;
    expect(&answer, StatusCode::OK, "agent", "after step-up");
}
