//! *Unlock PIN checks*: an admin lifts a lock, or the hold after repeated lockouts, and
//! writes down why (the reason goes into the audit trail).

use janus_domain::AppError;
use janus_domain::ids::ClientId;
use janus_domain::security::check_unlock_reason;
use leptos::prelude::*;

use super::{Feedback, ModalActions, ModalStep};
use crate::api::security::unlock_pin_checks;

#[component]
pub(super) fn UnlockPinChecks(client_id: ClientId) -> impl IntoView {
    let actions = ModalActions::of_modal();
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
        actions.run(
            unlock_pin_checks(client_id, typed),
            move |answer| match answer {
                Ok(_) => {
                    actions.go(ModalStep::Overview);
                    Some(Feedback::Success(
                        "PIN checks unlocked. The reason is in the audit trail.".into(),
                    ))
                }
                Err(AppError::InvalidInput { message, .. }) => {
                    problem.set(Some(message));
                    None
                }
                Err(other) => Some(Feedback::Error(other)),
            },
        );
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
                <button type="submit" class="button button-primary" disabled=move || actions.busy()>
                    "Unlock PIN checks"
                </button>
                <button type="button" class="button" on:click=move |_| actions.go(ModalStep::Overview)>
                    "Back"
                </button>
            </div>
        </form>
    }
}
