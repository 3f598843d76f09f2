//! Choosing who receives a setup or reset link, or a 2-step code.

use janus_domain::contact::display_phone;
use janus_domain::ids::ContactId;
use janus_domain::security::SecurityStatus;
use leptos::prelude::*;

use super::read_words::SentWords;
use super::{ContactPurpose, Feedback, ModalActions, ModalStep};
use crate::api::security::{approve_cooling_off, prove_its_us, send_pin_link, send_two_step_code};

/// What the picker's user chose and typed, kept by the modal across redraws.
#[derive(Clone, Copy)]
pub(super) struct PickerState {
    chosen: RwSignal<Option<ContactId>>,
    /// The contact whose cooling-off an admin is approving, and the reason typed.
    approving: RwSignal<Option<ContactId>>,
    approval_reason: RwSignal<String>,
}

impl PickerState {
    /// Provided by the modal for its picker.
    pub fn provide() -> Self {
        let state = Self {
            chosen: RwSignal::new(None),
            approving: RwSignal::new(None),
            approval_reason: RwSignal::new(String::new()),
        };
        provide_context(state);
        state
    }

    fn of_modal() -> Self {
        expect_context()
    }

    /// Forgets everything, as when the modal opens again.
    pub fn reset(self) {
        self.chosen.set(None);
        self.approving.set(None);
        self.approval_reason.set(String::new());
    }
}

