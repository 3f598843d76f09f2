//! Typing the PIN a caller reads out, or the 2-step code they read back.

use janus_domain::AppError;
use janus_domain::dashboard::ContactView;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::security::{
    CheckResult, CodeCheckOutcome, PinCheckOutcome, SecurityStatus, check_typed_digits,
};
use leptos::html;
use leptos::prelude::*;

use super::{Feedback, ModalActions, ModalStep, at};
use crate::api::security::{verify_pin, verify_two_step_code};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Digits {
    Pin,
    Code,
}

/// For a PIN, `callers` are the contacts it can verify (the Owner and Authorized
/// Representatives): staff say which of them is on the phone, and a match verifies that
/// person. A code verifies the contact it was sent to.
#[component]
pub(super) fn EnterDigits(
    client_id: ClientId,
    kind: Digits,
    #[prop(optional)] callers: Vec<ContactView>,
    /// Who staff said is on the phone. The modal holds it, so the choice outlives this step
    /// being drawn again with each fresh status.
    #[prop(optional)]
    caller: Option<RwSignal<Option<ContactId>>>,
) -> impl IntoView {
    let actions = ModalActions::of_modal();
    let caller = caller.unwrap_or_else(|| RwSignal::new(None));
    // With one person to pick, they are picked.
    if let [only] = callers.as_slice()
        && caller.get_untracked() != Some(only.id)
    {
        caller.set(Some(only.id));
    }
    let input = NodeRef::<html::Input>::new();
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let (field, label, hint, submit) = match kind {
        Digits::Pin => ("pin", "PIN the caller reads out", "6 digits", "Check PIN"),
        Digits::Code => (
            "code",
            "Code the client reads back",
            "6 digits from the SMS or email",
            "Check code",
        ),
    };
    // Focus the field as soon as it is shown, so staff can type straight away.
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = typed.get_untracked();
        if let Err(e) = check_typed_digits(field, &value) {
            problem.set(Some(match e {
                AppError::InvalidInput { message, .. } => message,
                other => other.to_string(),
            }));
            return;
        }
        let picked = caller.get_untracked();
        if kind == Digits::Pin && picked.is_none() {
            problem.set(Some("Choose who is on the phone first.".into()));
            return;
        }
        problem.set(None);
        // After any answer the field is emptied and focused again, ready for the next try.
        let ready_again = move || {
            typed.set(String::new());
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        };
        match kind {
            Digits::Pin => {
                let Some(contact_id) = picked else { return };
                actions.run(verify_pin(client_id, contact_id, value), move |answer| {
                    ready_again();
                    Some(answer.map_or_else(Feedback::Error, |r| pin_feedback(actions, r)))
                })
            }
            Digits::Code => actions.run(verify_two_step_code(client_id, value), move |answer| {
                ready_again();
                Some(answer.map_or_else(Feedback::Error, |r| code_feedback(actions, r)))
            }),
        }
    };
    let input_id = format!("enter-{field}-{client_id}");
    let problem_id = format!("{input_id}-problem");
    view! {
        <form class="enter-digits" on:submit=check>
            {(kind == Digits::Pin).then(|| view! { <CallerChoice callers caller client_id /> })}
            <label for=input_id.clone()>{label}</label>
            <p class="muted small field-hint">{hint}</p>
            <input
                id=input_id
                node_ref=input
                class="digits"
                type="password"
                name=field
                inputmode="numeric"
                autocomplete="off"
                maxlength="6"
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=problem_id.clone()
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <p id=problem_id class="field-problem" role="alert">{move || problem.get()}</p>
            <div class="modal-actions">
                <button type="submit" class="button button-primary" disabled=move || actions.busy()>{submit}</button>
                <button type="button" class="button" on:click=move |_| actions.go(ModalStep::Overview)>"Back"</button>
            </div>
        </form>
    }
}

