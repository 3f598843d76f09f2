//! argon2id hashing of staff passwords (and, from the PIN issue on, PINs and codes).
//!
//! Parameters follow the OWASP Password Storage Cheat Sheet (m=19 MiB, t=2, p=1). A pepper
//! from the settings (never the database) is mixed in, so a stolen database alone cannot be
//! brute-forced. Each hash needs 19 MiB and tens of milliseconds of CPU: it runs on the
//! blocking pool, never on the async runtime's threads, behind a semaphore so memory stays
//! bounded however many requests arrive at once.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use janus_domain::settings::Argon2Settings;
use janus_domain::{AppError, Secret};
use tokio::sync::Semaphore;

use crate::internal;

pub struct SecretHasher {
    params: Params,
    pepper: Arc<[u8]>,
    permits: Semaphore,
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
        Ok(Self {
            params,
            pepper,
            permits: Semaphore::new(settings.max_concurrent as usize),
            decoy,
        })
    }

    pub async fn hash(&self, secret: Secret) -> Result<String, AppError> {
        let (params, pepper) = (self.params.clone(), self.pepper.clone());
        self.run_blocking(move || {
            let hasher = argon2(&params, &pepper).map_err(internal)?;
            hasher
                .hash_password(secret.expose().as_bytes())
                .map(|h| h.to_string())
                .map_err(internal)
        })
        .await
    }

    /// `Ok(false)` for a wrong secret; `Err` only when the stored hash is unreadable.
    pub async fn verify(&self, secret: Secret, phc: String) -> Result<bool, AppError> {
        let (params, pepper) = (self.params.clone(), self.pepper.clone());
        self.run_blocking(move || {
            let parsed = PasswordHash::new(&phc).map_err(internal)?;
            let hasher = argon2(&params, &pepper).map_err(internal)?;
            Ok(hasher
                .verify_password(secret.expose().as_bytes(), &parsed)
                .is_ok())
        })
        .await
    }

    /// Spends the time of one verification and returns nothing; see `decoy`.
    pub async fn verify_decoy(&self, secret: Secret) {
        let _ = self.verify(secret, self.decoy.clone()).await;
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.permits.acquire().await.map_err(internal)?;
        tokio::task::spawn_blocking(work).await.map_err(internal)?
    }
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
