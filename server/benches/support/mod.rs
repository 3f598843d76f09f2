//! What the benchmarks share: a generated database of a given size (made once and kept in
//! `target/bench/`), the optimised server binary started on it with the settings of
//! `Leptos.toml` (real argon2 cost), and a small load generator that records every latency.
#![allow(dead_code)] // each benchmark uses its own subset

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use janus_store::passwords::Memory;

use super::common::process::{free_port, workspace_root};

pub fn bench_dir() -> PathBuf {
    let dir = workspace_root().join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The database URL of a dataset with demo data plus `clients` generated clients, made by
/// `server seed-scale` the first time it is asked for.
pub fn scale_database(clients: u64) -> String {
    let dir = bench_dir();
    let file = dir.join(format!("scale-{clients}.db"));
    let done = dir.join(format!("scale-{clients}.done"));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    if !done.exists() {
        for stale in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{stale}", file.display()));
        }
        let started = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .current_dir(workspace_root())
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .args(["seed-scale", "--clients", &clients.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "seed-scale failed");
        std::fs::write(&done, "").unwrap();
        println!(
            "seeded {clients} clients in {:.1} s ({:.1} MB)",
            started.elapsed().as_secs_f64(),
            std::fs::metadata(&file).unwrap().len() as f64 / 1e6
        );
    }
    url
}

/// The environment for `server serve` on `database_url`: `Leptos.toml`'s settings (so the
/// configured argon2 cost), its own port, and little logging.
pub fn bench_env(database_url: &str) -> Vec<(String, String)> {
    let port = free_port();
    vec![
        ("DATABASE_URL".into(), database_url.into()),
        ("JANUS_SITE__ADDRESS".into(), format!("127.0.0.1:{port}")),
        (
            "JANUS_SITE__PUBLIC_URL".into(),
            format!("http://127.0.0.1:{port}"),
        ),
        ("LEPTOS_OUTPUT_NAME".into(), "janus".into()),
        ("LEPTOS_SITE_ROOT".into(), "target/site".into()),
        ("LEPTOS_SITE_PKG_DIR".into(), "pkg".into()),
        ("RUST_LOG".into(), "warn".into()),
    ]
}

/// Latencies of one scenario, and what they add up to.
pub struct Run {
    pub latencies: Vec<Duration>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Run {
    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let at = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[at]
    }

    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub fn print(&self, name: &str) {
        println!(
            "{name:<44} {:>7} req {:>9.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms   errors {}",
            self.latencies.len(),
            self.per_second(),
            ms(self.percentile(0.50)),
            ms(self.percentile(0.99)),
            ms(self.percentile(1.0)),
            self.errors
        );
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `workers` concurrent loops for `duration`, each sending request number `n` as built
/// by `request(n)`, and records each latency (2xx only; anything else counts as an error).
pub async fn load<F>(workers: usize, duration: Duration, request: F) -> Run
where
    F: Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut n = w;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match request(n).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
                n += workers;
            }
            (latencies, errors)
        }));
    }
    let mut run = Run {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (l, e) = t.await.unwrap();
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = started.elapsed();
    run
}

/// Runs `hash` over and over for `turn`, on as many threads at once as there are
/// `memories` (each thread with its own, kept between its hashes as a hashing thread of the
/// server keeps it): how many hashes were done, and how long the turn took.
pub fn hash_in_turn<F>(turn: Duration, memories: &mut [Memory], hash: &F) -> (usize, Duration)
where
    F: Fn(&mut Memory) + Sync,
{
    let started = Instant::now();
    let done = std::thread::scope(|s| {
        let threads: Vec<_> = memories
            .iter_mut()
            .map(|memory| {
                s.spawn(move || {
                    let mut done = 0;
                    while started.elapsed() < turn {
                        hash(memory);
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .sum::<usize>()
    });
    (done, started.elapsed())
}
