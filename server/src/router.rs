//! The HTTP surface: Leptos pages and server functions, plus the layers every request
//! passes through (the staff page guard and the server-function error status).

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use app::routes::Access;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::StatusCode;
use janus_domain::AppError;
use janus_domain::settings::Mode;
use janus_domain::staff::second_factor::SignInStep;
use janus_store::Store;
use janus_store::transports::Transports;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::sync::watch;

use crate::hardening;

/// Server-function error bodies are small JSON; anything bigger is not ours to decode.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Serves the app, with a delivery worker, until SIGTERM or Ctrl-C; then shuts down
/// gracefully: no new connections, event streams ended, requests in flight and the
/// worker's message finished, all within `site.shutdown_seconds`.
pub async fn serve(store: Store, transports: Transports) -> Result<(), String> {
    let addr: SocketAddr = store
        .settings
        .site
        .address
        .parse()
        .map_err(|e| format!("setting `site.address`: {e}"))?;
    let site = &store.settings.site;
    if site.mode == Mode::Development && !addr.ip().is_loopback() && !site.allow_remote_development
    {
        return Err(format!(
            "development mode listens on loopback addresses only (its dev mailbox shows live \
             links and codes), not on {addr}: set site.mode = \"production\", or \
             site.allow_remote_development = true on a machine nobody else can reach"
        ));
    }
    store.claim_for_serving().await.map_err(|e| e.to_string())?;
    match site.mode {
        Mode::Development => tracing::warn!(
            "DEVELOPMENT MODE: the dev mailbox at /dev/mailbox shows every link and code sent, \
             and a built-in pepper may be in use. Never serve real clients in this mode."
        ),
        Mode::Production => tracing::info!("PRODUCTION MODE: no dev mailbox, no demo data."),
    }
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    options.site_addr = addr;
    // cargo-leptos builds name the app's files by their content (`hash-files` in
    // Cargo.toml) and leave the hashes beside this binary; follow them whenever they are
    // there, so no start-up script has to say so.
    options.hash_files |= app::page_scripts::hash_file(&options).exists();
    let public_url = store.settings.site.public_url.clone();
    let router = app(store.clone(), options);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Janus Enrollment is serving at {public_url} (listening on {addr})");

    let (stop, stopping) = watch::channel(false);
    let worker = tokio::spawn(crate::delivery::supervise(
        store.clone(),
        transports,
        stopping.clone(),
    ));
    let mut server = tokio::spawn({
        let mut stopping = stopping.clone();
        let serving = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        });
        async move { serving.await }
    });
    tokio::select! {
        stopped = &mut server => {
            stop.send_replace(true);
            return match stopped {
                Ok(Ok(())) => Err("the server stopped by itself".into()),
                Ok(Err(e)) => Err(format!("server stopped: {e}")),
                Err(e) => Err(format!("server stopped: {e}")),
            };
        }
        () = crate::shutdown::requested() => {}
    }
    let seconds = store.settings.site.shutdown_seconds;
    tracing::info!(
        "shutting down: no new connections; ending event streams and finishing requests in \
         flight and deliveries (at most {seconds} s)"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds.into());
    stop.send_replace(true);
    store.live.close();
    match tokio::time::timeout_at(deadline, &mut server).await {
        Ok(_) => tracing::info!("every request finished"),
        Err(_) => tracing::warn!("requests still in flight at the deadline; exiting anyway"),
    }
    match tokio::time::timeout_at(deadline, worker).await {
        Ok(_) => {}
        Err(_) => tracing::warn!(
            "the delivery worker was still sending at the deadline; its claims lapse after \
             outbox.lease_seconds"
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

/// The app's routes, generated once per process. `generate_route_list` runs the whole app
/// with a process-wide flag set that parks, forever, any resource first polled meanwhile
/// (leptos-rs/leptos#4773): a second router built while pages render (as the HTTP tests
/// do, one router per test) would hang those renders. `OnceLock` makes later callers wait
/// for the one generation, and no page can render before a router exists.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as a router, so tests can call it without a socket.
pub fn app(store: Store, options: LeptosOptions) -> Router {
    let routes = route_list();
    let options_for_guard = options.clone();
    let context = {
        let store = store.clone();
        move || provide_context(store.clone())
    };
    Router::new()
        .route(
            "/health",
            get(crate::unavailable::health).with_state(store.clone()),
        )
        // Liveness: the process answers, whatever the database does. Also the bare route
        // the load benchmark compares the dashboard with.
        .route("/health/live", get(|| async { "ok" }))
        .route(
            "/api/events",
            get(crate::live::events).with_state(store.clone()),
        )
        .route(
            "/api/sign-in-audit.csv",
            get(crate::exports::sign_in_audit_csv).with_state(store.clone()),
        )
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest(
            &format!("/{}", options.site_pkg_dir),
            crate::assets::package_files(&options),
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .layer(middleware::from_fn_with_state(
            (store.clone(), options_for_guard),
            guard_staff_pages,
        ))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(hardening::bounded_fields))
        .layer(middleware::from_fn_with_state(
            store.clone(),
            hardening::same_origin_writes,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            hardening::MAX_BODY_BYTES,
        ))
        .layer(middleware::map_response(hardening::explain_too_large))
        .layer(middleware::from_fn_with_state(
            store.clone(),
            hardening::known_hosts_only,
        ))
        // A panic is a bug, and the tests look for them; should one slip through, the
        // caller gets a plain 500 with the security headers (and the log the panic) rather than a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            hardening::panic_answer,
        ))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .no_deflate()
                .no_zstd()
                .quality(tower_http::CompressionLevel::Precise(4))
                .compress_when(hardening::is_rendered_page as hardening::ResponsePredicate),
        )
        .layer(middleware::from_fn_with_state(
            store,
            hardening::security_headers,
        ))
}

