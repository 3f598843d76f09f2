//! The site's built files under `/pkg`: the app's bundle and stylesheet and the client
//! page's bundle. A release build leaves a `.br` and a `.gz` beside each file, and the one
//! the browser accepts is sent as is, so nothing is compressed per request. A file whose
//! name carries its content hash never changes under that name: browsers keep it for a
//! year without asking again. Any other file is revalidated on each use.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use http::{HeaderValue, header};
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

const FOREVER: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The `/pkg` files of the site these options describe.
pub fn package_files<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(middleware::from_fn(cache_lifetime))
}

async fn cache_lifetime(request: Request, next: Next) -> Response {
    let immutable = is_content_addressed(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // The same address answers differently per Accept-Encoding; shared caches must know.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // A 304 repeats the lifetime, so a revalidated file keeps its rule.
    if response.status().is_success() || response.status() == http::StatusCode::NOT_MODIFIED {
        let lifetime = if immutable { FOREVER } else { REVALIDATE };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(lifetime));
    }
    response
}

/// `name.<hash>.ext`: a file name with a content hash between its stem and extension.
fn is_content_addressed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3 && app::page_scripts::is_content_hash(parts[parts.len() - 2])
}

#[cfg(test)]
mod tests {
    use super::is_content_addressed;

    #[test]
    fn only_hashed_names_are_kept_for_good() {
        assert!(is_content_addressed("/pin-page.0123456789abcdef.wasm"));
        assert!(is_content_addressed("/janus.Xy_-0123456789abcdefgh.js"));
        assert!(!is_content_addressed("/janus.js"));
        assert!(!is_content_addressed("/janus_bg.wasm"));
        assert!(!is_content_addressed("/pin-page.hash"));
        assert!(!is_content_addressed("/a.short.css"));
    }
}
