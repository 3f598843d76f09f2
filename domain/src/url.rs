//! Building addresses: one percent-encoder for every value put in a query string.

/// Percent-encodes a query-string value. Unreserved characters (RFC 3986 §2.3) and `/` stay
/// as they are, so a `next=/clients/3` stays readable; everything else, space included, is
/// encoded, so the value can never end the parameter or start another.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
