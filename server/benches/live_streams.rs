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

/// When each stream heard of each client, and how long after the change (the event's
/// `at`, by the server's clock, which is this machine's): one map per stream, each locked
/// only by its own reader (and read between bursts), so the readers never wait for one
/// another.
type Heard = Arc<Mutex<Vec<Arc<Mutex<HashMap<i64, (Instant, Duration)>>>>>>;

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

    // Clients to move between New lead and Currently enrolling, and back: a change that
    // touches no PIN. The first pages of All Clients have enough of them.
    let mut clients: Vec<(i64, String)> = Vec::new();
    for page in 1..=4 {
        let listed = http
            .post(format!("{}/api/list_clients", server.base))
            .header(http::header::COOKIE, &cookie)
            .form(&[("tab", "all"), ("search", ""), ("page", &page.to_string())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        clients.extend(listed["rows"].as_array().unwrap().iter().filter_map(|r| {
            let stage = r["stage"].as_str()?;
            let other = match stage {
                "new_lead" => "currently_enrolling",
                "currently_enrolling" => "new_lead",
                _ => return None,
            };
            Some((r["id"].as_i64()?, other.to_owned()))
        }));
    }
    let changes = changes.min(clients.len());
    clients.truncate(changes);
    println!("bursts of {changes} stage moves of different clients, four at a time");

    let mut open = Vec::new();
    let heard: Heard = Arc::new(Mutex::new(Vec::new()));
    // One burst unmeasured first: the server's first writes warm its caches.
    open.push(open_stream(&server, &cookie, heard.clone()).await);
    burst(&http, &server, &cookie, &mut clients, &heard).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The server's memory with one stream open, after the warm-up.
    let baseline = rss(&server);
    let mut previous: Option<(usize, u64)> = None;
    for target in [10, many] {
        while open.len() < target {
            open.push(open_stream(&server, &cookie, heard.clone()).await);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Over the one stream open at the baseline.
        let memory = rss(&server).saturating_sub(baseline);
        let added = target - 1;
        let (from_change, from_request) =
            burst(&http, &server, &cookie, &mut clients, &heard).await;
        let sorted = |mut all: Vec<Duration>| {
            all.sort();
            all
        };
        let (change, request) = (sorted(from_change), sorted(from_request));
        let pick = |all: &[Duration], p: f64| ms(all[((all.len() - 1) as f64 * p) as usize]);
        println!(
            "{target:>5} streams: {} deliveries; from the change p50 {:.1} ms, p99 {:.1} ms, \
             max {:.1} ms; from the request's start p50 {:.1} ms, p99 {:.1} ms; \
             server memory {:.1} KiB per open stream ({:.1} MiB over the server with one stream)",
            change.len(),
            pick(&change, 0.5),
            pick(&change, 0.99),
            pick(&change, 1.0),
            pick(&request, 0.5),
            pick(&request, 0.99),
            memory as f64 / 1024.0 / added as f64,
            memory as f64 / 1024.0 / 1024.0,
        );
        // The first streams share one-time allocations (buffers, the allocator's arenas);
        // the cost of one more stream is the slope between the two figures.
        if let Some((streams, bytes)) = previous {
            println!(
                "       each stream beyond {streams}: {:.1} KiB",
                memory.saturating_sub(bytes) as f64 / 1024.0 / (target - streams) as f64
            );
        }
        previous = Some((target, memory));
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
    let mine = Arc::new(Mutex::new(HashMap::new()));
    heard.lock().unwrap().push(mine.clone());
    let task = tokio::spawn(async move {
        let mut pending = String::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            let (arrived, now) = (Instant::now(), chrono::Utc::now());
            pending.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = pending.find("\n\n") {
                let event: String = pending.drain(..end + 2).collect();
                // `data: {"type":"client","client":12,"change":"stage_changed","at":"…"}`:
                // the number and the time are all this needs, read without a JSON parser.
                let client = event.split("\"client\":").nth(1).and_then(|rest| {
                    rest.split(|c: char| !c.is_ascii_digit())
                        .next()?
                        .parse::<i64>()
                        .ok()
                });
                let at = event
                    .split("\"at\":\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok());
                if let (Some(client), Some(at)) = (client, at) {
                    let after = (now - at.with_timezone(&chrono::Utc))
                        .to_std()
                        .unwrap_or_default();
                    mine.lock().unwrap().insert(client, (arrived, after));
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

/// Moves each client to the other stage, four requests at a time, and returns each
/// stream's delay for each move: from the change (the event's `at`), and from the start
/// of the request that made it (which adds the request's own wait for the machine).
async fn burst(
    http: &reqwest::Client,
    server: &ServerProcess,
    cookie: &str,
    clients: &mut [(i64, String)],
    heard: &Heard,
) -> (Vec<Duration>, Vec<Duration>) {
    for stream in heard.lock().unwrap().iter() {
        stream.lock().unwrap().clear();
    }
    let moves: Vec<(i64, String)> = clients.to_vec();
    // The next burst moves them back.
    for (_, to) in clients.iter_mut() {
        *to = if to == "new_lead" {
            "currently_enrolling".into()
        } else {
            "new_lead".into()
        };
    }
    let asked = Arc::new(Mutex::new(HashMap::new()));
    let answered = Arc::new(Mutex::new(Vec::new()));
    futures_util::stream::iter(moves)
        .for_each_concurrent(4, |(id, to)| {
            let (http, asked, answered) = (http.clone(), asked.clone(), answered.clone());
            let url = format!("{}/api/move_client_stage", server.base);
            async move {
                let started = Instant::now();
                asked.lock().unwrap().insert(id, started);
                let r = http
                    .post(url)
                    .header(http::header::COOKIE, cookie)
                    .form(&[
                        ("client_id", id.to_string()),
                        ("to", to),
                        ("reason", "benchmark".to_owned()),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "move: {}", r.status());
                answered.lock().unwrap().push(started.elapsed());
            }
        })
        .await;
    // Give the last events time to arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = asked.lock().unwrap();
    let (mut from_change, mut from_request) = (Vec::new(), Vec::new());
    let mut missing = 0;
    for stream in heard.lock().unwrap().iter() {
        let stream = stream.lock().unwrap();
        for (id, at) in asked.iter() {
            match stream.get(id) {
                Some((arrived, after)) => {
                    from_change.push(*after);
                    from_request.push(arrived.duration_since(*at));
                }
                None => missing += 1,
            }
        }
    }
    let mut answered = answered.lock().unwrap().clone();
    answered.sort();
    println!(
        "  the moves' own answers: p50 {:.1} ms, slowest {:.1} ms",
        ms(answered[answered.len() / 2]),
        ms(*answered.last().unwrap())
    );
    if missing > 0 {
        println!("  ({missing} deliveries did not arrive within 2 s of the burst)");
    }
    (from_change, from_request)
}
