//! The HTTP hardening of issue 5 through the whole router: security headers on pages and
//! on everything else, a page CSP whose nonce is the one on the inline scripts, writes from
//! other sites refused, and request bodies capped.

mod common;

use axum::body::Body;
use common::*;
use http::{Request, StatusCode, header};

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app().await;
    for path in [
        "/login",
        "/health",
        "/favicon.svg",
        "/no-such-page",
        "/pin/unknown-token",
    ] {
        let a = send(&app, get(path, None)).await;
        assert_eq!(header(&a, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&a, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header(&a, "x-frame-options"), "DENY", "{path}");
        let csp = header(&a, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            a.headers.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
    // The route table decides the policy: only staff pages may frame (the message
    // previews); a client page frames nothing.
    let client = send(&app, get("/pin/unknown-token", None)).await;
    assert!(header(&client, "content-security-policy").contains("frame-src 'none'"));
    let staff = send(&app, get("/login", None)).await;
    assert!(header(&staff, "content-security-policy").contains("frame-src 'self'"));
    let api = send(&app, post("/api/current_staff", "", None)).await;
    assert_eq!(
        header(&api, "content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
}

#[tokio::test]
async fn a_pages_policy_allows_exactly_its_own_inline_scripts() {
    let app = app().await;
    let page = send(&app, get("/login", None)).await;
    let csp = header(&page, "content-security-policy").to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 22, "at least 128 bits: {nonce}");
    for needle in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(needle), "{needle} missing from {csp}");
    }
    let script_src: Vec<&str> = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("script-src "))
        .expect("a script-src directive")
        .split_whitespace()
        .collect();
    assert!(
        !script_src.contains(&"'unsafe-inline'") && !script_src.contains(&"'unsafe-eval'"),
        "{script_src:?}"
    );
    // Every inline script on the page carries that nonce.
    let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for s in scripts {
        let tag = s.split('>').next().unwrap();
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
    let again = send(&app, get("/login", None)).await;
    assert_ne!(
        header(&again, "content-security-policy"),
        csp,
        "a new nonce per response"
    );
}

fn post_from(origin: Option<&str>, fetch_site: Option<&str>) -> Request<Body> {
    let mut r = Request::post("/api/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000");
    if let Some(o) = origin {
        r = r.header(header::ORIGIN, o);
    }
    if let Some(s) = fetch_site {
        r = r.header("sec-fetch-site", s);
    }
    r.body(Body::from("email=agent%40janus.example&password=wrong"))
        .unwrap()
}

#[tokio::test]
async fn writes_from_other_sites_are_refused() {
    let app = app().await;
    for (origin, site) in [
        (Some("https://evil.example"), Some("cross-site")),
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (None, Some("cross-site")),
    ] {
        let a = send(&app, post_from(origin, site)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{origin:?} {site:?}");
        assert!(a.body.contains("came from another site"));
    }
    // The site's own pages, and callers that are not browsers, get an answer.
    for (origin, site) in [
        (Some("http://127.0.0.1:3000"), Some("same-origin")),
        (None, Some("same-origin")),
        (None, None),
    ] {
        let a = send(&app, post_from(origin, site)).await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "{origin:?} {site:?}: {}",
            a.body
        );
    }
}

#[tokio::test]
async fn request_bodies_are_capped() {
    let app = app().await;
    let huge = format!("email={}&password=x", "a".repeat(70 * 1024));
    let a = send(&app, post("/api/sign_in", &huge, None)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.body, "The request is too large (at most 64 KiB).");
    let declared = Request::post("/api/sign_in")
        .header(http::header::HOST, common::HOST)
        .header(header::CONTENT_LENGTH, "10000000")
        .body(Body::empty())
        .unwrap();
    let refused = send(&app, declared).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        refused.body, "The request is too large (at most 64 KiB).",
        "tower-http's refusal carries our sentence"
    );
}

