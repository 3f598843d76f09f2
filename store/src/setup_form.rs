//! The client PIN page's form as one use case, the way a client sends it over HTTP: the
//! throttles in their order, the PIN saved through the link, and a refusal that knows
//! which problem to show.

use janus_domain::security::{SetupPage, SetupProblem, check_new_pin_pair};
use janus_domain::throttle::ThrottleBucket;
use janus_domain::{AppError, Secret};

use crate::Store;

/// One submission of the form, as the request brought it.
pub struct SetupForm<'a> {
    pub token: &'a Secret,
    pub pin: Secret,
    pub confirm: Secret,
    /// The address it came from, for the per-address throttle.
    pub address: &'a str,
}

/// A refused submission: the error for the page's script, and the problem a plain form
/// post is sent back with (see `janus_domain::security::after_form_post`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupRefusal {
    pub error: AppError,
    pub problem: Option<SetupProblem>,
}

impl Store {
    /// The page's header for a link, counted against the address it is opened from.
    pub async fn open_setup_page(
        &self,
        token: &Secret,
        address: &str,
    ) -> Result<SetupPage, AppError> {
        self.throttle(ThrottleBucket::PinPageAddress, address)
            .await?;
        self.setup_page(token).await
    }

    /// The form, whole. Every submission is counted before anything is hashed, a refused
    /// PIN included: first against its address and then, only if the address is under its
    /// limit, against the link, so one noisy address cannot use up a link's attempts for
    /// the client it belongs to.
    pub async fn submit_setup_form(&self, form: SetupForm<'_>) -> Result<SetupPage, SetupRefusal> {
        let input = check_new_pin_pair(form.pin.expose(), form.confirm.expose()).err();
        let answer = match self
            .throttle(ThrottleBucket::PinPageAddress, form.address)
            .await
        {
            Ok(()) => {
                self.throttle(ThrottleBucket::PinPageLink, form.token.expose())
                    .await
            }
            refused => refused,
        };
        let answer = match answer {
            Ok(()) => {
                self.complete_setup(form.token, form.pin, form.confirm)
                    .await
            }
            Err(refused) => Err(refused),
        };
        answer.map_err(|error| SetupRefusal {
            problem: SetupProblem::of_refusal(&error, input),
            error,
        })
    }
}
