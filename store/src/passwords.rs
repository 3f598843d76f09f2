//! argon2id hashing of staff passwords (and, from the PIN issue on, PINs and codes).
//!
//! Parameters follow the OWASP Password Storage Cheat Sheet (m=19 MiB, t=2, p=1). A pepper
//! from the settings (never the database) is mixed in, so a stolen database alone cannot be
//! brute-forced. Each hash needs 19 MiB and tens of milliseconds of CPU: it runs on
//! `argon2.max_concurrent` dedicated threads, never on the async runtime's, and requests
//! beyond that wait in a queue that holds no hash memory. Each thread owns its 19 MiB of
//! argon2 memory for its whole life: hash memory is exactly `max_concurrent` × 19 MiB
//! however many requests arrive, and no hash pays for fresh pages. (Allocating per hash,
//! as argon2's own `verify_password` does, made each verification on a hashing thread about
//! 60% slower than on the main thread: the allocator hands the freed block back to the
//! kernel and the next hash faults all 19 MiB in again. docs/PERFORMANCE.md.)

use std::sync::Arc;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use janus_domain::settings::Argon2Settings;
use janus_domain::{AppError, Secret};
use rand::RngCore;

use crate::OrInternal;
use crate::hashing_pool::HashingPool;

/// One thread's argon2 working memory, reused by every hash it computes. Between hashes
/// it holds the last one's blocks, as freed memory does after argon2's own calls (the crate
/// does not wipe it either); they are derived with the pepper, which a reader of this
/// process's memory would hold anyway.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    /// The first `blocks` blocks, growing (once) to that size.
    fn blocks(&mut self, blocks: usize) -> &mut [Block] {
        if self.0.len() < blocks {
            self.0.resize(blocks, Block::new());
        }
        &mut self.0[..blocks]
    }
}

/// Salt length for new hashes: 16 bytes, as argon2's own `hash_password` uses.
const SALT_BYTES: usize = 16;
/// Output length for new hashes: 32 bytes, argon2's default.
const OUTPUT_BYTES: usize = 32;

pub struct SecretHasher {
    params: Params,
    pepper: Arc<[u8]>,
    /// The hashing threads; they stop when the hasher (and so this) is dropped.
    threads: HashingPool<Memory>,
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
        let decoy = hash_with(
            &params,
            &pepper,
            &Secret::new("decoy password for unknown accounts"),
            &mut Memory::default(),
        )
        .map_err(|_| "cannot compute the decoy hash".to_owned())?;
        let threads = HashingPool::start(settings.max_concurrent as usize)?;
        Ok(Self {
            params,
            pepper,
            threads,
            decoy,
        })
    }

    pub async fn hash(&self, secret: Secret) -> Result<String, AppError> {
        let (params, pepper) = (self.params.clone(), self.pepper.clone());
        self.run_blocking(move |memory| hash_with(&params, &pepper, &secret, memory))
            .await
    }

    /// `Ok(false)` for a wrong secret; `Err` only when the stored hash is unreadable.
    pub async fn verify(&self, secret: Secret, phc: String) -> Result<bool, AppError> {
        let pepper = self.pepper.clone();
        self.run_blocking(move |memory| verify_with(&pepper, &secret, &phc, memory))
            .await
    }

    /// The bare verification on the calling thread with the caller's `memory`, without the
    /// hashing threads or their queue: what the verify benchmark compares the whole server
    /// function with. Never call it from async code.
    pub fn verify_on_this_thread(
        &self,
        secret: &Secret,
        phc: &str,
        memory: &mut Memory,
    ) -> Result<bool, AppError> {
        verify_with(&self.pepper, secret, phc, memory)
    }

    /// argon2's own `verify_password` (which allocates its memory per call) with the same
    /// key, for the benchmark to print beside [`Self::verify_on_this_thread`].
    pub fn verify_as_argon2_does(&self, secret: &Secret, phc: &str) -> Result<bool, AppError> {
        use argon2::password_hash::PasswordVerifier;
        let parsed = PasswordHash::new(phc).or_internal()?;
        let hasher = argon2(&self.params, &self.pepper).or_internal()?;
        Ok(hasher
            .verify_password(secret.expose().as_bytes(), &parsed)
            .is_ok())
    }

    /// Spends the time of one verification and returns nothing; see `decoy`.
    pub async fn verify_decoy(&self, secret: Secret) {
        let _ = self.verify(secret, self.decoy.clone()).await;
    }

    /// Runs `work` on a hashing thread and waits for its answer without blocking the
    /// async runtime.
    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.threads
            .submit(Box::new(move |memory: &mut Memory| {
                // The request may have gone (a client that hung up) while the job waited:
                // then nobody wants the answer, and 19 MiB of work is skipped.
                if !answer.is_closed() {
                    let _ = answer.send(work(memory));
                }
            }))
            .or_internal()?;
        // A job that panicked drops its sender: that is an internal error, not a hang.
        answered.await.or_internal()?
    }
}

