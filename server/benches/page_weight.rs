//! What a first visit downloads, page by page: `cargo bench -p server --bench page_weight`,
//! after building the site for release:
//!
//! ```sh
//! cargo leptos build --release --precompress --split && scripts/build-pin-page.sh --release
//! ```
//!
//! It starts the optimised server on fresh demo data and opens, as a browser would
//! (`Accept-Encoding: br, gzip`): the client PIN page from a setup link the demo agent
//! sends, and, signed in as that agent, the dashboard and a lead card. For each it fetches
//! every file the page names and prints each one's bytes on the wire, its encoding and cache
//! lifetime, and the total against the page's goal (150 KB for the client page, 250 KB for
//! the dashboard). Prints figures; asserts none.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::time::Duration;

use common::process::{
    ServerProcess, client, free_port, log_dir, seed_demo, server_env, workspace_root,
};
use janus_domain::messages::MailboxMessage;
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use sea_orm::Database;

const CLIENT_PAGE_GOAL: usize = 150 * 1024;
const DASHBOARD_GOAL: usize = 250 * 1024;
const ACCEPT_ENCODING: &str = "br, gzip";

#[tokio::main]
async fn main() {
    let pkg = workspace_root().join("target/site/pkg");
    let built_for_release = std::fs::read_dir(&pkg)
        .map(|dir| {
            dir.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".wasm.br"))
        })
        .unwrap_or(false);
    if !built_for_release {
        eprintln!(
            "target/site holds no precompressed release build. Build it first:\n  \
             cargo leptos build --release --precompress --split && scripts/build-pin-page.sh --release"
        );
        std::process::exit(2);
    }

    let dir = workspace_root().join("target/bench/page-weight");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let database_url = format!("sqlite://{}/janus.db?mode=rwc", dir.display());
    let env = server_env(free_port(), &database_url, &[("RUST_LOG", "warn".into())]);
    let log = log_dir().join("bench-page-weight.log");
    seed_demo(&env, &log);
    let server = ServerProcess::start(&env, &log).await;

    // A Compeo client in enrollment and its owner, as the lead card would offer them.
    let db = Database::connect(&database_url).await.unwrap();
    let (client_id, owner, _) = common::pin_client_in(&db).await;

    let cookie = server.sign_in(DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await;
    let http = client();
    let sent = http
        .post(format!("{}/api/send_pin_link", server.base))
        .header(http::header::COOKIE, &cookie)
        .form(&[
            ("client_id", client_id.to_string()),
            ("contact_id", owner.id.to_string()),
            ("purpose", "setup".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200, "send_pin_link");
    let link = mailbox_link(&server, &cookie, &owner.email).await;
    common::remember_secrets_in(&link);
    let path = &link[link.find("/pin/").unwrap()..];

    let client_page = page_files(&server, path, None).await;
    let plain = fetch(&server, path, None, "identity").await;
    let html = String::from_utf8_lossy(&plain.bytes).into_owned();
    println!(
        "the client page's form is in the first response (server-rendered): {}",
        if html.contains("id=\"pin-form\"") {
            "yes"
        } else {
            "NO"
        }
    );
    print_page("client PIN page", &client_page, Some(CLIENT_PAGE_GOAL));
    let dashboard = page_files(&server, "/", Some(&cookie)).await;
    print_page("dashboard (signed in)", &dashboard, Some(DASHBOARD_GOAL));
    let lead_card = page_files(&server, &format!("/clients/{client_id}"), Some(&cookie)).await;
    print_page("lead card (signed in)", &lead_card, None);
}

/// The page at `path` and every file it names, as a first visit fetches them.
async fn page_files(
    server: &ServerProcess,
    path: &str,
    cookie: Option<&str>,
) -> Vec<(String, Fetched)> {
    let page = fetch(server, path, cookie, ACCEPT_ENCODING).await;
    // Pages are compressed per response: the files they name are read from a plain copy.
    let plain = fetch(server, path, cookie, "identity").await;
    let html = String::from_utf8_lossy(&plain.bytes).into_owned();
    let mut rows = vec![(format!("{path} (HTML)"), page)];
    for asset in assets_named_in(&html) {
        let fetched = fetch(server, &asset, None, ACCEPT_ENCODING).await;
        rows.push((asset, fetched));
    }
    rows
}

fn print_page(title: &str, rows: &[(String, Fetched)], goal: Option<usize>) {
    println!("\n{title}");
    println!(
        "{:<60} {:>6} {:>9} {:>9}  cache-control",
        "file", "status", "encoding", "bytes"
    );
    let mut total = 0;
    for (name, f) in rows {
        total += f.bytes.len();
        println!(
            "{:<60} {:>6} {:>9} {:>9}  {}",
            name,
            f.status,
            f.encoding,
            f.bytes.len(),
            f.cache_control
        );
    }
    let verdict = match goal {
        Some(goal) => format!(
            " (goal <= {} KB: {})",
            goal / 1024,
            if total <= goal { "met" } else { "NOT met" }
        ),
        None => String::new(),
    };
    println!(
        "total on the wire: {total} B = {:.1} KB{verdict}",
        total as f64 / 1024.0
    );
}

struct Fetched {
    status: u16,
    encoding: String,
    cache_control: String,
    bytes: Vec<u8>,
}

/// One GET as a browser sends it. The client decompresses nothing, so `bytes` is what
/// crossed the wire (headers aside).
async fn fetch(
    server: &ServerProcess,
    path: &str,
    cookie: Option<&str>,
    accept_encoding: &str,
) -> Fetched {
    let mut request = client()
        .get(format!("{}{path}", server.base))
        .header(http::header::ACCEPT_ENCODING, accept_encoding);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    let r = request.send().await.unwrap();
    let header = |name: http::HeaderName| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned()
    };
    let (encoding, cache_control) = (
        header(http::header::CONTENT_ENCODING),
        header(http::header::CACHE_CONTROL),
    );
    Fetched {
        status: r.status().as_u16(),
        encoding,
        cache_control,
        bytes: r.bytes().await.unwrap().to_vec(),
    }
}

/// Every same-site file the page loads: quoted paths with a file extension, which covers
/// `href` and `src` attributes and the module script's `"/pkg/…"` strings (the client
/// bundle's JS and wasm).
fn assets_named_in(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for quoted in html.split('"') {
        let is_file = quoted.starts_with('/')
            && !quoted.starts_with("//")
            && !quoted.contains(char::is_whitespace)
            && quoted
                .rsplit('/')
                .next()
                .is_some_and(|name| name.contains('.'));
        if is_file && !found.iter().any(|f| f == quoted) {
            found.push(quoted.to_owned());
        }
    }
    found
}

/// The link in the newest email to `email` in the development mailbox, once the delivery
/// worker has handed it over.
async fn mailbox_link(server: &ServerProcess, cookie: &str, email: &str) -> String {
    for _ in 0..100 {
        let r = client()
            .post(format!("{}/api/dev_mailbox", server.base))
            .header(http::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        let messages: Vec<MailboxMessage> =
            serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        if let Some(m) = messages
            .iter()
            .find(|m| m.channel == janus_domain::messages::Channel::Email && m.recipient == email)
            && let Some(at) = m.text.find("http")
        {
            let link: String = m.text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            return link;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no link reached the development mailbox");
}
