//! Faults against the real server process (`server serve`, started by the test as an
//! operator would): the database going away and coming back, and the process being
//! killed in the middle of a delivery. Multi-threaded: the test's own proxy and SMTP peer
//! must keep serving while the test waits on a child process.

mod common;

use janus_domain::ids::{BrandId, ClientId, ContactId};
use janus_domain::security::DeliveryStatus;
use std::time::Duration;

use common::process::{
    ServerProcess, client, eventually, free_port, log_dir, seed_demo, server_env,
};
use common::smtp_sink::SmtpSink;
use common::tcp_proxy::TcpProxy;
use janus_domain::contact::ContactRole;
use janus_store::entity::{brand, client, contact, message};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use sea_orm::{ColumnTrait, Database, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

/// `n` clients in the PIN workflow, each with its owner.
async fn pin_clients(db: &DatabaseConnection, n: usize) -> Vec<(ClientId, contact::Model)> {
    let brands: Vec<BrandId> = brand::Entity::find()
        .filter(brand::Column::Slug.is_in(["cornerstone", "peopaygo", "compeo", "coguardhr"]))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    let clients = client::Entity::find()
        .filter(client::Column::BrandId.is_in(brands))
        .filter(client::Column::Stage.eq("currently_enrolling"))
        .order_by_asc(client::Column::Id)
        .all(db)
        .await
        .unwrap();
    let mut found = Vec::new();
    for c in clients.into_iter().take(n) {
        let owner = contact::Entity::find()
            .filter(contact::Column::ClientId.eq(c.id))
            .filter(contact::Column::Role.eq(ContactRole::Owner))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        found.push((c.id, owner));
    }
    assert_eq!(found.len(), n);
    found
}

async fn send_link(
    server: &ServerProcess,
    cookie: &str,
    client_id: ClientId,
    contact_id: ContactId,
) {
    let r = client()
        .post(format!("{}/api/send_pin_link", server.base))
        .header(http::header::COOKIE, cookie)
        .form(&[
            ("client_id", client_id.to_string()),
            ("contact_id", contact_id.to_string()),
            ("purpose", "setup".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, 200, "send_pin_link: {}", r.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_delivery_sends_each_message_exactly_once_after_restart() {
    let dir = tempfile_dir("killed");
    let database_url = format!("sqlite://{}/janus.db?mode=rwc", dir.display());
    let sink = SmtpSink::start().await;
    let port = free_port();
    let env = server_env(
        port,
        &database_url,
        &[
            ("JANUS_MAIL__TRANSPORT", "smtp".into()),
            ("JANUS_MAIL__SMTP_HOST", "127.0.0.1".into()),
            ("JANUS_MAIL__SMTP_PORT", sink.port.to_string()),
            ("JANUS_MAIL__SMTP_SECURITY", "plain".into()),
            // One message per claim, and a claim that runs out soon after its worker dies.
            ("JANUS_OUTBOX__ATTEMPT_TIMEOUT_SECONDS", "5".into()),
            ("JANUS_OUTBOX__LEASE_SECONDS", "10".into()),
        ],
    );
    let log = log_dir().join("faults-killed.log");
    seed_demo(&env, &log);
    let db = Database::connect(&database_url).await.unwrap();
    let targets = pin_clients(&db, 2).await;

    let mut first = ServerProcess::start(&env, &log).await;
    let cookie = first.sign_in(DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await;

    // One message goes out normally...
    send_link(&first, &cookie, targets[0].0, targets[0].1.id).await;
    eventually(
        Duration::from_secs(20),
        "the first email arrives",
        || async { sink.accepted().len() == 1 },
    )
    .await;
    // ...the next is in the middle of its SMTP conversation when the process dies.
    sink.hold_next();
    send_link(&first, &cookie, targets[1].0, targets[1].1.id).await;
    eventually(
        Duration::from_secs(20),
        "the second email is being sent",
        || async { sink.holding() == 1 },
    )
    .await;
    first.kill();
    eventually(
        Duration::from_secs(5),
        "the held message is dropped",
        || async { sink.holding() == 0 },
    )
    .await;
    let stuck = email_to(&db, &targets[1].1.email).await;
    assert_eq!(
        stuck.status,
        DeliveryStatus::Queued,
        "claimed by a dead process, not sent"
    );
    assert!(stuck.claimed_until.is_some());

    // After a restart, the dead process's claim runs out and the message goes out once.
    let _second = ServerProcess::start(&env, &log).await;
    eventually(
        Duration::from_secs(40),
        "the second email arrives",
        || async { sink.accepted().len() >= 2 },
    )
    .await;
    // A few more worker rounds (half a second each) must not send anything again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let accepted = sink.accepted();
    for (_, data) in &accepted {
        common::remember_secrets_in(data);
    }
    let to = |email: &str| {
        accepted
            .iter()
            .filter(|(rcpt, _)| rcpt.contains(&email.to_ascii_lowercase()))
            .count()
    };
    assert_eq!(
        accepted.len(),
        2,
        "{:?}",
        accepted.iter().map(|a| &a.0).collect::<Vec<_>>()
    );
    assert_eq!(to(&targets[0].1.email), 1);
    assert_eq!(to(&targets[1].1.email), 1);
    let sent = email_to(&db, &targets[1].1.email).await;
    assert_eq!((sent.status, sent.attempts), (DeliveryStatus::Sent, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a PostgreSQL server in DATABASE_URL; scripts/test.sh runs it"]
async fn a_database_outage_gives_a_clear_503_and_the_server_recovers_by_itself() {
    let admin_url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .expect("DATABASE_URL must name a PostgreSQL server (scripts/test.sh starts one)");
    let (upstream, database) = fresh_postgres_database(&admin_url).await;
    let proxy = TcpProxy::start(upstream).await;
    let through_proxy = format!("postgres://postgres@127.0.0.1:{}/{database}", proxy.port);
    let port = free_port();
    let env = server_env(port, &through_proxy, &[]);
    let log = log_dir().join("faults-outage.log");
    seed_demo(&env, &log);
    let mut server = ServerProcess::start(&env, &log).await;
    let cookie = server.sign_in(DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await;
    let http = client();
    let base = server.base.clone();
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .header(http::header::COOKIE, cookie.as_str())
            .send()
    };
    assert_eq!(get("/").await.unwrap().status(), 200);

    proxy.cut();
    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 503);
    assert_eq!(page.headers()[http::header::RETRY_AFTER], "15");
    let body = page.text().await.unwrap();
    assert!(
        body.contains("Temporarily unavailable") && body.contains("cannot reach its database"),
        "{body}"
    );
    assert_eq!(get("/health").await.unwrap().status(), 503);
    let api = http
        .post(format!("{base}/api/list_clients"))
        .header(http::header::COOKIE, cookie.as_str())
        .form(&[("tab", "all"), ("search", ""), ("page", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 503);
    assert!(api.text().await.unwrap().contains("Unavailable"));
    // The sign-in page needs no database and still shows.
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    assert!(server.is_running(), "an outage must not stop the server");

    proxy.restore();
    eventually(
        Duration::from_secs(30),
        "the health check recovers",
        || async { get("/health").await.is_ok_and(|r| r.status() == 200) },
    )
    .await;
    // Nothing was lost: the same session works, with the same data.
    let page = get("/?tab=all").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("of 48 clients"));
}

/// A new database on the server named by `admin_url`; returns `host:port` and its name.
async fn fresh_postgres_database(admin_url: &str) -> (String, String) {
    use sea_orm::ConnectionTrait;
    let name = format!("janus_faults_{}", std::process::id());
    let admin = Database::connect(admin_url).await.unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.ok();
    let host_port = admin_url
        .split_once('@')
        .and_then(|(_, rest)| rest.split('/').next())
        .expect("DATABASE_URL like postgres://user@host:port/db")
        .to_owned();
    (host_port, name)
}

async fn email_to(db: &DatabaseConnection, email: &str) -> message::Model {
    message::Entity::find()
        .filter(message::Column::Recipient.eq(email))
        .filter(message::Column::Channel.eq("email"))
        .order_by_desc(message::Column::Id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// A fresh folder for one test's database under `target/`.
fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = log_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
