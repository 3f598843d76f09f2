//! How much the bare argon2id verification gains from a second core on this machine, with
//! nothing else running: the ceiling above the verify benchmark's throughput goal ("at least
//! 90% of twice the single-core hash rate"), which no server can beat.
//! `cargo bench -p server --bench hash_ceiling`
//!
//! In rounds, each hash runs a turn on one thread and then a turn on two threads at once:
//! - with `Leptos.toml`'s parameters (m=19456 KiB, t=2): one memory fits the shared L3 cache,
//!   two at once do not;
//! - with the same number of block compressions in a memory that fits each core's own L2
//!   cache (m=512 KiB, t=76), where a second thread takes no cache from the first.
//!
//! The two alternate, so both see the same minutes of this drifting machine. If only the
//! first falls short of twice one core, what stops it is the cache the cores share.
//!
//! Prints figures; asserts none.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;
mod support;

use std::time::Duration;

use common::process::workspace_root;
use janus_domain::Secret;
use janus_domain::settings::Argon2Settings;
use janus_store::SecretHasher;
use janus_store::passwords::Memory;
use janus_store::seed_scale::SCALE_PIN;

const ROUNDS: usize = 6;
const TURN: Duration = Duration::from_secs(3);
/// A memory this size fits in each core's L2 cache (1 MiB on this machine) with room to
/// spare.
const SMALL_MEMORY_KIB: u32 = 512;

/// One of the two hashes measured: its parameters, its hasher and a hash to verify.
struct Subject {
    name: String,
    hasher: SecretHasher,
    phc: String,
    /// Totals over the rounds: (hashes done, seconds) on one thread, then on two.
    one: (usize, f64),
    two: (usize, f64),
    /// Each round's two-thread rate over twice its one-thread rate.
    rounds: Vec<f64>,
}

impl Subject {
    async fn new(settings: Argon2Settings) -> Self {
        let hasher = SecretHasher::new(&settings, b"benchmark pepper").unwrap();
        let phc = hasher.hash(Secret::new(SCALE_PIN)).await.unwrap();
        Self {
            name: format!("m={} KiB, t={}", settings.memory_kib, settings.iterations),
            hasher,
            phc,
            one: (0, 0.0),
            two: (0, 0.0),
            rounds: Vec::new(),
        }
    }

    fn verify(&self, memory: &mut Memory) {
        let secret = Secret::new(SCALE_PIN);
        assert!(
            self.hasher
                .verify_on_this_thread(&secret, &self.phc, memory)
                .unwrap()
        );
    }

    /// One turn on one thread and one on two.
    fn round(&mut self, memories: &mut [Memory; 2]) {
        let (done, took) = support::hash_in_turn(TURN, &mut memories[..1], &|m| self.verify(m));
        let one = done as f64 / took.as_secs_f64();
        self.one = (self.one.0 + done, self.one.1 + took.as_secs_f64());
        let (done, took) = support::hash_in_turn(TURN, &mut memories[..], &|m| self.verify(m));
        let two = done as f64 / took.as_secs_f64();
        self.two = (self.two.0 + done, self.two.1 + took.as_secs_f64());
        self.rounds.push(two / (2.0 * one));
    }
}

fn cache_size(index: u8) -> String {
    std::fs::read_to_string(format!(
        "/sys/devices/system/cpu/cpu0/cache/index{index}/size"
    ))
    .map_or_else(|_| "unknown".into(), |s| s.trim().to_owned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let settings = server::settings::load(&workspace_root().join("Leptos.toml")).unwrap();
    let configured = settings.argon2;
    // The same work: as many 1 KiB blocks compressed per hash, in a memory that stays in L2.
    let blocks = u64::from(configured.memory_kib) * u64::from(configured.iterations);
    let small = Argon2Settings {
        memory_kib: SMALL_MEMORY_KIB,
        iterations: u32::try_from(blocks / u64::from(SMALL_MEMORY_KIB)).unwrap(),
        ..configured.clone()
    };
    println!(
        "{} CPUs; L2 cache {} per core, L3 cache {} shared; {ROUNDS} rounds of {} s turns",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cache_size(2),
        cache_size(3),
        TURN.as_secs()
    );
    let mut subjects = [Subject::new(configured).await, Subject::new(small).await];
    let mut memories = [Memory::default(), Memory::default()];
    for _ in 0..ROUNDS {
        for subject in &mut subjects {
            subject.round(&mut memories);
        }
    }
    for subject in &subjects {
        let one = subject.one.0 as f64 / subject.one.1;
        let two = subject.two.0 as f64 / subject.two.1;
        let rounds: Vec<String> = subject
            .rounds
            .iter()
            .map(|r| format!("{:.0}%", 100.0 * r))
            .collect();
        println!(
            "{:<16} one thread {:5.1}/s ({:5.2} ms a hash), two at once {:5.1}/s = {:4.1}% of twice one core (rounds: {})",
            subject.name,
            one,
            1000.0 / one,
            two,
            100.0 * two / (2.0 * one),
            rounds.join(", ")
        );
    }
}
