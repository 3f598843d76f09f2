//! While the database cannot be reached: staff pages answer with a 503 page that says so
//! plainly and tries again by itself, and the health check answers 503 so a load balancer
//! or an uptime monitor sees the same. Nothing here needs the database, and nothing is
//! cached, so the first request after the database returns is served normally.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use janus_store::Store;

/// How often the page reloads itself, and what `Retry-After` tells clients, in seconds.
const RETRY_SECONDS: u32 = 15;

/// The page's own policy: its one stylesheet, and nothing else.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The page, linking the app's stylesheet at `stylesheet` (its content-hashed name).
pub fn page(stylesheet: &str) -> Response {
    let body = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{RETRY_SECONDS}">
<title>Temporarily unavailable · Janus Enrollment</title>
<link rel="stylesheet" href="{stylesheet}">
</head>
<body>
<main class="login">
  <div class="login-card" role="alert">
    <div class="wordmark wordmark-large"><span class="wordmark-mark" aria-hidden="true">J</span>Janus Enrollment</div>
    <h1>Temporarily unavailable</h1>
    <p>Janus Enrollment cannot reach its database right now. Nothing you did was lost, and nothing was half done.</p>
    <p class="muted">This page tries again every {RETRY_SECONDS} seconds and opens as soon as the database is back. If it stays like this for more than a few minutes, tell the on-call engineer.</p>
  </div>
</main>
</body>
</html>
"#
    );
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_SECONDS));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

/// `GET /health`: 200 `ok` when the database answers, 503 otherwise.
pub async fn health(State(store): State<Store>) -> Response {
    match store.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            let mut response =
                (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_SECONDS));
            response
        }
    }
}
