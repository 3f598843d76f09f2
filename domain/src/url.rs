//! Building and following addresses: one percent-encoder for every value put in a query
//! string, and the one rule for where a redirect may lead.

/// Where staff may be sent after signing in, given the `next` they arrived with: a page of
/// this site, as a path (with its query and fragment) that is safe in a `Location` header.
/// Anything else, or nothing, is the dashboard (`/`).
///
/// The target is parsed as a browser would parse it, relative to this site, and must still
/// be on this site afterwards (OWASP, unvalidated redirects). Browsers drop tabs and line
/// breaks from an address and read `\` as `/`, so `/<TAB>/evil.example` would be
/// `//evil.example`, another site: any control character refuses the target outright
/// (a CR or LF would also be no valid header value).
pub fn local_redirect(next: Option<&str>) -> String {
    const HOME: &str = "/";
    // Only the host matters: a parsed target that keeps it never left the site.
    const BASE: &str = "http://janus.invalid/";
    let Some(next) = next else {
        return HOME.to_owned();
    };
    if !next.starts_with('/') || next.chars().any(char::is_control) {
        return HOME.to_owned();
    }
    let Ok(base) = url::Url::parse(BASE) else {
        return HOME.to_owned();
    };
    let Ok(target) = base.join(next) else {
        return HOME.to_owned();
    };
    // `/.//evil.example` keeps the host but its path `//evil.example` would read as another
    // site once it stands alone in a header.
    if target.origin() != base.origin() || target.path().starts_with("//") {
        return HOME.to_owned();
    }
    if target.path() == "/login" || target.path().starts_with("/login/") {
        return HOME.to_owned();
    }
    // What the parser wrote out is percent-encoded, printable ASCII, except that it keeps a
    // `\` in the query or fragment as it is (the path's became `/`); encode it too, so
    // no reader of the header can take it for `/`.
    target[url::Position::BeforePath..].replace('\\', "%5C")
}

/// Percent-encodes a query-string value. Unreserved characters (RFC 3986 §2.3) and `/` stay
/// as they are, so a `next=/clients/3` stays readable; everything else, space included, is
/// encoded, so the value can never end the parameter or start another.
pub fn encode_query_value(value: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const KEPT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    utf8_percent_encode(value, KEPT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_this_site_are_followed() {
        assert_eq!(local_redirect(Some("/clients/4")), "/clients/4");
        assert_eq!(local_redirect(Some("/?tab=all&q=x")), "/?tab=all&q=x");
        assert_eq!(local_redirect(Some("/clients/4#audit")), "/clients/4#audit");
        // Written out encoded, as a header must be.
        assert_eq!(local_redirect(Some("/?q=café")), "/?q=caf%C3%A9");
        assert_eq!(local_redirect(Some("/a b")), "/a%20b");
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/.//evil.example",
            "/%2e//evil.example",
            "javascript:alert(1)",
            "/login",
            "/login?next=/",
            "/./login",
            "",
            "clients/4",
        ] {
            assert_eq!(local_redirect(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(local_redirect(None), "/");
    }

    #[test]
    fn a_backslash_left_in_the_query_or_fragment_is_written_encoded() {
        // The parser keeps `\` there as it is; no reader of the header may take it for `/`.
        assert_eq!(local_redirect(Some("/0?\\")), "/0?%5C");
        assert_eq!(local_redirect(Some("/0#a\\b")), "/0#a%5Cb");
        assert_eq!(local_redirect(Some("/a\\b")), "/a/b");
    }

    #[test]
    fn separators_are_encoded_and_paths_stay_readable() {
        assert_eq!(
            encode_query_value("/?tab=all&q=a b"),
            "/%3Ftab%3Dall%26q%3Da%20b"
        );
        assert_eq!(encode_query_value("O'Brien & Co"), "O%27Brien%20%26%20Co");
        assert_eq!(encode_query_value("café"), "caf%C3%A9");
    }
}
