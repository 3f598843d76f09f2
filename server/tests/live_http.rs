//! `GET /api/events` through the router: who may open it, what it says first, that a
//! change reaches it, and that it ends with the session and with the server. Then the real
//! binary shutting down on SIGTERM with a stream open and a request in flight.

mod common;

use std::time::Duration;

use axum::body::Body;
use common::process::{ServerProcess, client, free_port, log_dir, seed_demo, server_env};
use common::{app_and_store, get, pin_client, post, send, sign_in};
use http::StatusCode;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The frames of an open stream, read one at a time.
struct Frames(Body);

impl Frames {
    /// The next event's text, skipping keep-alive comments; `None` once the stream ended.
    async fn next(&mut self) -> Option<String> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.0.frame())
                .await
                .expect("a frame within 5 s")?
                .expect("a readable frame");
            if let Ok(data) = frame.into_data() {
                let text = String::from_utf8(data.to_vec()).unwrap();
                if !text.starts_with(':') {
                    return Some(text);
                }
            }
        }
    }
}

async fn open_stream(app: &axum::Router, cookie: &str) -> Frames {
    let response = app
        .clone()
        .oneshot(get("/api/events", Some(cookie)))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert_eq!(headers["cache-control"], "no-store");
    Frames(response.into_body())
}

