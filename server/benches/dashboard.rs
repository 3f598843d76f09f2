//! *Currently Enrolling* with search and pagination under load, beside a bare route on the
//! same server in the same run. `cargo bench -p server --bench dashboard` (optimised
//! build); `BENCH_CLIENTS` sets the dataset size (default 100,000 generated clients on top
//! of the demo data), `BENCH_WORKERS` the concurrent connections (default 4), and
//! `BENCH_SECONDS` how long each scenario runs (default 10). Prints figures; asserts none.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;
mod support;

use std::time::Duration;

use common::process::{ServerProcess, client};
use janus_store::seed::{DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD};
use support::{bench_env, load, scale_database};

/// Search terms staff type: business words, a contact's surname, a brand, a number, and
/// nothing at all.
const SEARCHES: [&str; 8] = [
    "",
    "cedar",
    "bakery",
    "chen",
    "oak hollow",
    "compeo",
    "1234",
    "",
];

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let clients = number("BENCH_CLIENTS", 100_000);
    let workers = number("BENCH_WORKERS", 4) as usize;
    let seconds = Duration::from_secs(number("BENCH_SECONDS", 10));
    let url = scale_database(clients);
    let env = bench_env(&url);
    let log = support::bench_dir().join("dashboard-server.log");
    let server = ServerProcess::start(&env, &log).await;
    let cookie = server.sign_in(DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD).await;
    let http = client();
    println!(
        "dataset: {clients} generated clients (+ demo data); {workers} concurrent connections; {} s per scenario",
        seconds.as_secs()
    );

    let base = server.base.clone();
    let bare = {
        let (http, base) = (http.clone(), base.clone());
        move |_: usize| http.get(format!("{base}/health/live"))
    };
    let dashboard = {
        let (http, base, cookie) = (http.clone(), base.clone(), cookie.clone());
        move |n: usize| {
            let search = SEARCHES[n % SEARCHES.len()];
            // The first pages are what people look at; now and then someone goes deep.
            let page = if n % 10 == 9 { 1 + n % 50 } else { 1 + n % 3 };
            http.post(format!("{base}/api/list_clients"))
                .header(http::header::COOKIE, &cookie)
                .form(&[
                    ("tab", "currently-enrolling".to_owned()),
                    ("search", search.to_owned()),
                    ("page", page.to_string()),
                ])
        }
    };
    // Warm the caches (and the database's pages) before measuring.
    load(workers, Duration::from_secs(2), dashboard.clone()).await;

    let bare_run = load(workers, seconds, bare).await;
    bare_run.print(&format!("GET /health/live (bare), {workers} conn."));
    // The dashboard at the given concurrency, and below it: queueing on two cores is
    // part of what each figure shows.
    let mut levels: Vec<usize> = [1, 2, workers]
        .into_iter()
        .filter(|&w| w <= workers)
        .collect();
    levels.dedup();
    for level in levels {
        let run = load(level, seconds, dashboard.clone()).await;
        run.print(&format!("POST /api/list_clients, {level} conn."));
        println!(
            "    p99 {:.1} ms (goal <= 25 ms); p99 / bare p99: {:.0}x",
            support::ms(run.percentile(0.99)),
            support::ms(run.percentile(0.99)) / support::ms(bare_run.percentile(0.99)).max(0.001)
        );
    }
    println!(
        "server peak RSS: {:.0} MB",
        server.peak_rss_bytes() as f64 / 1e6
    );
}