/// A new PHC string (`$argon2id$v=19$m=…`) for `secret`, with a fresh random salt.
fn hash_with(
    params: &Params,
    pepper: &[u8],
    secret: &Secret,
    memory: &mut Memory,
) -> Result<String, AppError> {
    let mut salt = [0u8; SALT_BYTES];
    rand::rng().fill_bytes(&mut salt);
    let mut out = [0u8; OUTPUT_BYTES];
    let hasher = argon2(params, pepper).or_internal()?;
    hash_into(&hasher, secret, &salt, &mut out, memory)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).or_internal()?,
        salt: Some(Salt::new(&salt).or_internal()?),
        hash: Some(Output::new(&out).or_internal()?),
    };
    Ok(phc.to_string())
}

/// Whether `secret` hashes to the stored `phc`, with the parameters written in it (so
/// hashes made under older settings still verify).
fn verify_with(
    pepper: &[u8],
    secret: &Secret,
    phc: &str,
    memory: &mut Memory,
) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(phc).or_internal()?;
    let params = Params::try_from(&parsed).or_internal()?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).or_internal()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).or_internal()?,
        None => Version::default(),
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(crate::internal("a stored hash has no salt or no output"));
    };
    let mut out = vec![0u8; expected.len()];
    let hasher = Argon2::new_with_secret(pepper, algorithm, version, params).or_internal()?;
    hash_into(&hasher, secret, &salt, &mut out, memory)?;
    // Output compares in constant time.
    Ok(Output::new(&out).or_internal()? == expected)
}

/// The hash itself, into `out`, in the thread's own `memory`.
fn hash_into(
    hasher: &Argon2<'_>,
    secret: &Secret,
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Memory,
) -> Result<(), AppError> {
    hasher
        .hash_password_into_with_memory(
            secret.expose().as_bytes(),
            salt,
            out,
            memory.blocks(hasher.params().block_count()),
        )
        .or_internal()
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
    async fn hashes_agree_with_argon2s_own_in_both_directions() {
        use argon2::password_hash::PasswordHasher;
        let h = SecretHasher::new(&fast(), b"pepper-one").unwrap();
        // A hash stored before the hashing threads kept their memory, made by argon2 itself.
        let theirs = argon2(&h.params, &h.pepper)
            .unwrap()
            .hash_password(b"731946")
            .unwrap()
            .to_string();
        assert!(
            h.verify(Secret::new("731946"), theirs.clone())
                .await
                .unwrap()
        );
        assert!(!h.verify(Secret::new("731947"), theirs).await.unwrap());
        let ours = h.hash(Secret::new("731946")).await.unwrap();
        assert!(
            h.verify_as_argon2_does(&Secret::new("731946"), &ours)
                .unwrap()
        );
        assert!(
            !h.verify_as_argon2_does(&Secret::new("731947"), &ours)
                .unwrap()
        );
    }

    #[test]
    fn one_memory_serves_hashes_of_any_size() {
        let small = SecretHasher::new(&fast(), b"p").unwrap();
        let mut bigger = fast();
        bigger.memory_kib *= 2;
        let big = SecretHasher::new(&bigger, b"p").unwrap();
        let mut memory = Memory::default();
        let big_phc = hash_with(&big.params, b"p", &Secret::new("123"), &mut memory).unwrap();
        let small_phc = hash_with(&small.params, b"p", &Secret::new("123"), &mut memory).unwrap();
        // Reused memory still holds the bigger hash's blocks: they must not leak into this one.
        assert!(
            small
                .verify_on_this_thread(&Secret::new("123"), &small_phc, &mut memory)
                .unwrap()
        );
        assert!(
            small
                .verify_on_this_thread(&Secret::new("123"), &big_phc, &mut memory)
                .unwrap()
        );
        assert!(
            small
                .verify_as_argon2_does(&Secret::new("123"), &small_phc)
                .unwrap()
        );
        assert!(
            !small
                .verify_on_this_thread(&Secret::new("124"), &big_phc, &mut memory)
                .unwrap()
        );
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
