//! The whole router, called in process with `oneshot`: sign-in, sign-out, the page guard,
//! anonymous refusal of server functions and malformed input.

mod common;

use common::{app, app_and_store, get, post, send, sign_in, sign_in_as};
use http::{StatusCode, header};
use janus_store::seed::DEMO_AGENT_EMAIL;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test]
async fn anonymous_pages_redirect_to_sign_in_with_the_way_back() {
    let app = app().await;
    for (path, next) in [
        ("/", "%2F"),
        ("/clients/3", "%2Fclients%2F3"),
        ("/?tab=all&q=bakery", "%2F%3Ftab%3Dall%26q%3Dbakery"),
    ] {
        let answer = send(&app, get(path, None)).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        let location = answer
            .headers
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(
            location,
            format!("/login?next={next}").replace("%2F", "/"),
            "{path}"
        );
    }
    let login = send(&app, get("/login", None)).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Staff sign-in"));
}

#[tokio::test]
async fn anonymous_server_functions_answer_401() {
    let app = app().await;
    for (path, form) in [
        ("/api/list_clients", "tab=all&search=&page=1"),
        ("/api/get_lead_card", "client_id=1"),
        ("/api/current_staff", ""),
        ("/api/sync_employees", "client_id=1"),
        ("/api/send_to_beia", "client_id=1"),
        ("/api/move_client_stage", "client_id=1&to=enrolled&reason="),
        ("/api/list_staff", ""),
        (
            "/api/add_staff",
            "name=X&email=x%40example.com&role=agent&password=a+long+password",
        ),
        ("/api/change_staff", "id=1&change=deactivate"),
    ] {
        let answer = send(&app, post(path, form, None)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            answer.body
        );
        assert!(
            answer.body.contains("Unauthenticated"),
            "{path}: {}",
            answer.body
        );
    }
    // A cookie that names no session is the same as none.
    let answer = send(
        &app,
        post("/api/current_staff", "", Some("janus_session=forged")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let app = app().await;
    let wrong_password = send(
        &app,
        post(
            "/api/sign_in",
            &format!("email={DEMO_AGENT_EMAIL}&password=not-the-password"),
            None,
        ),
    )
    .await;
    let unknown = send(
        &app,
        post(
            "/api/sign_in",
            "email=nobody%40janus.example&password=not-the-password",
            None,
        ),
    )
    .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong_password.status);
    assert_eq!(unknown.body, wrong_password.body);
    assert!(wrong_password.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn signed_in_staff_see_the_dashboard_and_lead_cards_then_sign_out() {
    let app = app().await;
    let cookie = sign_in(&app).await;

    let dashboard = send(&app, get("/?tab=all", Some(&cookie))).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard.body.contains("Enrollment Dashboard")
            && dashboard.body.contains("Showing 1–20 of 48 clients"),
        "{}",
        dashboard.body
    );

    let card = send(&app, get("/clients/1", Some(&cookie))).await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.body.contains("Contacts") && card.body.contains("Owner"));

    // Signed-in staff are sent from the sign-in page to the dashboard.
    let login = send(&app, get("/login", Some(&cookie))).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);

    let out = send(&app, post("/api/sign_out", "", Some(&cookie))).await;
    assert!(
        out.status.is_success() || out.status.is_redirection(),
        "{}",
        out.status
    );
    let cleared = out
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let after = send(&app, post("/api/current_staff", "", Some(&cookie))).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the old cookie no longer works"
    );
}

