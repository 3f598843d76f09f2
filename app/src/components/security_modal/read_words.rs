//! *Prove it's us*, after the words went out: staff read them aloud, and the client checks
//! them against the email and SMS they just received from us.

use leptos::prelude::*;

use super::{ModalActions, ModalStep};

/// The words last sent, who they went to and how; the modal keeps them until it closes.
#[derive(Clone, Copy)]
pub(super) struct SentWords(RwSignal<Option<(String, String, String)>>);

impl SentWords {
    /// Provided by the modal for its steps.
    pub fn provide() -> Self {
        let words = Self(RwSignal::new(None));
        provide_context(words);
        words
    }

    pub fn of_modal() -> Self {
        expect_context()
    }

    pub fn remember(self, words: String, contact_name: String, channels: String) {
        self.0.set(Some((words, contact_name, channels)));
    }

    pub fn forget(self) {
        self.0.set(None);
    }
}

#[component]
pub(super) fn ReadWords() -> impl IntoView {
    let actions = ModalActions::of_modal();
    let sent = SentWords::of_modal();
    view! {
        {move || sent.0.get().map(|(words, name, channels)| view! {
            <section class="read-words" aria-labelledby="read-words-title" data-testid="read-words">
                <h3 id="read-words-title">"Prove it's us"</h3>
                <p>{format!("Read these words to {name}. They just received them from us by {channels}:")}</p>
                <p class="proof-words" data-testid="proof-words">{words}</p>
                <p class="muted small">
                    "If they have not received them, or you are not sure who you are speaking to, "
                    "do not go on: call back on the number on file."
                </p>
            </section>
        })}
        <div class="modal-actions">
            <button type="button" class="button" on:click=move |_| actions.go(ModalStep::Overview)>"Back"</button>
        </div>
    }
}
