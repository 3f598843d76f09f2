//! Layers every response and request passes through for safety: refusing requests for
//! other hosts, security headers, refusing cross-origin writes, and a cap on request
//! bodies.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use janus_store::Store;

/// The largest request body accepted. Server-function arguments are a few hundred bytes;
/// nothing the app takes comes near this.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// For responses that are not pages (server functions, files, errors): nothing may run,
/// load or frame them.
const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Two years, with subdomains: what the HSTS preload list asks for.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Refuses, before any work, a request naming a host that is not this site's
/// ([`janus_domain::settings::SiteSettings::accepts_host`]): a page of another site whose
/// name an attacker pointed at our address (DNS rebinding) is same-origin with itself,
/// so its writes pass the Origin check, but it still names its own host. A request with
/// no host at all is malformed HTTP/1.1 (RFC 9112 §3.2). The health checks answer
/// whatever the host, since load balancers probe by address; they hold no data.
pub async fn known_hosts_only(
    State(store): State<Store>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/health" || path == "/health/live" {
        return next.run(request).await;
    }
    // HTTP/2 carries the host in the request's authority rather than a header.
    let host = match request.headers().get(header::HOST) {
        Some(value) => value.to_str().ok(),
        None => request.uri().authority().map(|a| a.as_str()),
    };
    match host {
        Some(host) if store.settings.site.accepts_host(host) => next.run(request).await,
        Some(host) => {
            tracing::warn!(host, path, "request for another host refused");
            (
                StatusCode::MISDIRECTED_REQUEST,
                "This server does not serve that host name.",
            )
                .into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            "The request names no host (or an unreadable one).",
        )
            .into_response(),
    }
}

/// Adds the security headers to every response. Pages bring their own
/// Content-Security-Policy (with the nonce of their inline scripts, see `app::shell`);
/// every other response gets one that allows nothing. Anything that did not choose its
/// own cache lifetime (pages, server-function answers, errors) is `no-store`: staff pages
/// show clients' details and the PIN page belongs to one client's link, and neither may
/// stay in a shared computer's cache or be shown again by Back after signing out. Hashed
/// static files set their year-long lifetime themselves (`assets.rs`).
pub async fn security_headers(
    State(store): State<Store>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NON_PAGE_CSP));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // For browsers that predate frame-ancestors.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if store.settings.site.public_url.starts_with("https://") {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Refuses a write (any method but GET, HEAD and OPTIONS) that a browser says comes from
/// another site: its `Origin` must be the site's own (the public URL, or the host the
/// request was sent to), and `Sec-Fetch-Site` must not be `cross-site`. Requests without
/// either header do not come from a browser page and have no cookie a page could borrow.
pub async fn same_origin_writes(
    State(store): State<Store>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let allowed = match origin {
        Some(origin) => same_origin(origin, &store.settings.site.public_url, host),
        None => fetch_site != Some("cross-site"),
    };
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(origin, path = %request.uri().path(), "cross-origin write refused");
        (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response()
    }
}

/// Whether `origin` (as a browser sends it: scheme://host[:port]) is this site: the
/// public URL's origin (scheme, host and port, as the URL standard compares them), or the
/// host the request was sent to. An opaque origin (`null`) is no site's.
fn same_origin(origin: &str, public_url: &str, host: Option<&str>) -> bool {
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    if url::Url::parse(public_url).is_ok_and(|public| public.origin() == origin.origin()) {
        return true;
    }
    let authority = match (origin.host_str(), origin.port()) {
        (Some(h), Some(port)) => format!("{h}:{port}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => return false,
    };
    host.is_some_and(|h| h.eq_ignore_ascii_case(&authority))
}

/// Refuses (422) a server-function call with a field longer than its bound
/// ([`janus_domain::limits`]) before the function runs: no lookup, hash, throttle count or
/// audit row is spent on it. Runs inside the body cap, so at most 64 KiB is read.
pub async fn bounded_fields(request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large();
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&bytes).into_owned().collect();
    let checked = janus_domain::limits::check_field_lengths(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    match checked {
        Ok(()) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(refusal) => {
            let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST);
            let body = serde_json::to_string(&refusal).unwrap_or_default();
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
    }
}

/// A test on a response's status, version, headers and extensions, as tower-http's
/// compression takes it.
pub type ResponsePredicate =
    fn(StatusCode, http::Version, &http::HeaderMap, &http::Extensions) -> bool;

/// Whether a response is a page rendered for this request, and so compressed as it goes
/// out (brotli or gzip, at a level cheap enough per request). The files under `/pkg` are
/// compressed once, at build time (`assets.rs`); server-function answers are small.
/// BREACH-style guessing through compressed sizes finds nothing to guess: no page holds a
/// credential (the session cookie is never in a body; the CSP nonce is new each time).
/// The dashboard echoes a search beside client names, but what a chosen search reveals
/// through sizes it reveals without compression too, since its matches change the page.
/// The client page's one secret, its link token, is in its own address, which a third
/// party would already need to know to make a browser open the page.
pub fn is_rendered_page(
    _status: StatusCode,
    _version: http::Version,
    headers: &http::HeaderMap,
    _extensions: &http::Extensions,
) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// What a request that panicked is answered with: the generic message, never the panic's.
pub fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = what, "a request panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        janus_domain::AppError::Internal.to_string(),
    )
        .into_response()
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The request is too large (at most {} KiB).",
            MAX_BODY_BYTES / 1024
        ),
    )
        .into_response()
}

/// Request bodies over [`MAX_BODY_BYTES`] are refused by tower-http's
/// `RequestBodyLimitLayer` (at once by their declared length, else as they arrive); its
/// answer says only "length limit exceeded", so this gives the caller the limit instead.
pub async fn explain_too_large(response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        response
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn only_this_sites_origin_may_write() {
        let public = "https://janus.example.com";
        assert!(same_origin("https://janus.example.com", public, None));
        assert!(same_origin("https://JANUS.example.com", public, None));
        assert!(same_origin(
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            Some("localhost:3000")
        ));
        assert!(!same_origin(
            "https://evil.example",
            public,
            Some("janus.example.com")
        ));
        assert!(
            !same_origin("http://janus.example.com", public, None),
            "scheme counts"
        );
        assert!(!same_origin(
            "https://janus.example.com.evil.example",
            public,
            None
        ));
        assert!(!same_origin("null", public, Some("janus.example.com")));
        assert!(
            same_origin("https://janus.example.com:443", public, None),
            "a default port is no other origin"
        );
        assert!(!same_origin("https://janus.example.com:8443", public, None));
        assert!(same_origin(
            "http://[::1]:3000",
            "https://janus.example.com",
            Some("[::1]:3000")
        ));
        assert!(!same_origin(
            "http://[::1]:3001",
            "https://janus.example.com",
            Some("[::1]:3000")
        ));
    }
}
