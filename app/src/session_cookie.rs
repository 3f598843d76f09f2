//! The staff session cookie: its name, its attributes and how to read it back.
//! Shared by the server functions (which set it) and the server's page guard (which reads it).

use http::HeaderMap;
use http::header::COOKIE;
use janus_domain::settings::Settings;
use janus_store::auth::SessionToken;

/// Over HTTPS the `__Host-` prefix makes the browser insist on Secure, Path=/ and no
/// Domain, so a sibling subdomain cannot plant or overwrite the cookie.
pub fn name(settings: &Settings) -> &'static str {
    if settings.site.is_https() {
        "__Host-janus_session"
    } else {
        "janus_session"
    }
}

/// `Set-Cookie` value that stores a new session. SameSite=Lax keeps it off cross-site
/// sub-requests and form posts while letting a staff member follow a link into the app.
pub fn set(settings: &Settings, token: &SessionToken) -> String {
    let max_age = u64::from(settings.sessions.absolute_hours) * 3600;
    let secure = if settings.site.is_https() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        name(settings),
        token.cookie_value()
    )
}

/// `Set-Cookie` value that deletes the session cookie.
pub fn clear(settings: &Settings) -> String {
    let secure = if settings.site.is_https() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        name(settings)
    )
}

pub fn read(settings: &Settings, headers: &HeaderMap) -> Option<SessionToken> {
    cookie(headers, name(settings)).map(SessionToken::from_cookie)
}

/// The device cookie (`janus_store::devices`): it outlives sessions, so the browser that
/// signed in before is still known at its next sign-in. Same attributes as the session's.
pub fn device_name(settings: &Settings) -> &'static str {
    if settings.site.is_https() {
        "__Host-janus_device"
    } else {
        "janus_device"
    }
}

pub fn set_device(settings: &Settings, value: &str) -> String {
    let max_age = u64::from(settings.throttle.trusted_device_days) * 24 * 3600;
    let secure = if settings.site.is_https() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        device_name(settings)
    )
}

pub fn read_device<'h>(settings: &Settings, headers: &'h HeaderMap) -> Option<&'h str> {
    cookie(headers, device_name(settings))
}

fn cookie<'h>(headers: &'h HeaderMap, wanted: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == wanted && !v.is_empty())
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes_follow_the_scheme() {
        let mut s = Settings::default();
        let t = SessionToken::from_cookie("abc");
        assert_eq!(
            set(&s, &t),
            "janus_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200"
        );
        s.site.public_url = "https://janus.example".into();
        let c = set(&s, &t);
        assert!(
            c.starts_with("__Host-janus_session=abc;") && c.ends_with("; Secure"),
            "{c}"
        );
        assert!(clear(&s).contains("Max-Age=0"));
    }

    #[test]
    fn reads_the_session_among_other_cookies() {
        let s = Settings::default();
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            "theme=dark; janus_session=tok123; other=1".parse().unwrap(),
        );
        assert_eq!(
            read(&s, &h).map(|t| t.cookie_value().to_owned()),
            Some("tok123".into())
        );
        let mut empty = HeaderMap::new();
        empty.append(COOKIE, "janus_session=".parse().unwrap());
        assert!(read(&s, &empty).is_none());
    }
}
