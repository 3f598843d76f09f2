//! The Security Verification modal (docs/SECURITY.md and the README's walk-through): *Verify PIN*, *Create PIN* / *Reset
//! PIN*, *Send 2-Step Verification Code*, the contact picker, and the client's current
//! status. A native `<dialog>` opened with `showModal()`: the page behind is inert, focus
//! moves in, Escape closes it, and focus returns to what opened it.

use janus_domain::AppError;
use janus_domain::ids::ClientId;
use janus_domain::live::ClientChange;
use janus_domain::security::{LinkPurpose, SecurityStatus};
use leptos::html;
use leptos::prelude::*;

use super::{Countdown, ErrorNotice, LiveUpdates};

mod actions;
mod contact_picker;
mod deliveries;
mod enter_digits;
mod overview;
mod read_words;
mod unlock;

use crate::api::security::{get_security_status, watch_security_status};
use actions::ModalActions;
use contact_picker::{ContactPicker, PickerState};
use enter_digits::{Digits, EnterDigits};
use overview::Overview;
use read_words::{ReadWords, SentWords};
use unlock::UnlockPinChecks;

/// What the modal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalStep {
    Overview,
    PickContact(ContactPurpose),
    EnterPin,
    EnterCode,
    /// An admin unlocks PIN checks.
    Unlock,
    /// *Prove it's us* went out: the words to read aloud.
    ReadWords,
}

/// What the picked contact will receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactPurpose {
    CreatePin,
    ResetPin,
    TwoStepCode,
    /// *Prove it's us*: words the caller from us reads aloud.
    ProveItsUs,
}

impl ContactPurpose {
    pub(super) fn link(self) -> Option<LinkPurpose> {
        match self {
            Self::CreatePin => Some(LinkPurpose::Setup),
            Self::ResetPin => Some(LinkPurpose::Reset),
            Self::TwoStepCode | Self::ProveItsUs => None,
        }
    }

    pub(super) fn title(self) -> &'static str {
        match self {
            Self::CreatePin => "Create PIN: who sets it?",
            Self::ResetPin => "Reset PIN: who sets the new one?",
            Self::TwoStepCode => "Send a 2-step verification code to…",
            Self::ProveItsUs => "Prove it's us: who is on the phone?",
        }
    }

    pub(super) fn send_label(self) -> &'static str {
        match self {
            Self::CreatePin => "Send setup link",
            Self::ResetPin => "Reset PIN and send link",
            Self::TwoStepCode => "Send code",
            Self::ProveItsUs => "Send the words",
        }
    }
}

/// The message under the status after an action.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Feedback {
    Success(String),
    /// A PIN mismatch: `repeated` from the second in a row on, which offers the ways out.
    Mismatch {
        text: String,
        repeated: bool,
    },
    Warning(String),
    Error(AppError),
}

/// [`SecurityModal`] from a WebAssembly chunk of its own (`cargo leptos build --split`). The
/// dashboard opens the modal only when staff ask for it, so its first load does without
/// the modal's code; the chunk is fetched on the first opening.
#[lazy]
pub fn lazy_security_modal(
    client_id: ClientId,
    open: RwSignal<Option<ModalStep>>,
    countdown: Countdown,
) -> AnyView {
    view! { <SecurityModal client_id open countdown /> }.into_any()
}

/// Opens the dialog as a modal once it is in the document. Loaded from its own chunk, the
/// modal is built inside a `<Suspense>`, which puts it in the page a frame later than its
/// node exists, and `showModal()` refuses a dialog that is not yet in the page.
fn show_when_connected(dialog: web_sys::HtmlDialogElement) {
    if dialog.is_connected() {
        let _ = dialog.show_modal();
    } else {
        request_animation_frame(move || show_when_connected(dialog));
    }
}

