//! Property-based tests of every server function: arbitrary values for each argument (any
//! text, numbers out of range, digits of every length, missing and extra fields), and
//! arbitrary bodies. Whatever arrives, the answer is a success or a refusal with a reason
//! (4xx with our error), never a server fault (5xx), and never an answer that repeats a
//! typed PIN, code or token back.

mod common;

use std::sync::OnceLock;

use axum::Router;
use common::{app_with, post, send, sign_in_as, test_settings};
use janus_store::seed::{DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Every server function and its arguments. `sign_out` is left out: it would end the
/// session the other cases use (it takes no arguments anyway). So is
/// `reset_staff_password`: its one argument is an id, and a small number would reset the
/// demo agent's password, which the sign-in property signs in with.
const FUNCTIONS: &[(&str, &[&str])] = &[
    ("sign_in", &["email", "password", "next"]),
    ("current_staff", &[]),
    ("list_clients", &["tab", "search", "page"]),
    ("get_lead_card", &["client_id"]),
    ("get_client_audit", &["client_id"]),
    ("sync_employees", &["client_id"]),
    ("send_to_beia", &["client_id"]),
    ("move_client_stage", &["client_id", "to", "reason"]),
    (
        "add_contact",
        &["client_id", "name", "role", "email", "mobile", "reason"],
    ),
    (
        "edit_contact",
        &[
            "client_id",
            "contact_id",
            "name",
            "role",
            "email",
            "mobile",
            "reason",
        ],
    ),
    ("remove_contact", &["client_id", "contact_id", "reason"]),
    (
        "approve_cooling_off",
        &["client_id", "contact_id", "reason"],
    ),
    ("prove_its_us", &["client_id", "contact_id"]),
    ("get_message_previews", &["brand"]),
    ("get_security_status", &["client_id"]),
    ("watch_security_status", &["client_id"]),
    ("watch_lead_card", &["client_id"]),
    ("watch_client_audit", &["client_id"]),
    ("watch_clients", &["tab", "search", "page"]),
    ("send_pin_link", &["client_id", "contact_id", "purpose"]),
    ("verify_pin", &["client_id", "contact_id", "pin"]),
    ("end_verification", &["client_id"]),
    ("send_two_step_code", &["client_id", "contact_id"]),
    ("verify_two_step_code", &["client_id", "code"]),
    ("unlock_pin_checks", &["client_id", "reason"]),
    ("get_setup_page", &["token"]),
    ("complete_pin_setup", &["token", "pin", "confirm"]),
    ("get_brand", &["slug"]),
    ("dev_mailbox", &[]),
    ("list_staff", &[]),
    ("add_staff", &["name", "email", "role", "password"]),
    ("change_staff", &["id", "change"]),
    (
        "sign_in_audit",
        &["staff", "action", "outcome", "from", "to"],
    ),
    ("list_sessions", &["whose"]),
    ("end_session", &["whose", "session"]),
    ("my_account", &[]),
    ("confirm_second_factor", &["code", "next"]),
    ("step_up", &["code", "password"]),
    ("change_password", &["current_password", "password", "next"]),
    ("begin_authenticator_setup", &[]),
    ("confirm_authenticator_setup", &["code"]),
    ("remove_authenticator", &[]),
    ("renew_recovery_codes", &[]),
    ("my_passkeys", &[]),
    ("begin_passkey_registration", &[]),
    (
        "finish_passkey_registration",
        &["ceremony", "credential", "name"],
    ),
    ("remove_passkey", &["id"]),
    ("begin_passkey_check", &[]),
    ("finish_passkey_check", &["ceremony", "credential", "next"]),
    ("begin_passkey_sign_in", &[]),
    (
        "finish_passkey_sign_in",
        &["ceremony", "credential", "next"],
    ),
];

struct World {
    runtime: tokio::runtime::Runtime,
    app: Router,
    /// An admin's session: admins may call every function, so refusals come from the
    /// input, not the role.
    cookie: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (app, cookie) = runtime.block_on(async {
            let mut settings = test_settings();
            // Throttling is tested elsewhere; here it would only hide the inputs behind 429.
            settings.throttle.sign_in_per_account = 1000;
            settings.throttle.sign_in_per_address = 100_000;
            settings.throttle.pin_page_per_address = 100_000;
            settings.throttle.pin_page_per_link = 1000;
            let (app, _store) = app_with(settings).await;
            let cookie = sign_in_as(&app, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD).await;
            (app, cookie)
        });
        World {
            runtime,
            app,
            cookie,
        }
    })
}

/// Values people and attackers send: any text, numbers at and past every bound, digit
/// strings of every length (PINs and codes), token-like strings, and very long text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        "[0-9]{0,12}",
        any::<i64>().prop_map(|n| n.to_string()),
        Just("2147483648".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        "[0-9]{1,3}",
        "[A-Za-z0-9_-]{20,60}",
        "(setup|reset|all|currently-enrolling|agent|admin|deactivate|make-admin|compeo)",
        (1usize..3000).prop_map(|n| "x".repeat(n)),
        "[\\u{0660}-\\u{0669}\\u{FF10}-\\u{FF19}]{6}",
    ]
}

