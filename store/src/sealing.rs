//! Sealing outbox message bodies at rest. A queued email or SMS carries a live setup link
//! or 2-step code, so its text is stored encrypted (XChaCha20-Poly1305, a random nonce per
//! body) under a key derived from a secret that never enters the database. A stolen
//! database, or a backup, then holds no usable link or code.
//!
//! Each key is derived with HKDF-SHA256 under its own label, and every sealed body names
//! the key that sealed it (`sealed:v2:<key id>:…`), so the key can rotate: new bodies are
//! sealed under the current key, and retired keys still open the bodies sealed under them
//! until those are delivered or erased. The key id is derived under another label, so it
//! says nothing about the key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

/// What every sealed body starts with; a body without it was written before sealing existed.
const SEALED: &str = "sealed:";
/// Marks a sealed body that names its key.
const PREFIX: &str = "sealed:v2:";
/// Bodies sealed before keys had ids, under a key hashed from the pepper.
const LEGACY_PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;

/// Device cookies carry this mark instead of [`PREFIX`].
const COOKIE_PREFIX: &str = "device:v1:";

/// One sealing key and the id sealed bodies name it by.
struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn from_secret(secret: &[u8]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(None, secret);
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        let mut id = [0u8; 4];
        // Both lengths are far below HKDF-SHA256's limit of 255 × 32 bytes.
        hkdf.expand(b"janus outbox sealing key", key.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        hkdf.expand(b"janus outbox sealing key id", &mut id)
            .expect("4 bytes is a valid HKDF-SHA256 output length");
        Self {
            id: id.iter().map(|b| format!("{b:02x}")).collect(),
            cipher: XChaCha20Poly1305::new((&*key).into()),
        }
    }
}

pub struct Sealer {
    /// Seals every new body.
    current: Key,
    /// Open what they sealed before a rotation.
    retired: Vec<Key>,
    /// Opens `sealed:v1:` bodies.
    legacy: XChaCha20Poly1305,
    /// Device cookies' own key, so that no sealed message body is ever a valid cookie.
    cookies: XChaCha20Poly1305,
}

/// The key the first sealed bodies and the device cookies use: SHA-256 of a label and the
/// pepper. Kept for the cookies and for reading `sealed:v1:` bodies.
fn hashed_key(label: &[u8], pepper: &[u8]) -> XChaCha20Poly1305 {
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
            "a sealed message body could not be opened (was its key changed?)".to_owned()
        })?;
    String::from_utf8(plain).map_err(|_| "a sealed message body is not UTF-8".into())
}

impl Sealer {
    /// Everything from the pepper (a high-entropy secret from the environment): the
    /// sealing key too, when no sealing key of its own is configured.
    pub fn new(pepper: &[u8]) -> Self {
        Self::with_keys(pepper, pepper, &[])
    }

    /// Seals under a key derived from `current`; the keys derived from `retired` still
    /// open the bodies they sealed.
    pub fn with_keys(pepper: &[u8], current: &[u8], retired: &[Vec<u8>]) -> Self {
        Self {
            current: Key::from_secret(current),
            retired: retired.iter().map(|s| Key::from_secret(s)).collect(),
            legacy: hashed_key(b"janus outbox sealing key v1\0", pepper),
            cookies: hashed_key(b"janus device cookie key v1\0", pepper),
        }
    }

    /// The id of the key new bodies are sealed under.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    pub fn seal(&self, plain: &str) -> String {
        let prefix = format!("{PREFIX}{}:", self.current.id);
        seal_with(&self.current.cipher, &prefix, plain)
    }

    /// The plain text of a stored body. Fails, saying why, when the key that sealed it is
    /// not configured any more, or the body was altered.
    pub fn open(&self, stored: &str) -> Result<String, String> {
        if let Some(rest) = stored.strip_prefix(PREFIX) {
            let (id, encoded) = rest
                .split_once(':')
                .ok_or_else(|| "a sealed message body names no key".to_owned())?;
            let key = std::iter::once(&self.current)
                .chain(&self.retired)
                .find(|k| k.id == id)
                .ok_or_else(|| {
                    format!("a sealed message body names key {id}, which is not configured")
                })?;
            return open_with(&key.cipher, encoded);
        }
        if let Some(encoded) = stored.strip_prefix(LEGACY_PREFIX) {
            return open_with(&self.legacy, encoded);
        }
        // A mark this version does not know (written by a newer one) is never taken for
        // plain text, or its ciphertext would be sent as the message.
        if stored.starts_with(SEALED) {
            return Err("a sealed message body is in a format this version cannot open".into());
        }
        Ok(stored.to_owned())
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

    const PEPPER: &[u8] = b"pepper one, long enough for tests";

    #[test]
    fn sealed_bodies_hide_the_text_and_open_only_with_their_key() {
        let sealer = Sealer::new(PEPPER);
        let body = "Set my security PIN: https://janus.example/pin/abcDEF123";
        let sealed = sealer.seal(body);
        assert!(sealed.starts_with(&format!("{PREFIX}{}:", sealer.key_id())));
        assert!(!sealed.contains("abcDEF123"));
        assert_ne!(sealed, sealer.seal(body), "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed).unwrap(), body);

        let other = Sealer::new(b"another pepper, long enough too");
        assert!(other.open(&sealed).unwrap_err().contains("not configured"));
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(sealer.open(&tampered).is_err());
        assert_eq!(sealer.open("plain old body").unwrap(), "plain old body");
        assert!(
            sealer.open("sealed:v3:k:AAAA").is_err(),
            "a newer format is not plain text"
        );
    }

    #[test]
    fn a_rotated_key_still_opens_what_it_sealed_and_seals_nothing_new() {
        let old = Sealer::with_keys(PEPPER, b"first sealing key", &[]);
        let before = old.seal("sealed before the rotation");
        let rotated = Sealer::with_keys(
            PEPPER,
            b"second sealing key",
            &[b"first sealing key".to_vec()],
        );
        assert_ne!(rotated.key_id(), old.key_id());
        assert_eq!(rotated.open(&before).unwrap(), "sealed before the rotation");
        let after = rotated.seal("sealed after");
        assert!(after.contains(rotated.key_id()));
        assert!(
            old.open(&after).is_err(),
            "the old key cannot open new bodies"
        );
        // Once the old key is dropped, its bodies say which key they need.
        let dropped = Sealer::with_keys(PEPPER, b"second sealing key", &[]);
        let why = dropped.open(&before).unwrap_err();
        assert!(why.contains(old.key_id()), "{why}");
    }

    /// A body the sealing code before key ids wrote (under this test's pepper), kept as it
    /// was stored: it must open for as long as such rows may wait in an outbox.
    #[test]
    fn bodies_sealed_before_key_ids_still_open() {
        const V1_BODY: &str =
            "sealed:v1:hSMlwOzLHFHU_6NrILF44ywE7U-PUxUiEA2zun0-Kq0qw9Gkmtn5J61Zu20x81q6r6UR";
        assert_eq!(Sealer::new(PEPPER).open(V1_BODY).unwrap(), "an old body");
        assert!(Sealer::new(b"another pepper").open(V1_BODY).is_err());
    }
}
