//! The ledger of secrets a test run used, shared by the store's and the server's tests
//! (the server's include this file by path).

/// Notes a secret this test used (a link token, a code, a session cookie) in the ledger
/// that `scripts/test.sh` searches the run's logs and databases for afterwards
/// (`scripts/search-secrets.py`). PINs typed by tests are found in their sources instead.
pub fn remember_secret(value: &str) {
    use std::io::Write;
    if let Ok(path) = std::env::var("TEST_SECRETS_LEDGER") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("the secret ledger can be written");
        writeln!(file, "{value}").expect("the secret ledger can be written");
    }
}

/// Notes every link token and 6-digit code in an opened message body.
pub fn remember_secrets_in(body: &str) {
    for (at, _) in body.match_indices("/pin/") {
        let token: String = body[at + 5..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if token.len() >= 22 {
            remember_secret(&token);
        }
    }
    for run in body.split(|c: char| !c.is_ascii_digit()) {
        if run.len() == 6 {
            remember_secret(run);
        }
    }
}
