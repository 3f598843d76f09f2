//! What every step of the Security Verification modal shares: whether an action is
//! running, the message under the status, moving between steps, and taking in the fresh
//! status each answer brings. The modal provides one [`ModalActions`] as context; its
//! steps take it from there instead of having it passed through each component.

use std::future::Future;

use janus_domain::AppError;
use janus_domain::security::{CheckResult, SecurityStatus};
use leptos::prelude::*;

use super::{Feedback, ModalStep};

/// An answer from the server that carries the client's status as it now stands.
pub(super) trait FreshStatus {
    fn fresh_status(&self) -> &SecurityStatus;
}

impl FreshStatus for SecurityStatus {
    fn fresh_status(&self) -> &SecurityStatus {
        self
    }
}

impl FreshStatus for janus_domain::security::ProofSent {
    fn fresh_status(&self) -> &SecurityStatus {
        &self.status
    }
}

impl<O> FreshStatus for CheckResult<O> {
    fn fresh_status(&self) -> &SecurityStatus {
        &self.status
    }
}

#[derive(Clone, Copy)]
pub(super) struct ModalActions {
    busy: RwSignal<bool>,
    feedback: RwSignal<Option<Feedback>>,
    open: RwSignal<Option<ModalStep>>,
    apply: Callback<SecurityStatus>,
}

impl ModalActions {
    /// The modal's actions, provided for its steps.
    pub fn provide(
        open: RwSignal<Option<ModalStep>>,
        feedback: RwSignal<Option<Feedback>>,
        apply: Callback<SecurityStatus>,
    ) -> Self {
        let actions = Self {
            busy: RwSignal::new(false),
            feedback,
            open,
            apply,
        };
        provide_context(actions);
        actions
    }

    /// The actions of the modal this step is in.
    pub fn of_modal() -> Self {
        expect_context()
    }

    /// Whether an action is running (its buttons are disabled meanwhile).
    pub fn busy(self) -> bool {
        self.busy.get()
    }

    pub fn set_busy(self, busy: bool) {
        self.busy.set(busy);
    }

    /// Moves to another step, clearing the last action's message.
    pub fn go(self, step: ModalStep) {
        self.feedback.set(None);
        self.open.set(Some(step));
    }

    /// Shows a message under the status.
    pub fn say(self, feedback: Feedback) {
        self.feedback.set(Some(feedback));
    }

    /// Clears the message under the status.
    pub fn clear(self) {
        self.feedback.set(None);
    }

    /// Runs one action. The step is busy until the answer comes (the last message stays
    /// meanwhile); an answer's fresh status is taken in first, then `answered` decides what
    /// to show (it may also move to another step) and its message, if any, replaces it.
    pub fn run<A: FreshStatus + 'static>(
        self,
        call: impl Future<Output = Result<A, AppError>> + 'static,
        answered: impl FnOnce(Result<A, AppError>) -> Option<Feedback> + 'static,
    ) {
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = call.await;
            if let Ok(a) = &answer {
                self.apply.run(a.fresh_status().clone());
            }
            if let Some(feedback) = answered(answer) {
                self.say(feedback);
            }
            self.busy.set(false);
        });
    }
}
