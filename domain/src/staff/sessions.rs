//! A staff member's open sessions, as their account page lists them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A session as a browser may name it: the first 32 hex digits of the digest the
/// session is stored under. It opens nothing (the cookie's token cannot be derived from
/// it) and is enough to tell sessions apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub String);

/// Hex digits in a [`SessionId`].
pub const SESSION_ID_CHARS: usize = 32;

impl SessionId {
    /// The id of the session stored under `digest`.
    pub fn of_digest(digest: &str) -> Self {
        Self(digest.chars().take(SESSION_ID_CHARS).collect())
    }

    /// Refuses anything but 32 lower-case hex digits, so the id can be matched as a prefix.
    pub fn checked(&self) -> Result<&str, crate::AppError> {
        let ok = self.0.len() == SESSION_ID_CHARS
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(&self.0)
        } else {
            Err(crate::AppError::invalid("session", "is not a session id"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: SessionId,
    /// "Chrome on Linux", from the User-Agent.
    pub browser: String,
    pub address: String,
    pub started: DateTime<Utc>,
    pub last_active: DateTime<Utc>,
    /// The session this list was asked from.
    pub current: bool,
}

/// A short name for the browser and system a User-Agent describes; "Unknown browser"
/// when it says nothing we know.
pub fn describe_browser(user_agent: &str) -> String {
    // Order matters: Edge and Opera also say Chrome, and Chrome also says Safari.
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "Unknown browser".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_as_people_know_them() {
        for (ua, named) in [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36 Edg/120",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605 Version/17.0 Mobile Safari/604.1",
                "Safari on iOS",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:120.0) Gecko Firefox/120.0",
                "Firefox on macOS",
            ),
            ("", "Unknown browser"),
        ] {
            assert_eq!(describe_browser(ua), named, "{ua}");
        }
    }

    #[test]
    fn a_session_id_is_checked_before_it_is_matched() {
        let digest = "ab".repeat(32);
        let id = SessionId::of_digest(&digest);
        assert_eq!(id.checked(), Ok(&digest[..32]));
        for bad in ["", "ABAB", "%%", &"g".repeat(32), &"a".repeat(33)] {
            assert!(SessionId(bad.to_owned()).checked().is_err(), "{bad}");
        }
    }
}
