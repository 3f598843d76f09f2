//! Secrets (passwords, PINs, codes, tokens) in a type that cannot leak by accident: it is
//! neither `Debug`, `Display` nor `Serialize`, so it cannot reach a log line, a trace or
//! a response without someone writing `expose()`.

use zeroize::Zeroizing;

/// Its bytes (the whole buffer, spare capacity included) are overwritten when it is
/// dropped, by `zeroize`, whose writes the compiler may not remove as dead stores.
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The clear value, for hashing or comparing. Every call site is a place to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}
