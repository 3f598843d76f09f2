//! The security PIN's server functions and the client PIN page over HTTP: anonymous
//! refusal, malformed input answered 4xx with a reason (never 5xx), the no-JavaScript form
//! post, and the sensitive-workflow gate.

mod common;

use axum::Router;
use axum::body::Body;
use common::{Answer, app_and_store, expect, get, link_token, pin_client, post, send, sign_in};
use http::{Request, StatusCode, header};
use janus_domain::ids::{ClientId, ContactId};

async fn send_setup_link(app: &Router, cookie: &str, client_id: ClientId, contact_id: ContactId) {
    let answer = send(
        app,
        post(
            "/api/send_pin_link",
            &format!("client_id={client_id}&contact_id={contact_id}&purpose=setup"),
            Some(cookie),
        ),
    )
    .await;
    expect(&answer, StatusCode::OK, "LinkSent", "send link");
}

#[tokio::test]
async fn staff_pin_functions_refuse_anonymous_callers() {
    let (app, _) = app_and_store().await;
    for (path, form) in [
        ("/api/get_security_status", "client_id=1"),
        ("/api/get_client_audit", "client_id=1"),
        (
            "/api/send_pin_link",
            "client_id=1&contact_id=1&purpose=setup",
        ),
        ("/api/verify_pin", "client_id=1&contact_id=1&pin=731946"),
        ("/api/end_verification", "client_id=1"),
        ("/api/send_two_step_code", "client_id=1&contact_id=1"),
        ("/api/verify_two_step_code", "client_id=1&code=123456"),
        ("/api/get_message_previews", "brand=compeo"),
        (
            "/api/add_contact",
            "client_id=1&name=A&role=owner&email=a%40b.co&mobile=&reason=",
        ),
        (
            "/api/edit_contact",
            "client_id=1&contact_id=1&name=A&role=owner&email=a%40b.co&mobile=&reason=",
        ),
        ("/api/remove_contact", "client_id=1&contact_id=1&reason="),
        ("/api/prove_its_us", "client_id=1&contact_id=1"),
        (
            "/api/approve_cooling_off",
            "client_id=1&contact_id=1&reason=because",
        ),
    ] {
        let answer = send(&app, post(path, form, None)).await;
        expect(&answer, StatusCode::UNAUTHORIZED, "Unauthenticated", path);
    }
}

