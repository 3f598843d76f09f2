//! Pages, components, router and server functions of Janus Enrollment.
//!
//! Server functions are thin: they find the signed-in staff member, call one use case of
//! `janus-store`, and return its result. Rules live in `janus-domain`, I/O in `janus-store`.

// Leptos view types nest deeply; without `erase_components` (turned off so debug builds
// share dependencies with `cargo test`, see Cargo.toml) they need a higher limit.
#![recursion_limit = "256"]

pub mod api;
mod components;
mod pages;
#[cfg(feature = "ssr")]
pub mod session_cookie;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::{DashboardPage, LeadCardPage, LoginPage, NotFoundPage};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
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
        <Stylesheet id="leptos" href="/pkg/janus.css" />
        <Title formatter=|page: String| if page.is_empty() { "Janus Enrollment".to_owned() } else { format!("{page} · Janus Enrollment") } />
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/") view=DashboardPage />
                <Route path=path!("/clients/:id") view=LeadCardPage />
            </Routes>
        </Router>
    }
}