#[tokio::test]
async fn only_a_signed_in_staff_member_may_open_the_stream() {
    let (app, _) = app_and_store().await;
    let anonymous = send(&app, get("/api/events", None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let forged = send(&app, get("/api/events", Some("janus_session=forged"))).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    // A browser's EventSource, which cannot read a status, is told to sign in instead.
    let mut asked = get("/api/events", None);
    asked
        .headers_mut()
        .insert("accept", "text/event-stream".parse().unwrap());
    let told = send(&app, asked).await;
    assert_eq!(told.status, StatusCode::OK);
    assert_eq!(told.body, "event: signed_out\ndata: {}\n\n");
}

#[tokio::test]
async fn the_stream_opens_with_a_resync_then_carries_each_change() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (client, owner, _) = pin_client(&store).await;
    let mut frames = open_stream(&app, &cookie).await;
    let first = frames.next().await.unwrap();
    assert!(first.contains("retry: 1000"), "{first}");
    assert!(first.contains(r#"data: {"type":"resync"}"#), "{first}");

    let sent = send(
        &app,
        post(
            "/api/send_two_step_code",
            &format!("client_id={client}&contact_id={}", owner.id),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let event = frames.next().await.unwrap();
    let data = event
        .strip_prefix("data: ")
        .and_then(|d| d.strip_suffix("\n\n"))
        .expect("one data line");
    let event: janus_domain::live::LiveEvent = serde_json::from_str(data).unwrap();
    assert!(
        matches!(
            event,
            janus_domain::live::LiveEvent::Client {
                client: c,
                change: janus_domain::live::ClientChange::CodeSent,
                ..
            } if c == client
        ),
        "{event:?}"
    );
}

#[tokio::test]
async fn the_stream_says_signed_out_and_ends_when_its_session_ends() {
    let (app, _) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let mut frames = open_stream(&app, &cookie).await;
    frames.next().await.unwrap();
    let out = send(&app, post("/api/sign_out", "", Some(&cookie))).await;
    assert!(out.status.is_success() || out.status.is_redirection());
    let last = frames.next().await.unwrap();
    assert!(last.starts_with("event: signed_out"), "{last}");
    assert_eq!(frames.next().await, None, "the stream ended");
}

#[tokio::test]
async fn another_persons_sign_out_leaves_the_stream_open() {
    let (app, store) = app_and_store().await;
    let mine = sign_in(&app).await;
    let theirs = common::sign_in_as(
        &app,
        janus_store::seed::DEMO_ADMIN_EMAIL,
        janus_store::seed::DEMO_ADMIN_PASSWORD,
    )
    .await;
    let mut frames = open_stream(&app, &mine).await;
    frames.next().await.unwrap();
    send(&app, post("/api/sign_out", "", Some(&theirs))).await;
    // The next thing the stream says is the next change, not a sign-out.
    let (client, owner, _) = pin_client(&store).await;
    let form = format!("client_id={client}&contact_id={}", owner.id);
    send(&app, post("/api/send_two_step_code", &form, Some(&mine))).await;
    let next = frames.next().await.unwrap();
    assert!(next.contains("code_sent"), "{next}");
}

#[tokio::test]
async fn the_stream_does_not_count_as_activity() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let seen = || async {
        use janus_store::entity::session;
        use sea_orm::EntityTrait;
        session::Entity::find()
            .all(&store.db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.last_seen_at)
            .collect::<Vec<_>>()
    };
    let before = seen().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut frames = open_stream(&app, &cookie).await;
    frames.next().await.unwrap();
    assert_eq!(seen().await, before);
}

#[tokio::test]
async fn a_server_shutting_down_ends_every_stream() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let mut a = open_stream(&app, &cookie).await;
    let mut b = open_stream(&app, &cookie).await;
    a.next().await.unwrap();
    b.next().await.unwrap();
    store.live.close();
    assert_eq!(a.next().await, None);
    assert_eq!(b.next().await, None);
}

/// The real binary: SIGTERM with an event stream open and a slow PIN check in flight.
#[tokio::test]
async fn on_sigterm_the_server_finishes_what_it_began_and_exits() {
    let dir = tempdir("shutdown");
    let port = free_port();
    let db = format!("sqlite://{}/janus.db?mode=rwc", dir.display());
    // An expensive hash, so the PIN check is still running when the signal comes.
    let env = server_env(
        port,
        &db,
        &[
            ("JANUS_ARGON2__MEMORY_KIB", "262144".to_owned()),
            ("JANUS_ARGON2__ITERATIONS", "6".to_owned()),
        ],
    );
    let log = log_dir().join("live-shutdown.log");
    let _ = std::fs::remove_file(&log);
    seed_demo(&env, &log);
    let mut server = ServerProcess::start(&env, &log).await;
    let cookie = server
        .sign_in(
            janus_store::seed::DEMO_AGENT_EMAIL,
            janus_store::seed::DEMO_AGENT_PASSWORD,
        )
        .await;
    let http = client();
    let stream = http
        .get(format!("{}/api/events", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    // A second sign-in: its password hash takes a while at these settings.
    let in_flight_until = std::sync::Arc::new(std::sync::Mutex::new(None));
    let in_flight = {
        let http = http.clone();
        let url = format!("{}/api/sign_in", server.base);
        let form = format!(
            "email={}&password={}",
            janus_domain::url::encode_query_value(janus_store::seed::DEMO_ADMIN_EMAIL),
            janus_domain::url::encode_query_value(janus_store::seed::DEMO_ADMIN_PASSWORD),
        );
        let answered = in_flight_until.clone();
        tokio::spawn(async move {
            let answer = http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await;
            *answered.lock().unwrap() = Some(std::time::Instant::now());
            answer
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // The stream ends cleanly: its body completes rather than breaking.
    let rest = tokio::time::timeout(Duration::from_secs(10), stream.text())
        .await
        .expect("the stream ends");
    assert!(rest.is_ok(), "a clean end: {rest:?}");
    // The request in flight gets its answer: signed in, not a dropped connection.
    let answer = in_flight
        .await
        .unwrap()
        .expect("an answer, not a dropped connection");
    assert!(
        in_flight_until
            .lock()
            .unwrap()
            .is_some_and(|at| at > signalled),
        "the sign-in was still being worked on when the signal came"
    );
    assert!(
        answer.status().is_success() || answer.status().is_redirection(),
        "{}",
        answer.status()
    );
    assert!(answer.headers().contains_key("set-cookie"));
    // New connections are refused, and the process exits by itself, successfully.
    let exited = loop {
        if !server.is_running() {
            break true;
        }
        if signalled.elapsed() > Duration::from_secs(25) {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(exited, "the server exits within its deadline");
    assert!(
        http.get(format!("{}/health/live", server.base))
            .send()
            .await
            .is_err(),
        "nothing listens any more"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("SIGTERM received"), "{logged}");
    assert!(logged.contains("every request finished"), "{logged}");
    assert!(logged.contains("delivery worker stopped"), "{logged}");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("janus-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
