//! *Unlock PIN checks*: an admin lifts a lock, or the hold after repeated lockouts, and
//! writes down why (the reason goes into the audit trail).

use janus_domain::AppError;
use janus_domain::ids::ClientId;
use janus_domain::security::{SecurityStatus, check_unlock_reason};
use leptos::prelude::*;

use super::{Feedback, ModalStep};
use crate::api::security::unlock_pin_checks;

#[component]
pub(super) fn UnlockPinChecks(
    client_id: ClientId,
    busy: RwSignal<bool>,
    feedback: RwSignal<Option<Feedback>>,
    go: impl Fn(ModalStep) + Copy + Send + Sync + 'static,
    apply: impl Fn(SecurityStatus) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = reason.get_untracked();
        if let Err(AppError::InvalidInput { message, .. }) = check_unlock_reason(&typed) {
            problem.set(Some(message));
            return;
        }
        problem.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match unlock_pin_checks(client_id, typed).await {
                Ok(status) => {
                    apply(status);
                    feedback.set(Some(Feedback::Success(
                        "PIN checks unlocked. The reason is in the audit trail.".into(),
                    )));
                    go(ModalStep::Overview);
                }
                Err(AppError::InvalidInput { message, .. }) => problem.set(Some(message)),
                Err(other) => feedback.set(Some(Feedback::Error(other))),
            }
            busy.set(false);
        });
    };
    let field_id = format!("unlock-reason-{client_id}");
    let problem_id = format!("{field_id}-problem");
    view! {
        <form class="unlock-pin-checks" on:submit=submit>
            <label for=field_id.clone()>"Why are PIN checks being unlocked?"</label>
            <p class="muted small field-hint">
                "For the audit trail: who asked, and how you confirmed it was them."
            </p>
            <textarea
                id=field_id
                name="reason"
                rows="3"
                maxlength="500"
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=problem_id.clone()
                prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))
            ></textarea>
            <p id=problem_id class="field-problem" role="alert">{move || problem.get()}</p>
            <div class="modal-actions">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    "Unlock PIN checks"
                </button>
                <button type="button" class="button" on:click=move |_| { feedback.set(None); go(ModalStep::Overview) }>
                    "Back"
                </button>
            </div>
        </form>
    }
}
