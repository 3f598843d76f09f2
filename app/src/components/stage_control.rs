//! The lead card's enrollment stage: move the client on one stage, or back one with a
//! written reason. The enrollment gate's refusal (no security PIN yet) comes with a
//! shortcut to send the setup link.

use janus_domain::AppError;
use janus_domain::dashboard::{EnrollmentStage, LeadCard};
use janus_domain::enrollment::{PinGate, check_stage_move};
use janus_domain::ids::ClientId;
use leptos::prelude::*;

use crate::api::clients::MoveClientStage;
use crate::components::ErrorNotice;

#[component]
pub fn StageControl(
    client_id: ClientId,
    stage: EnrollmentStage,
    /// Called with the card as it stands after a move.
    on_moved: Callback<LeadCard>,
    /// Called after the gate refused a move, which the audit trail records.
    on_refused: Callback<()>,
    /// Opens the Security PIN modal where the setup (or, after a reset, reset) link is sent,
    /// with the button's words; `None` when the client has no PIN workflow.
    send_link: Option<(Callback<()>, &'static str)>,
) -> impl IntoView {
    let mover = ServerAction::<MoveClientStage>::new();
    let asking_why = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| match mover.value().get() {
        Some(Ok(card)) => on_moved.run(card),
        Some(Err(AppError::PinRequired(_))) => on_refused.run(()),
        // A reason the server refused is shown at its field, where it was typed.
        Some(Err(AppError::InvalidInput { field, message })) if field == "reason" => {
            problem.set(Some(message));
        }
        _ => {}
    });
    let move_to = move |to: EnrollmentStage, typed: String| {
        mover.dispatch(MoveClientStage {
            client_id,
            to,
            reason: typed,
        });
    };
    let refusal = move || {
        mover
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::InvalidInput { field, .. } if field == "reason"))
    };
    // Verifiers only check callers: moving a client is not theirs (the server refuses it).
    let me = use_context::<crate::components::staff_shell::SignedInStaff>();
    let read_only =
        move || !me.is_some_and(|me| me.may(janus_domain::staff::Permission::WorkEnrollments));
    let field_id = format!("stage-reason-{client_id}");
    let problem_id = format!("{field_id}-problem");
    view! {
        <section class="stage-control" aria-labelledby="stage-title" data-testid="stage-control">
            <h2 id="stage-title" class="stage-title">
                "Enrollment stage: " <span class="stage-name">{stage.label()}</span>
            </h2>
            <div class="stage-actions" role="group" aria-label="Move the client" hidden=read_only>
                {stage.next().map(|next| view! {
                    <button
                        type="button"
                        class="button button-primary"
                        disabled=move || mover.pending().get()
                        on:click=move |_| move_to(next, String::new())
                    >
                        {format!("Move to {}", next.label())}
                    </button>
                })}
                {stage.previous().map(|previous| view! {
                    <button
                        type="button"
                        class="button"
                        aria-expanded=move || asking_why.get().to_string()
                        aria-controls=field_id.clone()
                        on:click=move |_| asking_why.update(|open| *open = !*open)
                    >
                        {format!("Move back to {}…", previous.label())}
                    </button>
                })}
            </div>
            {move || {
                let previous = stage.previous()?;
                let field_id = field_id.clone();
                let problem_id = problem_id.clone();
                asking_why.get().then(|| {
                    let submit = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let typed = reason.get_untracked();
                        // The gate's own rule, so the browser asks for what the server will.
                        if let Err(AppError::InvalidInput { message, .. }) =
                            check_stage_move(stage, previous, &typed, PinGate::NotRequired)
                        {
                            problem.set(Some(message));
                            return;
                        }
                        problem.set(None);
                        move_to(previous, typed);
                    };
                    view! {
                        <form class="stage-reason" on:submit=submit>
                            <label for=field_id.clone()>
                                {format!("Why is the client moving back to {}?", previous.label())}
                            </label>
                            <p class="muted small field-hint">"For the audit trail."</p>
                            <textarea
                                id=field_id
                                name="reason"
                                rows="2"
                                maxlength="500"
                                aria-invalid=move || problem.get().is_some().to_string()
                                aria-describedby=problem_id.clone()
                                prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev))
                            ></textarea>
                            <p id=problem_id class="field-problem" role="alert">{move || problem.get()}</p>
                            <div class="modal-actions">
                                <button type="submit" class="button" disabled=move || mover.pending().get()>
                                    {format!("Move back to {}", previous.label())}
                                </button>
                                <button type="button" class="button button-quiet" on:click=move |_| asking_why.set(false)>
                                    "Cancel"
                                </button>
                            </div>
                        </form>
                    }
                })
            }}
            {move || refusal().map(|error| match error {
                AppError::PinRequired(why) => view! {
                    <div class="notice notice-warning" role="alert" data-testid="stage-refused">
                        <p>{why}</p>
                        {send_link.map(|(open, label)| view! {
                            <button type="button" class="button" on:click=move |_| open.run(())>
                                {label}
                            </button>
                        })}
                    </div>
                }
                .into_any(),
                other => view! { <ErrorNotice error=other /> }.into_any(),
            })}
        </section>
    }
}
