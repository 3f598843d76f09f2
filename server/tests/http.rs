//! The whole router, called in process with `oneshot`: sign-in, sign-out, the page guard,
//! anonymous refusal of server functions and malformed input.

use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use janus_domain::settings::{Argon2Settings, Settings};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use leptos::config::LeptosOptions;
use tower::ServiceExt;

async fn app() -> Router {
    let mut settings = Settings::default();
    settings.database.url = "sqlite::memory:".into();
    settings.database.max_connections = 1;
    settings.argon2 = Argon2Settings {
        memory_kib: 7_168,
        iterations: 1,
        parallelism: 1,
        max_concurrent: 2,
    };
    let store = server::open_store(settings, b"http test pepper")
        .await
        .unwrap();
    store.seed_demo().await.unwrap();
    let options = LeptosOptions::builder().output_name("janus").build();
    server::router::app(store, options)
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes())
        .into_owned();
    Answer {
        status,
        headers,
        body,
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

fn post(path: &str, form: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(form.to_owned())).unwrap()
}

/// Signs in as the demo agent and returns the `Cookie` header value to send back.
async fn sign_in(app: &Router) -> String {
    let form = format!(
        "email={}&password={}",
        DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD
    );
    let answer = send(app, post("/api/sign_in", &form, None)).await;
    assert!(
        answer.status.is_success() || answer.status.is_redirection(),
        "{} {}",
        answer.status,
        answer.body
    );
    let set_cookie = answer
        .headers
        .get(header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains("Secure"),
        "plain http in tests: {set_cookie}"
    );
    set_cookie.split(';').next().unwrap().to_owned()
}

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
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown tab",
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