/// "Who is on the phone?": the people a PIN can verify.
#[component]
fn CallerChoice(
    callers: Vec<ContactView>,
    caller: RwSignal<Option<ContactId>>,
    client_id: ClientId,
) -> impl IntoView {
    if callers.is_empty() {
        return view! {
            <p class="notice notice-warning">
                "This client has no Owner or Authorized Representative on file, so a PIN cannot verify anyone. Send a 2-step code instead."
            </p>
        }
        .into_any();
    }
    view! {
        <fieldset class="caller-choice">
            <legend>"Who is on the phone?"</legend>
            <ul class="choices">
                {callers.into_iter().map(|c| {
                    let id = c.id;
                    let input_id = format!("caller-{client_id}-{id}");
                    view! {
                        <li class="choice">
                            <input
                                type="radio"
                                name="caller"
                                id=input_id.clone()
                                value=id.to_string()
                                prop:checked=move || caller.get() == Some(id)
                                on:change=move |_| caller.set(Some(id))
                            />
                            <label for=input_id>
                                <span class="choice-name">{c.name}</span>
                                <span class="role">{c.role.label()}</span>
                            </label>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
    }
    .into_any()
}

/// What a PIN check's answer tells staff, moving back to the overview when there is
/// nothing more to type here.
fn pin_feedback(actions: ModalActions, r: CheckResult<PinCheckOutcome>) -> Feedback {
    let (escalate_after, window_hours) = r.status.hold_rule;
    let until = verified_until(&r.status);
    let business = r.status.business_name.clone();
    match r.outcome {
        PinCheckOutcome::Verified => {
            actions.go(ModalStep::Overview);
            Feedback::Success(format!("PIN verified: {} is verified until {until}.", verified_who(&r.status, &business)))
        }
        PinCheckOutcome::Mismatch { held_since: Some(_), .. } => {
            actions.go(ModalStep::Overview);
            Feedback::Warning(format!(
                "The PIN does not match. {}",
                janus_domain::security::held_lock_message(escalate_after, window_hours)
            ))
        }
        PinCheckOutcome::Mismatch { locked_until: Some(t), consecutive_failures, .. } => {
            actions.go(ModalStep::Overview);
            Feedback::Warning(format!(
                "The PIN does not match — {consecutive_failures} wrong PINs in a row, so PIN verification is locked until {}. Send a 2-step verification code instead.",
                at(t)
            ))
        }
        PinCheckOutcome::Mismatch { consecutive_failures: 1, .. } => Feedback::Mismatch {
            text: "The PIN does not match. Ask the client to repeat the number slowly, then type it again.".into(),
            repeated: false,
        },
        PinCheckOutcome::Mismatch { consecutive_failures, .. } => Feedback::Mismatch {
            text: format!("The PIN does not match again ({consecutive_failures} in a row). Reset the PIN, or verify the caller with a 2-step code instead."),
            repeated: true,
        },
    }
}

/// When the verification a check just gave ends, as the message names it: the newest.
fn verified_until(status: &SecurityStatus) -> String {
    newest(status).map(|v| at(v.until)).unwrap_or_default()
}

/// Who the check just verified, "Rachel Cohen (Owner) of Acme".
fn verified_who(status: &SecurityStatus, business: &str) -> String {
    match newest(status) {
        Some(v) => format!("{} of {business}", v.who()),
        None => business.to_owned(),
    }
}

fn newest(status: &SecurityStatus) -> Option<&janus_domain::security::VerificationView> {
    status.current.iter().max_by_key(|v| v.at)
}

/// What a 2-step code check's answer tells staff.
fn code_feedback(actions: ModalActions, r: CheckResult<CodeCheckOutcome>) -> Feedback {
    let until = verified_until(&r.status);
    match r.outcome {
        CodeCheckOutcome::Verified => {
            actions.go(ModalStep::Overview);
            Feedback::Success(format!(
                "Code verified: {} is verified until {until}.",
                verified_who(&r.status, &r.status.business_name)
            ))
        }
        CodeCheckOutcome::Mismatch { checks_left } => Feedback::Warning(format!(
            "The code does not match. Ask the client to read it again ({checks_left} check{} left).",
            if checks_left == 1 { "" } else { "s" }
        )),
    }
}