pub(super) fn at(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%b %-d, %H:%M UTC").to_string()
}
#[component]
pub fn SecurityModal(
    client_id: ClientId,
    /// `Some(step)` while the modal is open.
    open: RwSignal<Option<ModalStep>>,
    /// The page's countdown of the verified window, restarted from every fresh status.
    countdown: Countdown,
    /// Told about each fresh status, so the page behind can follow.
    #[prop(optional, into)]
    on_status: Option<Callback<SecurityStatus>>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let status = RwSignal::new(None::<SecurityStatus>);
    let load_error = RwSignal::new(None::<AppError>);
    let feedback = RwSignal::new(None::<Feedback>);
    // Who staff said is on the phone, for Verify PIN; asked again each time the modal opens.
    let caller = RwSignal::new(None::<janus_domain::ids::ContactId>);
    // The last *Prove it's us* words, shown until the modal closes.
    let words = SentWords::provide();
    let picker = PickerState::provide();
    let title_id = format!("security-modal-title-{client_id}");

    let apply = move |s: SecurityStatus| {
        countdown.reset(s.seconds_verified());
        if let Some(cb) = on_status {
            cb.run(s.clone());
        }
        status.set(Some(s));
    };
    let actions = ModalActions::provide(open, feedback, Callback::new(apply));
    let step = move || open.get().unwrap_or(ModalStep::Overview);

    let load = move || {
        actions.set_busy(true);
        leptos::task::spawn_local(async move {
            match get_security_status(client_id).await {
                Ok(s) => {
                    // The dashboard's "Send Security PIN Setup Link" asks to create a PIN;
                    // once one exists the choice is Reset, which staff make in the overview.
                    if open.get_untracked()
                        == Some(ModalStep::PickContact(ContactPurpose::CreatePin))
                        && s.pin_state.offers_reset()
                    {
                        feedback.set(Some(Feedback::Warning(
                            "This client already has a PIN. Use Reset PIN to send a new link."
                                .into(),
                        )));
                        open.set(Some(ModalStep::Overview));
                    }
                    apply(s);
                    load_error.set(None);
                }
                Err(e) => load_error.set(Some(e)),
            }
            actions.set_busy(false);
        });
    };

    // The client sets their PIN, a message is sent or fails, a colleague verifies the
    // caller: the live feed says so and the open modal reads the status again, so Verify
    // PIN opens and the delivery status moves by themselves. Not while digits or a reason
    // are being typed (that step would be drawn again and lose them): then once the step
    // changes.
    if let Some(live) = LiveUpdates::of_page() {
        let behind = RwSignal::new(false);
        let typing = |step: Option<ModalStep>| {
            matches!(
                step,
                Some(ModalStep::EnterPin | ModalStep::EnterCode | ModalStep::Unlock)
            )
        };
        let refresh = move || {
            leptos::task::spawn_local(async move {
                // The modal (and its signals) may be gone by the answer.
                if let Ok(s) = watch_security_status(client_id).await
                    && open.try_get_untracked().flatten().is_some()
                {
                    apply(s);
                }
            });
        };
        live.follow(move |news| {
            if open.get_untracked().is_none()
                || !news.concerns(client_id)
                || news.change().is_some_and(ClientChange::only_activity)
            {
                return;
            }
            if typing(open.get_untracked()) {
                behind.set(true);
            } else {
                refresh();
            }
        });
        Effect::new(move |_| {
            let step = open.get();
            if step.is_some() && !typing(step) && behind.get_untracked() {
                behind.set(false);
                refresh();
            }
        });
    }

    // Open and close the native dialog with the signal, remembering who opened it.
    let opener = super::FocusReturn::new();
    Effect::new(move |_| {
        let want_open = open.get().is_some();
        let Some(d) = dialog.get() else { return };
        if want_open && !d.open() {
            opener.remember();
            feedback.set(None);
            caller.set(None);
            words.forget();
            picker.reset();
            show_when_connected(d);
            load();
        } else if !want_open && d.open() {
            d.close();
        }
    });
    let on_close = move |_| {
        open.set(None);
        opener.restore();
    };

    let offers = move || {
        view! {
            <div class="offer" role="group" aria-label="Other ways to verify">
                <button type="button" class="button" on:click=move |_| actions.go(ModalStep::PickContact(ContactPurpose::ResetPin))>
                    "Reset PIN"
                </button>
                <button type="button" class="button" on:click=move |_| actions.go(ModalStep::PickContact(ContactPurpose::TwoStepCode))>
                    "Send 2-Step Verification Code"
                </button>
            </div>
        }
    };

    let body = move || {
        let Some(s) = status.get() else {
            return match load_error.get() {
                Some(error) => view! { <ErrorNotice error /> }.into_any(),
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            };
        };
        match step() {
            ModalStep::Overview => view! { <Overview s countdown /> }.into_any(),
            ModalStep::PickContact(purpose) => view! { <ContactPicker s purpose /> }.into_any(),
            ModalStep::EnterPin => {
                let callers = s
                    .contacts
                    .iter()
                    .filter(|c| c.role.may_manage_pin())
                    .cloned()
                    .collect();
                view! { <EnterDigits client_id kind=Digits::Pin callers caller /> }.into_any()
            }
            ModalStep::EnterCode => {
                view! { <EnterDigits client_id kind=Digits::Code /> }.into_any()
            }
            ModalStep::Unlock => view! { <UnlockPinChecks client_id /> }.into_any(),
            ModalStep::ReadWords => view! { <ReadWords /> }.into_any(),
        }
    };

    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby=title_id.clone() on:close=on_close>
            <header class="modal-head">
                <h2 id=title_id.clone()>
                    "Security Verification"
                    <span class="modal-sub">{move || status.get().map(|s| s.business_name)}</span>
                </h2>
                <button type="button" class="modal-close" aria-label="Close" on:click=move |_| open.set(None)>
                    "×"
                </button>
            </header>
            <div class="modal-body">
                {body}
                <div aria-live="polite" class="feedback-slot">
                    {move || feedback.get().map(|f| match f {
                        Feedback::Success(text) => view! { <p class="notice notice-success" role="status">{text}</p> }.into_any(),
                        Feedback::Warning(text) => view! { <p class="notice notice-warning" role="alert">{text}</p> }.into_any(),
                        Feedback::Mismatch { text, repeated } => view! {
                            <div class="notice notice-error" role="alert" data-testid="pin-mismatch">
                                <p>{text}</p>
                                {repeated.then(offers)}
                            </div>
                        }.into_any(),
                        Feedback::Error(error) => view! { <ErrorNotice error /> }.into_any(),
                    })}
                </div>
            </div>
        </dialog>
    }
}
