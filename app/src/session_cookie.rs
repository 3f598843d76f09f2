//! The staff session cookie: its name, its attributes and how to read it back.
//! Shared by the server functions (which set it) and the server's page guard (which reads it).

use cookie::{Cookie, SameSite};
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
    let max_age = i64::from(settings.sessions.absolute_hours) * 3600;
    ours(settings, name(settings), token.cookie_value(), max_age)
}

/// `Set-Cookie` value that deletes the session cookie.
pub fn clear(settings: &Settings) -> String {
    ours(settings, name(settings), "", 0)
}

pub fn read(settings: &Settings, headers: &HeaderMap) -> Option<SessionToken> {
    cookie(headers, name(settings)).map(|value| SessionToken::from_cookie(&value))
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
    let max_age = i64::from(settings.throttle.trusted_device_days) * 24 * 3600;
    ours(settings, device_name(settings), value, max_age)
}

pub fn read_device(settings: &Settings, headers: &HeaderMap) -> Option<String> {
    cookie(headers, device_name(settings))
}

/// Both cookies' attributes: the whole site, never readable by scripts, Lax, Secure over
/// HTTPS (which the `__Host-` name requires).
fn ours(settings: &Settings, name: &'static str, value: &str, max_age_seconds: i64) -> String {
    Cookie::build((name, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .secure(settings.site.is_https())
        .build()
        .to_string()
}

/// The first non-empty value of the cookie `wanted` in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == wanted && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes_follow_the_scheme() {
        let mut s = Settings::default();
        let t = SessionToken::from_cookie("abc");
        let plain = Cookie::parse(set(&s, &t)).unwrap();
        assert_eq!((plain.name(), plain.value()), ("janus_session", "abc"));
        assert_eq!(plain.path(), Some("/"));
        assert_eq!(plain.http_only(), Some(true));
        assert_eq!(plain.same_site(), Some(SameSite::Lax));
        assert_eq!(
            plain.max_age(),
            Some(cookie::time::Duration::seconds(43200))
        );
        assert_eq!(plain.secure(), None, "no Secure over plain HTTP");
        s.site.public_url = "https://janus.example".into();
        let secure = Cookie::parse(set(&s, &t)).unwrap();
        assert_eq!(secure.name(), "__Host-janus_session");
        assert_eq!(secure.secure(), Some(true));
        let cleared = Cookie::parse(clear(&s)).unwrap();
        assert_eq!(cleared.value(), "");
        assert_eq!(cleared.max_age(), Some(cookie::time::Duration::ZERO));
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
