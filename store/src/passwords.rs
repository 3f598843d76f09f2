//! argon2id hashing of staff passwords (and, from the PIN issue on, PINs and codes).
//!
//! Parameters follow the OWASP Password Storage Cheat Sheet (m=19 MiB, t=2, p=1). A pepper
//! from the settings (never the database) is mixed in, so a stolen database alone cannot be
//! brute-forced. Each hash needs 19 MiB and tens of milliseconds of CPU: it runs on
//! `argon2.max_concurrent` dedicated threads, never on the async runtime's, and requests
//! beyond that wait in a queue that holds no hash memory. Dedicated threads (rather than
//! tokio's blocking pool, which grows to hundreds of threads under load) also bound what the
//! allocator keeps: each thread's arena caches at most one hash's memory, so the process
//! stays near `max_concurrent` × 19 MiB however many requests arrive at once.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use janus_domain::settings::Argon2Settings;
use janus_domain::{AppError, Secret};

use crate::OrInternal;

type Job = Box<dyn FnOnce() + Send>;

pub struct SecretHasher {
    params: Params,
    pepper: Arc<[u8]>,
    /// Work for the hashing threads; they stop when the hasher (and so this) is dropped.
    jobs: Sender<Job>,
    /// A hash of nothing in particular, verified when an account does not exist so that an
    /// unknown email takes as long to refuse as a wrong password.
    decoy: String,
}

impl SecretHasher {
    pub fn new(settings: &Argon2Settings, pepper: &[u8]) -> Result<Self, String> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| format!("argon2 parameters refused: {e}"))?;
        let pepper: Arc<[u8]> = Arc::from(pepper);
        let decoy = argon2(&params, &pepper)?
            .hash_password(b"decoy password for unknown accounts")
            .map_err(|e| e.to_string())?
            .to_string();
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..settings.max_concurrent.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || hashing_thread(&queue))
                .map_err(|e| format!("cannot start a hashing thread: {e}"))?;
        }
        Ok(Self {
            params,
            pepper,
            jobs,
            decoy,
        })
    }

    pub async fn hash(&self, secret: Secret) -> Result<String, AppError> {
        let (params, pepper) = (self.params.clone(), self.pepper.clone());
        self.run_blocking(move || {
            let hasher = argon2(&params, &pepper).or_internal()?;
            hasher
                .hash_password(secret.expose().as_bytes())
                .map(|h| h.to_string())
                .or_internal()
        })
        .await
    }

    /// `Ok(false)` for a wrong secret; `Err` only when the stored hash is unreadable.
    pub async fn verify(&self, secret: Secret, phc: String) -> Result<bool, AppError> {
        let (params, pepper) = (self.params.clone(), self.pepper.clone());
        self.run_blocking(move || verify_with(&params, &pepper, &secret, &phc))
            .await
    }

    /// The bare verification on the calling thread, without the hashing threads or their
    /// queue: what the verify benchmark compares the whole server function with.
    /// Never call it from async code.
    pub fn verify_on_this_thread(&self, secret: &Secret, phc: &str) -> Result<bool, AppError> {
        verify_with(&self.params, &self.pepper, secret, phc)
    }

    /// Spends the time of one verification and returns nothing; see `decoy`.
    pub async fn verify_decoy(&self, secret: Secret) {
        let _ = self.verify(secret, self.decoy.clone()).await;
    }

    /// Runs `work` on a hashing thread and waits for its answer without blocking the
    /// async runtime.
    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // The request may have gone (a client that hung up) while the job waited:
                // then nobody wants the answer, and 19 MiB of work is skipped.
                if !answer.is_closed() {
                    let _ = answer.send(work());
                }
            }))
            .or_internal()?;
        // A job that panicked drops its sender: that is an internal error, not a hang.
        answered.await.or_internal()?
    }
}

/// One hashing thread: takes jobs until the hasher is gone. A job that panics is contained,
/// so the thread keeps serving.
fn hashing_thread(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => {
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

fn verify_with(
    params: &Params,
    pepper: &[u8],
    secret: &Secret,
    phc: &str,
) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(phc).or_internal()?;
    let hasher = argon2(params, pepper).or_internal()?;
    Ok(hasher
        .verify_password(secret.expose().as_bytes(), &parsed)
        .is_ok())
}

fn argon2<'k>(params: &Params, pepper: &'k [u8]) -> Result<Argon2<'k>, String> {
    Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params.clone())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Argon2Settings {
        // The minimum memory the settings accept, to keep the unit test quick.
        Argon2Settings {
            memory_kib: 7_168,
            iterations: 1,
            parallelism: 1,
            max_concurrent: 2,
        }
    }

    #[tokio::test]
    async fn hashes_verify_and_carry_the_configured_parameters() {
        let h = SecretHasher::new(&fast(), b"pepper-one").unwrap();
        let phc = h.hash(Secret::new("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=7168,t=1,p=1$"), "{phc}");
        assert!(!phc.contains("correct horse"));
        assert!(
            h.verify(Secret::new("correct horse"), phc.clone())
                .await
                .unwrap()
        );
        assert!(!h.verify(Secret::new("correct horsE"), phc).await.unwrap());
    }

    #[tokio::test]
    async fn a_different_pepper_does_not_verify() {
        let a = SecretHasher::new(&fast(), b"pepper-one").unwrap();
        let b = SecretHasher::new(&fast(), b"pepper-two").unwrap();
        let phc = a.hash(Secret::new("correct horse")).await.unwrap();
        assert!(!b.verify(Secret::new("correct horse"), phc).await.unwrap());
    }

    #[tokio::test]
    async fn an_unreadable_hash_is_an_internal_error() {
        let h = SecretHasher::new(&fast(), b"p").unwrap();
        assert_eq!(
            h.verify(Secret::new("x"), "not a hash".into()).await,
            Err(AppError::Internal)
        );
    }
}
