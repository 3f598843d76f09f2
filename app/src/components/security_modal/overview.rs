//! The modal's first view: the client's status and the three actions.

use janus_domain::contact::display_phone;
use janus_domain::dashboard::{ContactView, PinState};
use janus_domain::security::SecurityStatus;
use janus_domain::verification::format_countdown;
use leptos::prelude::*;

use super::deliveries::{Deliveries, Resend};
use super::{ContactPurpose, Feedback, ModalActions, ModalStep, at};
use crate::api::security::end_verification;
use crate::components::Countdown;

fn pin_line(s: &SecurityStatus) -> String {
    match (s.pin_state, &s.link) {
        (PinState::PinSet, _) => match s.pin_set_at {
            Some(t) => format!("Set on {}", at(t)),
            None => "Set".into(),
        },
        (PinState::ResetPending, Some(l)) => format!(
            "Reset in progress: link sent {} to {}, valid until {}",
            at(l.sent_at),
            l.contact_name,
            at(l.expires_at)
        ),
        (PinState::ResetPending, None) => {
            "Reset in progress: the reset link expired unused; send a new one".into()
        }
        (PinState::LinkSent, Some(l)) => format!(
            "Setup link sent {} to {}, valid until {}",
            at(l.sent_at),
            l.contact_name,
            at(l.expires_at)
        ),
        _ => "No PIN yet".into(),
    }
}