fn sign_in_form(password: &str) -> String {
    format!("email=agent%40janus.example&password={password}")
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_and_a_success_forgives() {
    let app = app().await;
    let limit = common::test_settings().throttle.sign_in_per_account;
    for _ in 0..limit - 1 {
        let a = send(&app, post("/api/sign_in", &sign_in_form("wrong"), None)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // The right password within the limit works, and starts the count again.
    let a = send(
        &app,
        post("/api/sign_in", &sign_in_form("harbor-lantern-7412"), None),
    )
    .await;
    assert!(
        a.status.is_success() || a.status.is_redirection(),
        "{}",
        a.status
    );
    for _ in 0..limit {
        let a = send(&app, post("/api/sign_in", &sign_in_form("wrong"), None)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // Past the limit even the right password waits, and says for how long.
    let a = send(
        &app,
        post("/api/sign_in", &sign_in_form("harbor-lantern-7412"), None),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        a.body.contains("Too many attempts. Please wait 15 minutes"),
        "{}",
        a.body
    );
    // Another account is not affected.
    let other = send(
        &app,
        post(
            "/api/sign_in",
            "email=admin%40janus.example&password=wrong",
            None,
        ),
    )
    .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_sign_ins_never_pass_the_limits_together() {
    let app = app().await;
    let rules = common::test_settings().throttle;
    let attempts = rules.sign_in_per_address + 10;
    let answers = futures_join(
        (0..attempts)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move {
                    send(&app, post("/api/sign_in", &sign_in_form("wrong"), None))
                        .await
                        .status
                })
            })
            .collect(),
    )
    .await;
    let checked = answers
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = answers
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked, rules.sign_in_per_account as usize, "{answers:?}");
    assert_eq!(checked + throttled, attempts as usize);
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<StatusCode>>) -> Vec<StatusCode> {
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn the_client_pin_page_is_throttled_per_link() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (id, owner, _) = pin_client(&store).await;
    let form = format!("client_id={id}&contact_id={}&purpose=setup", owner.id);
    assert_eq!(
        send(&app, post("/api/send_pin_link", &form, Some(&cookie)))
            .await
            .status,
        StatusCode::OK
    );
    let token = link_token(&store, &owner.email).await;
    let weak = format!("token={token}&pin=123456&confirm=123456");
    let limit = common::test_settings().throttle.pin_page_per_link;
    for _ in 0..limit {
        let a = send(&app, post("/api/complete_pin_setup", &weak, None)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let good = format!("token={token}&pin=731946&confirm=731946");
    let a = send(&app, post("/api/complete_pin_setup", &good, None)).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // Without JavaScript the form comes back saying so.
    let plain = Request::post("/api/complete_pin_setup")
        .header(http::header::HOST, common::HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from(good))
        .unwrap();
    let a = send(&app, plain).await;
    let location = a.headers.get(header::LOCATION).unwrap().to_str().unwrap();
    assert_eq!(location, format!("/pin/{token}?problem=wait"));
}

/// A sign-in attempt from `forwarded` (as a proxy would report it), with a wrong password.
async fn sign_in_from(app: &axum::Router, forwarded: &str) -> StatusCode {
    let request = Request::post("/api/sign_in")
        .header(http::header::HOST, common::HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(sign_in_form("wrong")))
        .unwrap();
    send(app, request).await.status
}

#[tokio::test]
async fn per_address_throttling_believes_x_forwarded_for_only_behind_a_proxy() {
    let mut settings = test_settings();
    settings.throttle.sign_in_per_address = 3;
    settings.throttle.sign_in_per_account = 1000;

    // Clients connect directly: the header is theirs to forge, so it changes nothing.
    let (direct, _) = app_with(settings.clone()).await;
    for n in 0..3 {
        assert_eq!(
            sign_in_from(&direct, &format!("203.0.113.{n}")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_from(&direct, "203.0.113.99").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Behind a proxy: each client address has its own count, and only the entry the proxy
    // appended (the last) counts, whatever the client put before it.
    settings.site.behind_proxy = true;
    let (proxied, _) = app_with(settings).await;
    for _ in 0..3 {
        assert_eq!(
            sign_in_from(&proxied, "203.0.113.7").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_from(&proxied, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_in_from(&proxied, "198.51.100.1, 203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged first entry does not escape the count"
    );
    assert_eq!(
        sign_in_from(&proxied, "203.0.113.8").await,
        StatusCode::UNAUTHORIZED
    );
}

/// Pages are compressed for browsers that accept it; other answers, and browsers that do
/// not, get them as they are.
#[tokio::test]
async fn pages_are_compressed_when_the_browser_accepts_it() {
    let app = app().await;
    let mut asks = get("/login", None);
    asks.headers_mut()
        .insert(header::ACCEPT_ENCODING, "br, gzip".parse().unwrap());
    let compressed = send(&app, asks).await;
    assert_eq!(
        compressed.headers.get(header::CONTENT_ENCODING).unwrap(),
        "br"
    );
    let plain = send(&app, get("/login", None)).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.body.contains("<form"), "{}", plain.body);
    let mut api = post("/api/current_staff", "", None);
    api.headers_mut()
        .insert(header::ACCEPT_ENCODING, "br, gzip".parse().unwrap());
    let answer = send(&app, api).await;
    assert!(answer.headers.get(header::CONTENT_ENCODING).is_none());
}