/// Sends anonymous requests for staff pages to sign-in (remembering where they were going),
/// a session part-way through signing in to the step it is at, and signed-in staff away
/// from the sign-in pages.
async fn guard_staff_pages(
    State((store, options)): State<(Store, LeptosOptions)>,
    request: Request,
    next: Next,
) -> Response {
    let access = app::routes::access(request.uri().path());
    if access.is_public() && access != Access::SignIn {
        return next.run(request).await;
    }
    let step = match app::session_cookie::read(&store.settings, request.headers()) {
        Some(token) => match store.session(&token).await {
            Ok(session) => session.map(|s| s.step),
            Err(AppError::Unavailable) => {
                return crate::unavailable::page(&app::page_scripts::stylesheet_href(&options));
            }
            Err(_) => {
                return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
            }
        },
        None => None,
    };
    let wanted = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let to_step = |step: SignInStep, next: &str| {
        Redirect::to(&format!(
            "{}?next={}",
            step.path(),
            janus_domain::url::encode_query_value(next)
        ))
        .into_response()
    };
    let next_in_query = || {
        let query = request.uri().query().unwrap_or_default();
        let next = url_query_value(query, "next");
        janus_domain::url::local_redirect(next.as_deref())
    };
    match (access, step) {
        // The sign-in page starts again whatever step a session is at.
        (Access::SignIn, Some(SignInStep::Done)) => Redirect::to("/").into_response(),
        (Access::SignIn, _) => next.run(request).await,
        (Access::SigningIn, None) => Redirect::to("/login").into_response(),
        (Access::SigningIn, Some(SignInStep::Done)) => {
            Redirect::to(&next_in_query()).into_response()
        }
        (Access::SigningIn, Some(step))
            if step.path() != request.uri().path().trim_end_matches('/') =>
        {
            to_step(step, &next_in_query())
        }
        (_, None) => Redirect::to(&format!(
            "/login?next={}",
            janus_domain::url::encode_query_value(wanted)
        ))
        .into_response(),
        (Access::SigningIn, Some(_)) | (_, Some(SignInStep::Done)) => next.run(request).await,
        (_, Some(step)) => to_step(step, wanted),
    }
}

/// The value of `name` in a query string, decoded.
fn url_query_value(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// server_fn answers every error with 500. We decode our error and answer with its own
/// status, so a refused or malformed request is never reported as a server fault.
async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    // A redirect set by the server function (a plain form post sent back to its page)
    // must stay a redirect.
    let headers = response.headers();
    if !headers.contains_key(server_fn::error::SERVER_FN_ERROR_HEADER)
        || headers.contains_key(http::header::LOCATION)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    /// The app's `<Route>`s and the table the guard, the scripts and the CSP read are the
    /// same pages.
    #[test]
    fn the_route_table_names_every_page_of_the_app() {
        let mut rendered: Vec<String> = super::route_list()
            .iter()
            .map(|route| route.path().to_owned())
            .collect();
        let mut declared: Vec<String> = app::routes::PAGES
            .iter()
            .map(|page| {
                page.pattern
                    .split('/')
                    .map(|segment| match segment.strip_prefix(':') {
                        Some(name) => format!("{{{name}}}"),
                        None => segment.to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        rendered.sort();
        rendered.dedup();
        declared.sort();
        assert_eq!(rendered, declared);
    }
}
