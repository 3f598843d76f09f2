use janus_domain::AppError;
use leptos::prelude::*;

/// Shows an error from a server function. A lost session sends the browser to sign-in,
/// keeping the current address so the staff member comes back to where they were.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    if error == AppError::Unauthenticated {
        #[cfg(feature = "hydrate")]
        {
            let here = window().location();
            let next = format!(
                "{}{}",
                here.pathname().unwrap_or_default(),
                here.search().unwrap_or_default()
            );
            let target = format!(
                "/login?next={}",
                janus_domain::url::encode_query_value(&next)
            );
            let _ = here.set_href(&target);
        }
        return view! {
            <div class="notice notice-error" role="alert">
                "Your session has ended. " <a href="/login">"Sign in again"</a>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="notice notice-error" role="alert">
            {error.to_string()}
        </div>
    }
    .into_any()
}
