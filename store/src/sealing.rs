//! Sealing outbox message bodies at rest. A queued email or SMS carries a live setup link
//! or 2-step code, so its text is stored encrypted (XChaCha20-Poly1305, a random nonce per
//! body) under a key derived from the pepper, which never enters the database. A stolen
//! database, or a backup, then holds no usable link or code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// Marks a sealed body; anything else is a body written before sealing existed.
const PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;

pub struct Sealer {
    cipher: XChaCha20Poly1305,
    /// Device cookies' own key, so that no sealed message body is ever a valid cookie.
    cookies: XChaCha20Poly1305,
}

/// Device cookies carry this mark instead of [`PREFIX`].
const COOKIE_PREFIX: &str = "device:v1:";

fn derive(label: &[u8], pepper: &[u8]) -> XChaCha20Poly1305 {
    let mut hasher = Sha256::new();
    hasher.update(label);
    hasher.update(pepper);
    XChaCha20Poly1305::new(&hasher.finalize())
}

fn seal_with(cipher: &XChaCha20Poly1305, prefix: &str, plain: &str) -> String {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, plain.as_bytes())
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn open_with(cipher: &XChaCha20Poly1305, encoded: &str) -> Result<String, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| "a sealed message body is not valid base64".to_owned())?;
    if bytes.len() < NONCE_BYTES {
        return Err("a sealed message body is too short".into());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
    let plain = cipher
        .decrypt(XNonce::from_slice(nonce), sealed)
        .map_err(|_| {
            "a sealed message body could not be opened (was the pepper changed?)".to_owned()
        })?;
    String::from_utf8(plain).map_err(|_| "a sealed message body is not UTF-8".into())
}

impl Sealer {
    /// Derives the keys from the pepper (a high-entropy secret from the environment),
    /// each separated from the pepper's other uses by a label.
    pub fn new(pepper: &[u8]) -> Self {
        Self {
            cipher: derive(b"janus outbox sealing key v1\0", pepper),
            cookies: derive(b"janus device cookie key v1\0", pepper),
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        seal_with(&self.cipher, PREFIX, plain)
    }

    /// The plain text of a stored body. Fails when the body was sealed under another key
    /// (a changed pepper) or altered.
    pub fn open(&self, stored: &str) -> Result<String, String> {
        match stored.strip_prefix(PREFIX) {
            Some(encoded) => open_with(&self.cipher, encoded),
            None => Ok(stored.to_owned()),
        }
    }

    /// A device cookie's value (`devices.rs`), under the cookies' own key.
    pub fn seal_cookie(&self, plain: &str) -> String {
        seal_with(&self.cookies, COOKIE_PREFIX, plain)
    }

    /// What a device cookie says, if we sealed it: `None` for anything else.
    pub fn open_cookie(&self, value: &str) -> Option<String> {
        open_with(&self.cookies, value.strip_prefix(COOKIE_PREFIX)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bodies_hide_the_text_and_open_only_with_the_same_pepper() {
        let sealer = Sealer::new(b"pepper one, long enough for tests");
        let body = "Set my security PIN: https://janus.example/pin/abcDEF123";
        let sealed = sealer.seal(body);
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("abcDEF123"));
        assert_ne!(sealed, sealer.seal(body), "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed).unwrap(), body);

        let other = Sealer::new(b"another pepper, long enough too");
        assert!(other.open(&sealed).unwrap_err().contains("pepper"));
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open(&tampered).is_err());
        assert_eq!(sealer.open("plain old body").unwrap(), "plain old body");
    }
}
