//! Secrets (passwords, PINs, codes, tokens) in a type that cannot leak by accident: it is
//! neither `Debug`, `Display` nor `Serialize`, so it cannot reach a log line, a trace or
//! a response without someone writing `expose()`.

pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The clear value, for hashing or comparing. Every call site is a place to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: overwrite the bytes so a freed buffer does not keep the secret.
        // SAFETY-free: we replace the String's contents through safe code.
        let len = self.0.len();
        self.0.clear();
        self.0.extend(std::iter::repeat_n('\0', len));
        self.0.clear();
    }
}