#[tokio::test]
async fn malformed_input_is_refused_with_4xx_and_a_reason() {
    let app = app().await;
    let cookie = sign_in(&app).await;
    let long = "x".repeat(101);
    for (path, form, status, needle) in [
        (
            "/api/list_clients",
            "tab=all&search=&page=abc",
            StatusCode::BAD_REQUEST,
            "Malformed",
        ),
        (
            "/api/list_clients",
            "tab=all&search=",
            StatusCode::BAD_REQUEST,
            "Malformed",
        ),
        (
            "/api/list_clients",
            "tab=everything&search=&page=1",
            // A tab is typed: a name outside the set never reaches the function.
            StatusCode::BAD_REQUEST,
            "expected one of `currently-enrolling`, `new-leads`, `enrolled`, `all`",
        ),
        (
            "/api/list_clients",
            "tab=all&search=&page=0",
            StatusCode::UNPROCESSABLE_ENTITY,
            "page must be between",
        ),
        (
            "/api/list_clients",
            &format!("tab=all&search={long}&page=1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 100",
        ),
        (
            "/api/get_lead_card",
            "client_id=999999",
            StatusCode::NOT_FOUND,
            "Client",
        ),
        (
            "/api/get_lead_card",
            "client_id=1%3B",
            StatusCode::BAD_REQUEST,
            "Malformed",
        ),
        (
            "/api/sign_in",
            "email=&password=x",
            StatusCode::UNPROCESSABLE_ENTITY,
            "enter your email",
        ),
    ] {
        let answer = send(&app, post(path, form, Some(&cookie))).await;
        assert_eq!(answer.status, status, "{path} {form}: {}", answer.body);
        assert!(
            answer.body.contains(needle),
            "{path} {form}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = app().await;
    let cookie = sign_in(&app).await;
    let answer = send(&app, get("/no/such/page", Some(&cookie))).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.contains("Page not found"));
}

#[tokio::test]
async fn only_admins_manage_staff_and_deactivation_ends_sessions_at_once() {
    use janus_store::seed::{DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD};
    let (app, store) = app_and_store().await;
    let agent = sign_in(&app).await;
    let admin = sign_in_as(&app, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
    let agent_id = janus_store::entity::staff_user::Entity::find()
        .filter(janus_store::entity::staff_user::Column::Email.eq(DEMO_AGENT_EMAIL))
        .one(&store.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    // Agents are refused by every staff-management function, whatever they ask.
    for (path, form) in [
        ("/api/list_staff", String::new()),
        (
            "/api/add_staff",
            "name=Eve&email=eve%40example.com&role=admin&password=a+long+password".into(),
        ),
        (
            "/api/change_staff",
            format!("id={agent_id}&change=make-admin"),
        ),
    ] {
        let answer = send(&app, post(path, &form, Some(&agent))).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            answer.body
        );
        assert!(
            answer.body.contains("Only admins manage staff users"),
            "{}",
            answer.body
        );
    }
    let page = send(&app, get("/staff", Some(&agent))).await;
    assert!(page.body.contains("Only admins manage staff users"));
    assert!(
        !page.body.contains(DEMO_ADMIN_EMAIL),
        "no staff list for agents"
    );
    let nav = send(&app, get("/", Some(&agent))).await;
    assert!(
        !nav.body.contains("href=\"/staff\""),
        "agents see no Staff users link"
    );

    // Admins see everyone, and the link.
    let page = send(&app, get("/staff", Some(&admin))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(DEMO_AGENT_EMAIL) && page.body.contains("Add a staff user"));
    assert!(page.body.contains("href=\"/staff\""));

    // Bad input is refused with the reason, and nothing is created.
    let answer = send(
        &app,
        post(
            "/api/add_staff",
            "name=Eve&email=eve%40example.com&role=root&password=a+long+password",
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("expected one of `agent`, `admin`, `verifier`"),
        "{}",
        answer.body
    );
    let answer = send(
        &app,
        post(
            "/api/add_staff",
            "name=Eve&email=eve%40example.com&role=agent&password=short",
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let listed = send(&app, post("/api/list_staff", "", Some(&admin))).await;
    assert!(!listed.body.contains("eve@example.com"));

    // An admin cannot deactivate themselves.
    let admin_id = janus_store::entity::staff_user::Entity::find()
        .filter(janus_store::entity::staff_user::Column::Email.eq(DEMO_ADMIN_EMAIL))
        .one(&store.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let answer = send(
        &app,
        post(
            "/api/change_staff",
            &format!("id={admin_id}&change=deactivate"),
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);

    // Deactivating the agent ends their session on their very next request.
    assert_eq!(
        send(&app, post("/api/current_staff", "", Some(&agent)))
            .await
            .status,
        StatusCode::OK
    );
    let answer = send(
        &app,
        post(
            "/api/change_staff",
            &format!("id={agent_id}&change=deactivate"),
            Some(&admin),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("\"active\":false"), "{}", answer.body);
    let after = send(&app, post("/api/current_staff", "", Some(&agent))).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let page = send(&app, get("/", Some(&agent))).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "back to sign-in");
}