#[tokio::test]
async fn malformed_pins_and_codes_get_4xx_with_a_clear_reason() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (id, owner, stranger) = pin_client(&store).await;
    send_setup_link(&app, &cookie, id, owner.id).await;
    let token = link_token(&store, &owner.email).await;
    let set = send(
        &app,
        post(
            "/api/complete_pin_setup",
            &format!("token={token}&pin=731946&confirm=731946"),
            None,
        ),
    )
    .await;
    expect(&set, StatusCode::OK, r#""purpose":"setup""#, "set the PIN");

    let huge = "7".repeat(10_000);
    let arabic = "%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6"; // ١٢٣٤٥٦
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin=12345", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "has 5 digits",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin=1234567", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "has 7 digits",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin={arabic}", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the digits 0 to 9",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin=12a456", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the digits 0 to 9",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin=+12345", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the digits 0 to 9",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin=", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter a 6-digit PIN",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin={huge}", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 16 characters",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}", owner.id),
            StatusCode::BAD_REQUEST,
            "Malformed",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&pin=731946"),
            StatusCode::BAD_REQUEST,
            "missing field `contact_id`",
        ),
        (
            "/api/verify_pin",
            format!("client_id={id}&contact_id={}&pin=731946", stranger.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "this client",
        ),
        (
            "/api/end_verification",
            format!("client_id={id}"),
            StatusCode::FORBIDDEN,
            "Only an admin",
        ),
        (
            "/api/verify_pin",
            "client_id=x&contact_id=1&pin=731946".into(),
            StatusCode::BAD_REQUEST,
            "Malformed",
        ),
        (
            "/api/verify_two_step_code",
            format!("client_id={id}&code=12345"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "The code has 5 digits",
        ),
        (
            "/api/verify_two_step_code",
            format!("client_id={id}&code=abcdef"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the digits",
        ),
        (
            "/api/verify_two_step_code",
            format!("client_id={id}&code=123456"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "No 2-step code is waiting",
        ),
        (
            "/api/send_pin_link",
            format!("client_id={id}&contact_id={}&purpose=bogus", owner.id),
            StatusCode::BAD_REQUEST,
            "expected `setup` or `reset`",
        ),
        (
            "/api/send_pin_link",
            format!("client_id={id}&contact_id={}&purpose=reset", stranger.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "this client",
        ),
        (
            "/api/send_two_step_code",
            format!("client_id={id}&contact_id=999999"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "this client",
        ),
        (
            "/api/get_security_status",
            "client_id=999999".into(),
            StatusCode::NOT_FOUND,
            "Client",
        ),
        (
            "/api/sync_employees",
            format!("client_id={id}"),
            StatusCode::PRECONDITION_REQUIRED,
            "Sync Employees needs the Owner or an Authorized Representative",
        ),
        (
            "/api/get_setup_page",
            format!("token={token}"),
            StatusCode::GONE,
            "LinkUnusable",
        ),
        (
            "/api/get_setup_page",
            "token=".into(),
            StatusCode::GONE,
            "LinkUnusable",
        ),
        (
            "/api/complete_pin_setup",
            "token=nope&pin=731946&confirm=731946".into(),
            StatusCode::GONE,
            "LinkUnusable",
        ),
        (
            "/api/complete_pin_setup",
            "token=nope&pin=123456&confirm=123456".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "counting up or down",
        ),
    ];
    for (path, form, status, needle) in cases {
        let answer = send(&app, post(path, &form, Some(&cookie))).await;
        let shown = &form[..form.len().min(60)];
        expect(&answer, status, needle, &format!("{path} {shown}"));
    }

    let verified = send(
        &app,
        post(
            "/api/verify_pin",
            &format!("client_id={id}&contact_id={}&pin=731946", owner.id),
            Some(&cookie),
        ),
    )
    .await;
    expect(&verified, StatusCode::OK, "Verified", "the right PIN");
    let sync = send(
        &app,
        post(
            "/api/sync_employees",
            &format!("client_id={id}"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(sync.status, StatusCode::OK, "{}", sync.body);
}

fn plain_form_post(path: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(http::header::HOST, common::HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, "http://127.0.0.1:3000/pin/whatever")
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn location(answer: &Answer) -> &str {
    answer
        .headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_else(|| panic!("no Location: {} {}", answer.status, answer.body))
}

#[tokio::test]
async fn the_client_page_works_as_a_plain_form_without_javascript() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (id, owner, _) = pin_client(&store).await;
    send_setup_link(&app, &cookie, id, owner.id).await;
    let token = link_token(&store, &owner.email).await;

    // Anyone with the link sees the page, rendered whole on the server.
    let page = send(&app, get(&format!("/pin/{token}"), None)).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Set your security PIN",
        "Compeo",
        "action=\"/api/complete_pin_setup\"",
        "name=\"confirm\"",
    ] {
        assert!(page.body.contains(needle), "{needle}: {}", page.body);
    }

    let weak = send(
        &app,
        plain_form_post(
            "/api/complete_pin_setup",
            &format!("token={token}&pin=111111&confirm=111111"),
        ),
    )
    .await;
    assert_eq!(weak.status, StatusCode::FOUND, "{}", weak.body);
    assert_eq!(location(&weak), format!("/pin/{token}?problem=repeated"));
    let shown = send(&app, get(location(&weak), None)).await;
    assert!(shown.body.contains("one digit repeated"), "{}", shown.body);

    let mismatch = send(
        &app,
        plain_form_post(
            "/api/complete_pin_setup",
            &format!("token={token}&pin=731946&confirm=731947"),
        ),
    )
    .await;
    assert_eq!(
        location(&mismatch),
        format!("/pin/{token}?problem=mismatch")
    );

    let done = send(
        &app,
        plain_form_post(
            "/api/complete_pin_setup",
            &format!("token={token}&pin=731946&confirm=731946"),
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::FOUND);
    assert_eq!(location(&done), "/pin/complete/compeo?purpose=setup");
    let complete = send(&app, get(location(&done), None)).await;
    assert!(
        complete.body.contains("Setup complete"),
        "{}",
        complete.body
    );

    // The used link now shows one generic message.
    let again = send(
        &app,
        plain_form_post(
            "/api/complete_pin_setup",
            &format!("token={token}&pin=731946&confirm=731946"),
        ),
    )
    .await;
    assert_eq!(location(&again), format!("/pin/{token}"));
    let dead = send(&app, get(&format!("/pin/{token}"), None)).await;
    assert!(
        dead.body.contains("can no longer be used") && !dead.body.contains("name=\"confirm\""),
        "{}",
        dead.body
    );
    let unknown = send(&app, get("/pin/not-a-real-token", None)).await;
    assert!(unknown.body.contains("can no longer be used"));
}

#[tokio::test]
async fn the_dev_mailbox_lists_messages_with_their_links() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (id, owner, _) = pin_client(&store).await;
    send_setup_link(&app, &cookie, id, owner.id).await;
    let token = link_token(&store, &owner.email).await;
    // The delivery worker hands both (email and SMS) to the dev-mailbox transport.
    let transports =
        janus_store::transports::Transports::from_settings(&store.settings, Default::default())
            .unwrap();
    assert_eq!(
        server::delivery::deliver_due(&store, &transports)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        server::delivery::deliver_due(&store, &transports)
            .await
            .unwrap(),
        0
    );
    let page = send(&app, get("/dev/mailbox", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches(">sent</span>").count(),
        2,
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!(
            "href=\"http://127.0.0.1:3000/pin/{token}\" rel=\"external\""
        )),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn staff_preview_every_message_per_brand_with_sample_data() {
    let (app, _) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let anonymous = send(&app, get("/messages?brand=compeo", None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "staff only");

    let page = send(&app, get("/messages?brand=compeo", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "PIN setup email",
        "PIN reset email",
        "Setup / reset link SMS",
        "2-step code email",
        "2-step code SMS",
        "PIN-changed notice",
        "Compeo: set your security PIN for Riverside Bakery &amp; Café",
        "/pin/sample-link-for-preview-only",
        "482915",
    ] {
        assert!(page.body.contains(shown), "{shown} missing");
    }
    let other = send(
        &app,
        post(
            "/api/get_message_previews",
            "brand=summit-payroll",
            Some(&cookie),
        ),
    )
    .await;
    expect(
        &other,
        StatusCode::NOT_FOUND,
        "Brand",
        "a brand outside the workflow",
    );
}
