//! Live updates under load: with 10, then 1,000 event streams open on one server, a burst
//! of status changes (stage moves of different clients, four at a time) is timed from the
//! moment each change is asked for to its arrival on every stream. Prints p50 and p99 of
//! those deliveries and the server's resident memory per open stream. `cargo bench -p
//! server --bench live_streams` (optimised build); `BENCH_STREAMS` replaces 1,000 and
//! `BENCH_CHANGES` the burst's 50 changes. Prints figures; asserts none.
//!
//! The streams are read by this process, on the same two cores as the server: the figures
//! include the readers' share of the machine.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{ServerProcess, client, seed_demo};
use futures_util::StreamExt;
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use support::{bench_dir, bench_env, ms};

fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// When each stream heard of each client.
type Heard = Arc<Mutex<Vec<HashMap<i64, Instant>>>>;

/// The server's resident memory now, in bytes.
fn rss(server: &ServerProcess) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[tokio::main]
async fn main() {
    let many = number("BENCH_STREAMS", 1_000);
    let changes = number("BENCH_CHANGES", 50);
    let file = bench_dir().join("live.db");
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", file.display()));
    }
    let env = bench_env(&format!("sqlite://{}?mode=rwc", file.display()));
    let log = bench_dir().join("live-server.log");
    seed_demo(&env, &log);
    let server = ServerProcess::start(&env, &log).await;
    let cookie = server.sign_in(DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await;
    let http = client();

    // New leads to move to Currently Enrolling and back: a change that touches no PIN.
    let listed: serde_json::Value = http
        .post(format!("{}/api/list_clients", server.base))
        .header(http::header::COOKIE, &cookie)
        .form(&[("tab", "all"), ("search", ""), ("page", "1")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clients: Vec<i64> = listed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "new_lead")
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(!clients.is_empty(), "demo data has new leads");
    let changes = changes.min(clients.len());
    println!("bursts of {changes} stage moves of different clients, four at a time");

    let mut open = Vec::new();
    let heard: Heard = Arc::new(Mutex::new(Vec::new()));
    let baseline = rss(&server);
    let mut round = 0;
    for target in [10, many] {
        while open.len() < target {
            open.push(open_stream(&server, &cookie, heard.clone()).await);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let memory = rss(&server).saturating_sub(baseline);
        let latencies = burst(&http, &server, &cookie, &clients, changes, round, &heard).await;
        round += 1;
        let mut sorted = latencies.clone();
        sorted.sort();
        let pick = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
        println!(
            "{target:>5} streams: {} deliveries, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
             server memory {:.1} KiB per open stream ({:.1} MiB over the server without streams)",
            sorted.len(),
            ms(pick(0.5)),
            ms(pick(0.99)),
            ms(*sorted.last().unwrap()),
            memory as f64 / 1024.0 / target as f64,
            memory as f64 / 1024.0 / 1024.0,
        );
    }
    drop(open);
}

/// Opens one stream and reads it on a task of its own, noting when each client's event
/// arrived; returns the task (aborted when dropped by the caller's end).
async fn open_stream(server: &ServerProcess, cookie: &str, heard: Heard) -> AbortOnDrop {
    let mut response = streams_client()
        .get(format!("{}/api/events", server.base))
        .header(http::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let index = {
        let mut all = heard.lock().unwrap();
        all.push(HashMap::new());
        all.len() - 1
    };
    let task = tokio::spawn(async move {
        let mut pending = String::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            let at = Instant::now();
            pending.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = pending.find("\n\n") {
                let event: String = pending.drain(..end + 2).collect();
                if let Some(data) = event.strip_prefix("data: ")
                    && let Ok(value) = serde_json::from_str::<serde_json::Value>(data.trim())
                    && let Some(client) = value["client"].as_i64()
                {
                    heard.lock().unwrap()[index].insert(client, at);
                }
            }
        }
    });
    AbortOnDrop(task)
}

/// A client for streams: no overall timeout (a stream lasts the whole benchmark).
fn streams_client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new).clone()
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Moves `changes` clients (cycling through `clients`), four requests at a time, and
/// returns each stream's delay for each change: from the request's start to the event.
async fn burst(
    http: &reqwest::Client,
    server: &ServerProcess,
    cookie: &str,
    clients: &[i64],
    changes: usize,
    round: usize,
    heard: &Heard,
) -> Vec<Duration> {
    for streams in heard.lock().unwrap().iter_mut() {
        streams.clear();
    }
    // Each round moves the clients the other way, so every move is a change.
    let to = if round % 2 == 0 {
        "currently_enrolling"
    } else {
        "new_lead"
    };
    let moves: Vec<i64> = clients.iter().copied().take(changes).collect();
    let asked = Arc::new(Mutex::new(HashMap::new()));
    futures_util::stream::iter(moves.iter().copied())
        .for_each_concurrent(4, |id| {
            let (http, asked) = (http.clone(), asked.clone());
            let url = format!("{}/api/move_client_stage", server.base);
            async move {
                asked.lock().unwrap().insert(id, Instant::now());
                let r = http
                    .post(url)
                    .header(http::header::COOKIE, cookie)
                    .form(&[
                        ("client_id", id.to_string()),
                        ("to", to.to_owned()),
                        ("reason", "benchmark".to_owned()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "move: {}", r.status());
            }
        })
        .await;
    // Give the last events time to arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = asked.lock().unwrap();
    let mut latencies = Vec::new();
    let mut missing = 0;
    for stream in heard.lock().unwrap().iter() {
        for (id, at) in asked.iter() {
            match stream.get(id) {
                Some(arrived) => latencies.push(arrived.duration_since(*at)),
                None => missing += 1,
            }
        }
    }
    if missing > 0 {
        println!("  ({missing} deliveries did not arrive within 2 s of the burst)");
    }
    latencies
}
