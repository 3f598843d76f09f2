//! Hostile input through the whole router: redirect targets that would leave the site or
//! break the header, requests for other hosts (DNS rebinding), the development mailbox
//! without a session, pages that must not be cached, and a development server kept away
//! from production data and from the network.

mod common;

use axum::body::Body;
use common::*;
use http::{Request, StatusCode, header};
use janus_domain::AppError;
use janus_domain::settings::Mode;
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};

fn sign_in_form(next: &str) -> String {
    serde_urlencoded::to_string([
        ("email", DEMO_AGENT_EMAIL),
        ("password", DEMO_AGENT_PASSWORD),
        ("next", next),
    ])
    .unwrap()
}

/// A plain form post of the sign-in, as a browser without JavaScript sends it.
fn sign_in_post(next: &str) -> Request<Body> {
    Request::post("/api/sign_in")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from(sign_in_form(next)))
        .unwrap()
}

#[tokio::test]
async fn a_successful_sign_in_never_leaves_the_site_nor_breaks_on_control_characters() {
    let app = app().await;
    for (next, expected) in [
        ("/clients/4", "/clients/4"),
        ("/\t/example.org", "/"),
        ("/\n/example.org", "/"),
        ("/x\r\nSet-Cookie: janus_session=stolen", "/"),
        ("/.//example.org", "/"),
        ("//example.org", "/"),
        ("/\\example.org", "/"),
        ("https://example.org/", "/"),
        ("/?q=café", "/?q=caf%C3%A9"),
    ] {
        let a = send(&app, sign_in_post(next)).await;
        assert!(
            a.status.is_redirection(),
            "{next:?}: {} {}",
            a.status,
            a.body
        );
        let location = a.headers.get(header::LOCATION).unwrap().to_str().unwrap();
        assert_eq!(location, expected, "{next:?}");
        assert!(
            a.headers.get(header::SET_COOKIE).is_some(),
            "{next:?}: the sign-in itself succeeded"
        );
    }
}

fn with_host(
    mut request: Request<Body>,
    host: Option<&str>,
    origin: Option<&str>,
) -> Request<Body> {
    let headers = request.headers_mut();
    headers.remove(header::HOST);
    if let Some(h) = host {
        headers.insert(header::HOST, h.parse().unwrap());
    }
    if let Some(o) = origin {
        headers.insert(header::ORIGIN, o.parse().unwrap());
    }
    request
}