#[component]
pub(super) fn Overview(s: SecurityStatus, countdown: Countdown) -> impl IntoView {
    let actions = ModalActions::of_modal();
    let client_id = s.client_id;
    let link_deliveries = s.link.clone().map(|l| {
        let resend = Resend::Link {
            purpose: l.purpose,
            contact_id: l.contact_id,
        };
        view! {
            <div><dt>"Link messages"</dt><dd>
                <Deliveries client_id label="Link messages" deliveries=l.deliveries resend />
            </dd></div>
        }
    });
    let code_deliveries = s.code.clone().map(|c| {
        let resend = Resend::Code {
            contact_id: c.contact_id,
        };
        view! {
            <div><dt>"Code messages"</dt><dd>
                <Deliveries client_id label="Code messages" deliveries=c.deliveries resend />
            </dd></div>
        }
    });
    let blocked = s.verify_pin_blocked();
    let create_or_reset = if s.pin_state.offers_reset() {
        ContactPurpose::ResetPin
    } else {
        ContactPurpose::CreatePin
    };
    let (current, last) = (s.current.clone(), s.last.clone());
    let longest = current.first().map_or(0, |v| v.seconds_left);
    let verification = move || {
        let left = countdown.seconds_left();
        // Each window ends as many seconds before the longest as the server said.
        let people: Vec<_> = current
            .iter()
            .map(|v| (v, left - (longest - v.seconds_left)))
            .filter(|(_, left)| *left > 0)
            .collect();
        if !people.is_empty() {
            return view! {
                <ul class="verified-people">
                    {people.into_iter().map(|(v, left)| view! {
                        <li class="verified-text">
                            {format!("Verified: {} at {}. ", v.summary(), at(v.at))}
                            <strong role="timer">{format_countdown(left)}</strong>" left"
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any();
        }
        match current.first().or(last.as_ref()) {
            Some(v) => {
                let ended = match v.ended {
                    Some(why) => format!("ended {} ({})", at(v.until), why.label()),
                    None => format!("ended {}", at(v.until)),
                };
                format!(
                    "Not verified. Last verified: {} at {}; {ended}.",
                    v.summary(),
                    at(v.at)
                )
                .into_any()
            }
            None => "Not verified yet.".into_any(),
        }
    };
    let lock = match (s.held_since, s.locked_until) {
        (Some(since), _) => Some(format!(
            "Locked since {}, until a 2-step code succeeds or an admin unlocks PIN checks.",
            at(since)
        )),
        (None, Some(until)) => Some(format!(
            "Locked until {} after {} failed PIN checks in a row.",
            at(until),
            s.max_failures
        )),
        (None, None) => None,
    };
    // Only admins may unlock. Who is signed in was read once, by the page's shell: asking
    // here would run again on every fresh status the modal's polling brings, and count as
    // the person's activity.
    let locked = lock.is_some();
    let me = use_context::<crate::components::staff_shell::SignedInStaff>();
    // Verifiers check callers by PIN or code and use Prove it's us; links are not theirs.
    let read_only =
        move || !me.is_some_and(|me| me.may(janus_domain::staff::Permission::WorkEnrollments));
    let unlock = move || {
        (locked && me.is_some_and(|me| me.is_admin()))
            .then(|| {
                view! {
                    <button type="button" class="button" on:click=move |_| actions.go(ModalStep::Unlock)>
                        "Unlock PIN checks"
                    </button>
                }
            })
    };
    // An admin ends the verifications in force, say when a call turns out to be suspect.
    let anyone_verified = !s.current.is_empty();
    let end = move || {
        (anyone_verified && countdown.is_verified() && me.is_some_and(|me| me.is_admin())).then(|| {
            view! {
                <button type="button" class="button button-danger" on:click=move |_| {
                    actions.clear();
                    actions.run(end_verification(client_id), |answer| Some(match answer {
                        Ok(_) => Feedback::Success("Verification ended: the caller must be verified again.".into()),
                        Err(e) => Feedback::Error(e),
                    }));
                }>
                    "End verification"
                </button>
            }
        })
    };
    let code = s.code.as_ref().map(|c| {
        format!(
            "Sent to {} at {}; valid until {}; {} check{} left.",
            c.contact_name,
            at(c.sent_at),
            at(c.expires_at),
            c.checks_left,
            if c.checks_left == 1 { "" } else { "s" }
        )
    });
    let has_code = code.is_some();
    let contacts = s.contacts.clone();
    let reason_id = format!("verify-reason-{}", s.client_id);
    view! {
        <dl class="status-list" data-testid="security-status">
            <div><dt>"PIN"</dt><dd data-testid="pin-line">{pin_line(&s)}</dd></div>
            <div><dt>"Verification"</dt><dd data-testid="verification-line">{verification}</dd></div>
            {lock.map(|l| view! { <div><dt>"Lockout"</dt><dd class="text-danger" data-testid="lockout-line">{l}</dd></div> })}
            {link_deliveries}
            {code.map(|c| view! { <div><dt>"2-step code"</dt><dd>{c}</dd></div> })}
            {code_deliveries}
        </dl>
        <div class="modal-actions">
            <button
                type="button"
                class="button button-primary"
                disabled=blocked.is_some()
                aria-describedby=blocked.is_some().then(|| reason_id.clone())
                on:click=move |_| actions.go(ModalStep::EnterPin)
            >
                "Verify PIN"
            </button>
            <button type="button" class="button" hidden=read_only on:click=move |_| actions.go(ModalStep::PickContact(create_or_reset))>
                {if create_or_reset == ContactPurpose::ResetPin { "Reset PIN" } else { "Create PIN" }}
            </button>
            <button type="button" class="button" on:click=move |_| actions.go(ModalStep::PickContact(ContactPurpose::TwoStepCode))>
                "Send 2-Step Verification Code"
            </button>
            <button type="button" class="button" on:click=move |_| actions.go(ModalStep::PickContact(ContactPurpose::ProveItsUs))>
                "Prove it's us"
            </button>
            {has_code.then(|| view! {
                <button type="button" class="button" on:click=move |_| actions.go(ModalStep::EnterCode)>
                    "Enter 2-step code"
                </button>
            })}
            {unlock}
            {end}
        </div>
        {blocked.map(|why| view! { <p id=reason_id class="muted small" data-testid="verify-blocked">{why}</p> })}
        <CallBack contacts />
    }
}

/// The numbers on file, to call back on when a caller cannot be verified or seems wrong: a
/// fraudster gives a number they answer themselves, so only the one on file proves anything.
#[component]
fn CallBack(contacts: Vec<ContactView>) -> impl IntoView {
    // A number that just changed is the one a takeover would have put on file: it is
    // left out until its cooling-off ends.
    let (settled, recent): (Vec<_>, Vec<_>) = contacts
        .into_iter()
        .filter(|c| c.mobile_phone.is_some())
        .partition(|c| c.cooling_off.is_none());
    let on_file: Vec<_> = settled
        .into_iter()
        .filter_map(|c| Some((c.name, c.role, c.mobile_phone?)))
        .collect();
    let left_out = (!recent.is_empty()).then(|| {
        let names: Vec<String> = recent.into_iter().map(|c| c.name).collect();
        format!(
            "Not listed while their details are new: {}.",
            janus_domain::words::and_list(&names)
        )
    });
    view! {
        <section class="call-back" aria-labelledby="call-back-title" data-testid="call-back">
            <h3 id="call-back-title">"Call back on the number on file"</h3>
            <p class="muted small">
                "In doubt about a caller? Hang up and call them back on a number below. Never call a number the caller gives you."
            </p>
            {if on_file.is_empty() {
                view! { <p class="muted small">"No contact of this client has a number on file."</p> }.into_any()
            } else {
                view! {
                    <ul class="call-back-numbers">
                        {on_file.into_iter().map(|(name, role, number)| {
                            let href = format!("tel:{number}");
                            view! {
                                <li>
                                    {format!("{name} ({}) ", role.label())}
                                    <a href=href>{display_phone(&number)}</a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {left_out.map(|why| view! { <p class="muted small">{why}</p> })}
        </section>
    }
}