#[component]
pub(super) fn ContactPicker(s: SecurityStatus, purpose: ContactPurpose) -> impl IntoView {
    let actions = ModalActions::of_modal();
    let refusal = move |c: &janus_domain::dashboard::ContactView| {
        if purpose.link().is_some() {
            c.link_refusal()
        } else {
            c.code_refusal()
        }
    };
    let allowed = move |c: &janus_domain::dashboard::ContactView| refusal(c).is_none();
    // The choice lives in the modal, so a fresh status (its polling, an approval) that
    // draws the picker again keeps it; one no longer allowed gives way to the first that is.
    let PickerState {
        chosen,
        approving,
        approval_reason,
    } = PickerState::of_modal();
    let still_allowed = chosen
        .get_untracked()
        .is_some_and(|id| s.contacts.iter().any(|c| c.id == id && allowed(c)));
    if !still_allowed {
        chosen.set(s.contacts.iter().find(|c| allowed(c)).map(|c| c.id));
    }
    let client_id = s.client_id;
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(contact_id) = chosen.get_untracked() else {
            actions.say(Feedback::Warning("Choose a contact first.".into()));
            return;
        };
        if purpose == ContactPurpose::ProveItsUs {
            actions.clear();
            let words = SentWords::of_modal();
            actions.run(
                prove_its_us(client_id, contact_id),
                move |answer| match answer {
                    Ok(sent) => {
                        words.remember(sent.words, sent.contact_name, sent.channels);
                        actions.go(ModalStep::ReadWords);
                        None
                    }
                    Err(e) => Some(Feedback::Error(e)),
                },
            );
            return;
        }
        let call = async move {
            match purpose.link() {
                Some(p) => send_pin_link(client_id, contact_id, p).await,
                None => send_two_step_code(client_id, contact_id).await,
            }
        };
        actions.clear();
        actions.run(call, move |answer| match answer {
            Ok(s) => {
                let contact = s.contacts.iter().find(|c| c.id == contact_id);
                let name = match contact {
                    Some(c) if c.mobile_phone.is_none() => {
                        format!("{} by email only (no mobile number on file)", c.name)
                    }
                    Some(c) => c.name.clone(),
                    None => String::new(),
                };
                let text = match purpose {
                    ContactPurpose::CreatePin => format!(
                        "Setup link sent to {name}. Verify PIN opens once they set their PIN."
                    ),
                    ContactPurpose::ResetPin => {
                        format!("The old PIN no longer works. Reset link sent to {name}.")
                    }
                    // (Prove it's us never comes here: it went to the words above.)
                    ContactPurpose::TwoStepCode | ContactPurpose::ProveItsUs => {
                        format!("Code sent to {name}. Type the digits they read back.")
                    }
                };
                actions.go(if purpose == ContactPurpose::TwoStepCode {
                    ModalStep::EnterCode
                } else {
                    ModalStep::Overview
                });
                Some(Feedback::Success(text))
            }
            Err(e) => Some(Feedback::Error(e)),
        });
    };
    // An admin may let messages go to a contact's new address before its cooling-off ends.
    let me = use_context::<crate::components::staff_shell::SignedInStaff>();
    let approve = move |contact_id, name: String| {
        let reason = approval_reason.get_untracked();
        actions.clear();
        actions.run(
            approve_cooling_off(client_id, contact_id, reason),
            move |answer| match answer {
                Ok(_) => {
                    approving.set(None);
                    approval_reason.set(String::new());
                    chosen.set(Some(contact_id));
                    Some(Feedback::Success(format!(
                        "Approved: links and codes may go to {name}'s new address now. The reason is in the audit trail."
                    )))
                }
                Err(e) => Some(Feedback::Error(e)),
            },
        );
    };
    let legend_id = format!("picker-{client_id}");
    view! {
        <form class="contact-picker" on:submit=send>
            <fieldset aria-describedby=legend_id.clone()>
                <legend>{purpose.title()}</legend>
                {(purpose == ContactPurpose::ResetPin).then(|| view! {
                    <p class="notice notice-warning" id=legend_id.clone()>"The current PIN stops working as soon as you send the reset link."</p>
                })}
                <ul class="choices">
                    {s.contacts.into_iter().map(|c| {
                        let refusal = refusal(&c);
                        let disabled = refusal.is_some();
                        let cooling = c.cooling_off.is_some() && refusal == c.cooling_off;
                        let name = c.name.clone();
                        let approval = move || {
                            (cooling && me.is_some_and(|me| me.is_admin())).then(|| {
                                let name = name.clone();
                                let open = approving.get() == Some(c.id);
                                let reason_id = format!("approve-reason-{}", c.id);
                                view! {
                                    <div class="cooling-approval">
                                        {if open {
                                            view! {
                                                <label for=reason_id.clone()>"Why may messages go to the new address now?"</label>
                                                <textarea id=reason_id rows="2" maxlength="500"
                                                    prop:value=move || approval_reason.get()
                                                    on:input=move |ev| approval_reason.set(event_target_value(&ev))></textarea>
                                                <button type="button" class="button button-small" disabled=move || actions.busy()
                                                    on:click=move |_| approve(c.id, name.clone())>"Approve sending now"</button>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <button type="button" class="button button-small" on:click=move |_| approving.set(Some(c.id))>
                                                    "Approve sending now…"
                                                </button>
                                            }.into_any()
                                        }}
                                    </div>
                                }
                            })
                        };
                        let id = c.id;
                        let input_id = format!("contact-choice-{id}");
                        let hint_id = format!("{input_id}-hint");
                        let details = format!(
                            "{} · {} · {}",
                            c.email,
                            c.mobile_phone.as_deref().map(display_phone).unwrap_or_else(|| "no mobile".into()),
                            c.channels()
                        );
                        view! {
                            <li class=if disabled { "choice choice-disabled" } else { "choice" }>
                                <input
                                    type="radio"
                                    name="contact"
                                    id=input_id.clone()
                                    value=id.to_string()
                                    disabled=disabled
                                    aria-describedby=hint_id.clone()
                                    prop:checked=move || chosen.get() == Some(id)
                                    on:change=move |_| chosen.set(Some(id))
                                />
                                <label for=input_id>
                                    <span class="choice-name">{c.name.clone()}</span>
                                    <span class="role">{c.role.label()}</span>
                                </label>
                                <p class="muted small" id=hint_id>
                                    {details}
                                    {refusal.map(|r| view! { <br /><span class="text-danger">{r}</span> })}
                                </p>
                                {approval}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
            <div class="modal-actions">
                <button type="submit" class="button button-primary" disabled=move || actions.busy() || chosen.get().is_none()>
                    {purpose.send_label()}
                </button>
                <button type="button" class="button" on:click=move |_| actions.go(ModalStep::Overview)>"Back"</button>
            </div>
        </form>
    }
}
