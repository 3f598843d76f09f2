//! Random tokens for cookies and links, and the SHA-256 under which they are stored.
//! A token has ≥128 bits from the operating system's CSPRNG (OWASP Forgot Password), so a
//! fast hash is enough: nobody can enumerate the space, and the database holds only digests.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use janus_domain::Secret;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes as URL-safe base64 (no padding), ready for a cookie or a path.
pub fn random_token(bytes: usize) -> Secret {
    let mut raw = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    Secret::new(URL_SAFE_NO_PAD.encode(raw))
}

/// The lower-case hex SHA-256 a token is stored and looked up by.
pub fn token_digest(token: &Secret) -> String {
    Sha256::digest(token.expose().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_stored_only_as_digests() {
        let a = random_token(16);
        let b = random_token(16);
        assert_eq!(a.expose().len(), 22, "16 bytes of base64 without padding");
        assert_ne!(a.expose(), b.expose());
        let digest = token_digest(&a);
        assert_eq!(digest.len(), 64);
        assert!(!digest.contains(a.expose()));
        assert_eq!(digest, token_digest(&Secret::new(a.expose())));
    }
}