#[tokio::test]
async fn requests_naming_another_host_are_refused_before_any_work() {
    let (app, store) = app_and_store().await;
    // DNS rebinding: the attacker's page is same-origin with itself, so Origin and Host agree.
    let rebound = with_host(
        sign_in_post("/"),
        Some("evil.example:3000"),
        Some("http://evil.example:3000"),
    );
    let a = send(&app, rebound).await;
    assert_eq!(a.status, StatusCode::MISDIRECTED_REQUEST, "{}", a.body);
    assert!(a.headers.get(header::SET_COOKIE).is_none());
    let signins = janus_store::entity::audit_event::Entity::find()
        .filter(janus_store::entity::audit_event::Column::Action.eq("sign_in"))
        .count(&store.db)
        .await
        .unwrap();
    assert_eq!(
        signins, 0,
        "refused before any work: no sign-in was even tried"
    );

    let page = with_host(get("/login", None), Some("evil.example"), None);
    assert_eq!(
        send(&app, page).await.status,
        StatusCode::MISDIRECTED_REQUEST
    );
    let nameless = with_host(get("/login", None), None, None);
    assert_eq!(send(&app, nameless).await.status, StatusCode::BAD_REQUEST);
    // Load balancers probe by address.
    let probe = with_host(get("/health/live", None), Some("10.0.0.7:3000"), None);
    assert_eq!(send(&app, probe).await.status, StatusCode::OK);
    // This machine's names work in development.
    for host in ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"] {
        let ours = with_host(get("/login", None), Some(host), None);
        assert_eq!(send(&app, ours).await.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn a_configured_alias_is_accepted_and_production_knows_no_loopback() {
    let mut settings = test_settings();
    settings.site.mode = Mode::Production;
    settings.site.public_url = "https://janus.example.com".into();
    settings.site.host_aliases = vec!["janus.internal".into()];
    // No demo data: a production store refuses it.
    let store = server::open_store(settings, &server::settings::Secrets::from_pepper(b"pepper"))
        .await
        .unwrap();
    let options = leptos::config::LeptosOptions::builder()
        .output_name("janus")
        .build();
    let app = server::router::app(store, options);
    for (host, status) in [
        ("janus.example.com", StatusCode::OK),
        ("janus.internal:8080", StatusCode::OK),
        ("127.0.0.1:3000", StatusCode::MISDIRECTED_REQUEST),
        (
            "janus.example.com.evil.example",
            StatusCode::MISDIRECTED_REQUEST,
        ),
    ] {
        let a = send(&app, with_host(get("/login", None), Some(host), None)).await;
        assert_eq!(a.status, status, "{host}");
    }
}

#[tokio::test]
async fn the_dev_mailbox_needs_a_staff_session() {
    let (app, store) = app_and_store().await;
    let (client_id, owner, _) = pin_client(&store).await;
    let cookie = sign_in(&app).await;
    let form = format!(
        "client_id={client_id}&contact_id={}&purpose=setup",
        owner.id
    );
    let sent = send(&app, post("/api/send_pin_link", &form, Some(&cookie))).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);

    let page = send(&app, get("/dev/mailbox", None)).await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(
        page.headers.get(header::LOCATION).unwrap(),
        "/login?next=/dev/mailbox"
    );
    let data = send(&app, post("/api/dev_mailbox", "", None)).await;
    assert_eq!(data.status, StatusCode::UNAUTHORIZED);
    assert!(!data.body.contains("/pin/"), "{}", data.body);

    let signed_in = send(&app, post("/api/dev_mailbox", "", Some(&cookie))).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert!(
        signed_in.body.contains("/pin/"),
        "staff still see the links"
    );
}

#[tokio::test]
async fn pages_and_answers_are_not_kept_by_caches() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (client_id, _, _) = pin_client(&store).await;
    for (what, a) in [
        ("sign-in page", send(&app, get("/login", None)).await),
        (
            "client PIN page",
            send(&app, get("/pin/some-token", None)).await,
        ),
        ("dashboard", send(&app, get("/", Some(&cookie))).await),
        (
            "lead card",
            send(&app, get(&format!("/clients/{client_id}"), Some(&cookie))).await,
        ),
        (
            "server function",
            send(&app, post("/api/current_staff", "", Some(&cookie))).await,
        ),
    ] {
        assert_eq!(
            a.headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    }
}

/// A database file of its own, shared by the stores a test opens on it.
fn database_file(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("janus-{name}-{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    format!("sqlite://{}?mode=rwc", path.display())
}

#[tokio::test]
async fn a_database_a_production_server_opened_takes_no_demo_data_and_no_development_server() {
    let url = database_file("production-mark");
    let mut production = test_settings();
    production.database.url = url.clone();
    production.database.max_connections = 2;
    production.site.mode = Mode::Production;
    let mut development = production.clone();
    development.site.mode = Mode::Development;

    let fresh = server::open_store(
        development.clone(),
        &server::settings::Secrets::from_pepper(b"pepper"),
    )
    .await
    .unwrap();
    fresh.claim_for_serving().await.unwrap();

    let prod = server::open_store(
        production,
        &server::settings::Secrets::from_pepper(b"pepper"),
    )
    .await
    .unwrap();
    assert!(matches!(
        prod.seed_demo().await,
        Err(AppError::Forbidden(_))
    ));
    prod.claim_for_serving().await.unwrap();
    prod.claim_for_serving().await.unwrap();

    let dev = server::open_store(
        development,
        &server::settings::Secrets::from_pepper(b"pepper"),
    )
    .await
    .unwrap();
    let refused = dev.claim_for_serving().await.unwrap_err();
    assert!(
        refused.to_string().contains("served in production"),
        "{refused}"
    );
    assert!(matches!(dev.seed_demo().await, Err(AppError::Forbidden(_))));
    assert!(matches!(
        dev.seed_scale(10).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn development_mode_does_not_listen_on_the_network() {
    let mut settings = test_settings();
    settings.site.address = "0.0.0.0:0".into();
    let store = server::open_store(settings, &server::settings::Secrets::from_pepper(b"pepper"))
        .await
        .unwrap();
    let transports =
        janus_store::transports::Transports::from_settings(&store.settings, Default::default())
            .unwrap();
    // Were the check gone, `serve` would listen for good: the deadline makes that a failure.
    let served = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        server::router::serve(store, transports),
    );
    let refused = served.await.expect("serve refused at once").unwrap_err();
    assert!(refused.contains("loopback"), "{refused}");
}

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

async fn sign_in_audit(store: &janus_store::Store) -> Vec<String> {
    use janus_store::entity::audit_event;
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("sign_in"))
        .all(&store.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect()
}

#[tokio::test]
async fn oversized_fields_are_refused_with_422_before_any_work() {
    let (app, store) = app_and_store().await;
    let huge = format!("{}@example.com", "a".repeat(60 * 1024));
    let long = format!("{}@example.com", "a".repeat(243));
    assert_eq!(long.len(), 255);
    for email in [huge.as_str(), long.as_str()] {
        let form = serde_urlencoded::to_string([("email", email), ("password", "x")]).unwrap();
        let a = send(&app, post("/api/sign_in", &form, None)).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            a.body.len()
        );
        let error: AppError = serde_json::from_str(&a.body).unwrap();
        assert_eq!(error.to_string(), "email: at most 254 characters");
    }
    assert!(sign_in_audit(&store).await.is_empty(), "nothing was tried");
    // Every function's fields are bounded, signed in or not.
    let cookie = sign_in(&app).await;
    for (function, form) in [
        (
            "list_clients",
            format!("tab=all&page=0&search={}", "x".repeat(201)),
        ),
        (
            "verify_pin",
            format!("client_id=1&contact_id=1&pin={}", "1".repeat(17)),
        ),
        (
            "complete_pin_setup",
            format!("token={}&pin=1&confirm=1", "t".repeat(129)),
        ),
        (
            "unlock_pin_checks",
            format!("client_id=1&reason={}", "r".repeat(501)),
        ),
    ] {
        let a = send(
            &app,
            post(&format!("/api/{function}"), &form, Some(&cookie)),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{function}: {}",
            a.body
        );
    }
}

#[tokio::test]
async fn the_audit_trail_keeps_a_typed_email_only_when_it_is_an_address() {
    let (app, store) = app_and_store().await;
    for email in ["nobody@janus.example", "Tr0ub4dor&3-typed-in-the-wrong-box"] {
        let form = serde_urlencoded::to_string([("email", email), ("password", "wrong")]).unwrap();
        let a = send(&app, post("/api/sign_in", &form, None)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let details = sign_in_audit(&store).await;
    assert!(
        details.contains(&"sign-in refused for nobody@janus.example".to_owned()),
        "{details:?}"
    );
    assert!(
        details.contains(&"sign-in refused for a malformed address".to_owned()),
        "{details:?}"
    );
    assert!(
        !details.iter().any(|d| d.contains("Tr0ub4dor")),
        "{details:?}"
    );
}

/// The value of the cookie `name` among an answer's `Set-Cookie` headers.
fn set_cookie(a: &Answer, name: &str) -> Option<String> {
    a.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

fn admin_sign_in(password: &str, device: Option<&str>) -> Request<Body> {
    use janus_store::seed::DEMO_ADMIN_EMAIL;
    let form =
        serde_urlencoded::to_string([("email", DEMO_ADMIN_EMAIL), ("password", password)]).unwrap();
    let mut r = post("/api/sign_in", &form, None);
    if let Some(d) = device {
        r.headers_mut()
            .insert(header::COOKIE, format!("janus_device={d}").parse().unwrap());
    }
    r
}

#[tokio::test]
async fn guesses_from_elsewhere_never_lock_staff_out_of_their_own_browser() {
    use janus_store::seed::DEMO_ADMIN_PASSWORD;
    let app = app().await;
    // The admin's own browser signed in once: it keeps a device cookie.
    let mine = send(&app, admin_sign_in(DEMO_ADMIN_PASSWORD, None)).await;
    assert!(mine.status.is_success() || mine.status.is_redirection());
    let device = set_cookie(&mine, "janus_device").expect("a device cookie");
    remember_secret(&device);
    assert!(
        mine.headers.get_all(header::SET_COOKIE).iter().any(|v| v
            .to_str()
            .unwrap()
            .starts_with("janus_device=")
            && v.to_str().unwrap().contains("HttpOnly")),
    );

    // Twelve wrong guesses for the admin from a browser without one.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(send(&app, admin_sign_in("guess", None)).await.status);
    }
    assert_eq!(statuses[..10], [StatusCode::UNAUTHORIZED; 10]);
    assert_eq!(statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    // The guesser is still stopped, even with the right password ...
    let guesser = send(&app, admin_sign_in(DEMO_ADMIN_PASSWORD, None)).await;
    assert_eq!(guesser.status, StatusCode::TOO_MANY_REQUESTS);
    // ... and so is a cookie that is not ours.
    let forged = send(
        &app,
        admin_sign_in(DEMO_ADMIN_PASSWORD, Some("device:v1:AAAA")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
    // The admin's own browser signs in as usual.
    let again = send(&app, admin_sign_in(DEMO_ADMIN_PASSWORD, Some(&device))).await;
    assert!(
        again.status.is_redirection() || again.status.is_success(),
        "{} {}",
        again.status,
        again.body
    );
    assert!(set_cookie(&again, "janus_session").is_some());

    // A guesser holding a stolen device cookie has that device's own budget, no more.
    let mut device_statuses = Vec::new();
    for _ in 0..11 {
        device_statuses.push(
            send(&app, admin_sign_in("guess", Some(&device)))
                .await
                .status,
        );
    }
    assert_eq!(device_statuses[..10], [StatusCode::UNAUTHORIZED; 10]);
    assert_eq!(device_statuses[10], StatusCode::TOO_MANY_REQUESTS);
}