/// A form for one function: each argument present (with any value) or missing, plus
/// perhaps a field nobody asked for.
fn form() -> impl Strategy<Value = (usize, Vec<(String, String)>)> {
    (0..FUNCTIONS.len()).prop_flat_map(|i| {
        let args = FUNCTIONS[i].1;
        (
            Just(i),
            proptest::collection::vec(proptest::option::weighted(0.9, value()), args.len()),
            proptest::option::of(("[a-z_]{1,10}", value())),
        )
            .prop_map(move |(i, values, extra)| {
                let mut fields: Vec<(String, String)> = args
                    .iter()
                    .zip(values)
                    .filter_map(|(name, v)| v.map(|v| ((*name).to_owned(), v)))
                    .collect();
                fields.extend(extra);
                (i, fields)
            })
    })
}

/// Where a signed-in agent may be sent: a path of this site, as a browser would read it
/// from the header (browsers drop tabs and line breaks and read `\\` as `/`).
fn stays_on_site(location: &str) -> bool {
    let base = url::Url::parse("http://janus.invalid/").unwrap();
    location.starts_with('/')
        && !location.starts_with("//")
        && !location.contains('\\')
        && !location
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        && base
            .join(location)
            .is_ok_and(|u| u.host_str() == Some("janus.invalid"))
}

/// `next` values an attacker would try: paths and addresses with control characters,
/// backslashes, dots and schemes mixed in, and any text at all.
fn next_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "(/|//|/\\\\|/\\.//|https?://|javascript:)?[\t\r\n\x00-\x1f /\\\\.a-z%0-9?#=&@:]{0,30}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 200, ..Config::default() })]

    #[test]
    fn a_successful_sign_in_only_ever_redirects_within_the_site(next in next_value()) {
        use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
        let w = world();
        let body = serde_urlencoded::to_string([
            ("email", DEMO_AGENT_EMAIL),
            ("password", DEMO_AGENT_PASSWORD),
            ("next", next.as_str()),
        ])
        .unwrap();
        let request = http::Request::post("/api/sign_in")
            .header(http::header::HOST, common::HOST)
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "text/html")
            .body(axum::body::Body::from(body))
            .unwrap();
        let answer = w.runtime.block_on(send(&w.app, request));
        prop_assert!(answer.status.is_redirection(), "{:?} -> {} {}", next, answer.status, answer.body);
        prop_assert!(answer.headers.contains_key(http::header::SET_COOKIE), "{:?}: not signed in", next);
        let location = answer.headers.get(http::header::LOCATION).map(|v| v.to_str().unwrap_or("<not text>"));
        prop_assert!(location.is_some_and(stays_on_site), "{:?} -> {:?}", next, location);
    }
}

proptest! {
    #![proptest_config(Config { cases: 600, ..Config::default() })]

    #[test]
    fn every_server_function_refuses_bad_input_with_a_reason((i, fields) in form()) {
        let w = world();
        let name = FUNCTIONS[i].0;
        let body = serde_urlencoded::to_string(&fields).unwrap();
        let answer = w.runtime.block_on(send(&w.app, post(&format!("/api/{name}"), &body, Some(&w.cookie))));
        let status = answer.status.as_u16();
        prop_assert!(status < 500, "{} {} -> {} {}", name, body, status, answer.body);
        if (400..500).contains(&status) && status != 413 {
            let error: Result<janus_domain::AppError, _> = serde_json::from_str(&answer.body);
            prop_assert!(error.is_ok(), "{} {} -> {} not our error: {}", name, body, status, answer.body);
        }
        // A refusal never repeats a typed secret (digits or a token) back.
        if (400..500).contains(&status) {
            for (field, value) in &fields {
                let secret = matches!(field.as_str(), "pin" | "code" | "confirm" | "token" | "password" | "current_password");
                let secret_like = value.len() >= 6 && value.bytes().any(|b| b.is_ascii_digit());
                if secret && secret_like {
                    prop_assert!(!answer.body.contains(value.as_str()), "{} echoed its {}: {}", name, field, answer.body);
                }
            }
        }
    }

    #[test]
    fn any_body_at_all_is_refused_cleanly(i in 0..FUNCTIONS.len(), body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let w = world();
        let name = FUNCTIONS[i].0;
        let request = http::Request::post(format!("/api/{name}"))
        .header(http::header::HOST, common::HOST)
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::COOKIE, &w.cookie)
            .body(axum::body::Body::from(body))
            .unwrap();
        let answer = w.runtime.block_on(send(&w.app, request));
        prop_assert!(answer.status.as_u16() < 500, "{} -> {} {}", name, answer.status, answer.body);
    }
}
