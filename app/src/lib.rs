//! Pages, components, router and server functions of Janus Enrollment.
//!
//! Server functions are thin: they find the signed-in staff member, call one use case of
//! `janus-store`, and return its result. Rules live in `janus-domain`, I/O in `janus-store`.

// Leptos view types nest deeply; without `erase_components` (turned off so debug builds
// share dependencies with `cargo test`, see Cargo.toml) they need a higher limit.
#![recursion_limit = "256"]

pub mod api;
mod components;
pub mod page_scripts;
mod pages;
mod passkey_browser;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod session_cookie;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::Lazy;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::page_scripts::{AppStylesheet, PageScripts};
use crate::pages::lazy::{
    AccountRoute, ClientPinRoute, DevMailboxRoute, LeadCardRoute, LoginRoute,
    MessageTemplatesRoute, NewPasswordRoute, SecondFactorRoute, SetUpFactorRoute,
    SetupCompleteRoute, StaffUsersRoute,
};
use crate::pages::{DashboardPage, NotFoundPage};

/// The Content-Security-Policy of a page: our own scripts (the hydration script by the
/// nonce Leptos puts on each inline script it writes, the bundle from `/pkg`) and our
/// WebAssembly, nothing from elsewhere, no plugins, never framed. Style attributes stay
/// allowed: brand colours are set per element, and the previewed emails carry inline
/// styles as mail clients require. Only staff pages frame anything (those previews); a
/// client page frames nothing.
pub fn content_security_policy(nonce: &str, access: routes::Access) -> String {
    let frames = match access {
        routes::Access::Client => "'none'",
        _ => "'self'",
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-src {frames}; frame-ancestors 'none'"
    )
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = http::HeaderValue::from_str(&content_security_policy(
        &nonce,
        page_scripts::page_access(),
    )) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AppStylesheet options=options.clone() />
                <PageScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Janus Enrollment".to_owned() } else { format!("{page} · Janus Enrollment") } />
        <Router>
            <Routes fallback=NotFoundPage>
                // The dashboard is in the first bundle; every other page is a chunk of its
                // own, fetched when first shown (`pages/lazy.rs`).
                <Route path=path!("/") view=DashboardPage />
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} />
                <Route path=path!("/login/second-factor") view={Lazy::<SecondFactorRoute>::new()} />
                <Route path=path!("/login/new-password") view={Lazy::<NewPasswordRoute>::new()} />
                <Route path=path!("/login/set-up-second-factor") view={Lazy::<SetUpFactorRoute>::new()} />
                <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} />
                <Route path=path!("/clients/:id") view={Lazy::<LeadCardRoute>::new()} />
                <Route path=path!("/messages") view={Lazy::<MessageTemplatesRoute>::new()} />
                <Route path=path!("/staff") view={Lazy::<StaffUsersRoute>::new()} />
                // Rendered whole before the first byte, so the page works without JavaScript.
                <Route path=path!("/pin/:token") view={Lazy::<ClientPinRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/pin/complete/:brand") view={Lazy::<SetupCompleteRoute>::new()} ssr=SsrMode::Async />
                <Route path=path!("/dev/mailbox") view={Lazy::<DevMailboxRoute>::new()} ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
