use janus_domain::AppError;
use leptos::prelude::*;

/// Shows an error from a server function. A lost session sends the browser to sign-in,
/// keeping the current address so the staff member comes back to where they were; a
/// session part-way through signing in goes to the step it is at; an admin action that
/// needs a fresh second factor asks for it here (and, given `retry`, runs again).
#[component]
pub fn ErrorNotice(
    error: AppError,
    #[prop(optional)] retry: Option<Callback<()>>,
) -> impl IntoView {
    if let AppError::StepUpRequired(message) = error {
        return match retry {
            Some(retry) => view! { <super::StepUpForm message retry /> }.into_any(),
            None => view! { <super::StepUpForm message /> }.into_any(),
        };
    }
    if let AppError::SignInUnfinished(step) = error {
        #[cfg(feature = "hydrate")]
        let _ = window().location().set_href(step.path());
        return view! {
            <div class="notice notice-error" role="alert">
                {step.refusal()} " " <a href=step.path()>"Continue"</a>
            </div>
        }
        .into_any();
    }
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
