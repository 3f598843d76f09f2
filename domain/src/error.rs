//! The one error type that crosses the wire between server functions and the browser.
//!
//! Messages are written for people: stable, specific about what they did wrong, and never
//! carrying internal detail (SQL, file paths, secrets). Internal failures are logged on the
//! server where they happen and reach the browser only as [`AppError::Internal`].

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// No valid staff session: the browser should go to the sign-in page.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but the staff role does not allow this; the message says why.
    #[error("{0}")]
    Forbidden(String),
    /// The password was accepted but signing in is not finished: the session opens nothing
    /// until the step named is done (a second factor, a new password, a factor set up).
    #[error("{}", .0.refusal())]
    SignInUnfinished(crate::staff::second_factor::SignInStep),
    /// An admin action needs a second-factor confirmation more recent than the session has.
    #[error("{0}")]
    StepUpRequired(String),
    /// Sign-in failed. One message for an unknown email, a wrong password and a
    /// deactivated account, so the form cannot be used to discover accounts.
    #[error("That email and password do not match an active staff account.")]
    InvalidCredentials,
    /// The request was understood but a value in it is not acceptable.
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    #[error("{0} was not found.")]
    NotFound(String),
    /// A sensitive action was asked for without the verification its authority needs
    /// (`crate::authority`); the message says what it needs and who is verified.
    #[error("{0}")]
    VerificationRequired(String),
    /// The client's brand or stage has no security PIN workflow. `brands` names the brands
    /// it covers (the settings' `brands.in_scope`), as [`crate::words::and_list`] lists them.
    #[error("The security PIN workflow is for clients of {brands}, from Currently Enrolling on.")]
    PinNotApplicable { brands: String },
    /// The enrollment gate: a client of an in-scope brand becomes Enrolled only once it has
    /// a security PIN. The message says so; the lead card offers the setup link beside it.
    #[error("{0}")]
    PinRequired(String),
    /// A setup link that is unknown, expired, used or replaced. One message for all four, so
    /// the page cannot be used to learn which tokens exist.
    #[error(
        "This link can no longer be used: it has expired, was already used, or was replaced by a newer one. Please ask your enrollment contact to send you a new link."
    )]
    LinkUnusable,
    /// Too many attempts; the message says when to try again.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The request could not be decoded (wrong shape, missing or malformed arguments).
    #[error("The request was malformed: {0}")]
    Malformed(String),
    /// The server or the network failed; details are in the server log, not here.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    #[error("The server could not be reached. Check your connection and try again.")]
    Unreachable,
    /// The database cannot be reached right now. Nothing was changed; the same request
    /// works again once it is back, which the server notices by itself.
    #[error(
        "Janus Enrollment cannot reach its database right now. Nothing was changed; please try again in a minute."
    )]
    Unavailable,
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status this error is answered with; set at the edge so a refused request is
    /// never reported as a server fault.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated | Self::InvalidCredentials => 401,
            Self::Forbidden(_) | Self::SignInUnfinished(_) | Self::StepUpRequired(_) => 403,
            Self::InvalidInput { .. } => 422,
            Self::Malformed(_) => 400,
            Self::NotFound(_) => 404,
            Self::VerificationRequired(_) => 428,
            Self::PinNotApplicable { .. } | Self::PinRequired(_) => 409,
            Self::LinkUnusable => 410,
            Self::TooManyAttempts(_) => 429,
            Self::Internal => 500,
            Self::Unreachable | Self::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::UnsupportedRequestMethod(m) => Self::Malformed(without_echo(m)),
            ServerFnErrorErr::Request(_) => Self::Unreachable,
            ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Response(_) => Self::Internal,
        }
    }
}

/// A value outside a fixed set is refused by serde as "unknown variant `<what was sent>`,
/// expected …". A refusal never repeats what was typed (it could be a secret put in the
/// wrong field), so the value is left out and the allowed names kept.
fn without_echo(message: String) -> String {
    const UNKNOWN: &str = "unknown variant `";
    let Some(start) = message.find(UNKNOWN) else {
        return message;
    };
    let after = &message[start + UNKNOWN.len()..];
    match after.rfind("`, expected") {
        Some(end) => format!("{}unknown value{}", &message[..start], &after[end + 1..]),
        None => format!("{}unknown value", &message[..start]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_name_is_not_repeated_but_the_allowed_ones_are() {
        assert_eq!(
            without_echo("unknown variant `123456`, expected `agent` or `admin`".into()),
            "unknown value, expected `agent` or `admin`"
        );
        assert_eq!(
            without_echo("unknown variant `a`, expected `b`, expected `c`".into()),
            "unknown value, expected `c`"
        );
        assert_eq!(without_echo("unknown variant `x".into()), "unknown value");
        assert_eq!(
            without_echo("missing field `page`".into()),
            "missing field `page`"
        );
    }

    #[test]
    fn refusals_are_never_reported_as_server_faults() {
        for e in [
            AppError::Unauthenticated,
            AppError::Forbidden("Only admins manage staff users.".into()),
            AppError::SignInUnfinished(crate::staff::second_factor::SignInStep::SecondFactor),
            AppError::StepUpRequired("Confirm it is you.".into()),
            AppError::InvalidCredentials,
            AppError::invalid("email", "is empty"),
            AppError::NotFound("Client".into()),
            AppError::Malformed("x".into()),
            AppError::TooManyAttempts("later".into()),
            AppError::VerificationRequired("Send to BEIA needs the Owner.".into()),
            AppError::PinNotApplicable {
                brands: "Compeo".into(),
            },
            AppError::PinRequired("Compeo clients need a security PIN.".into()),
            AppError::LinkUnusable,
        ] {
            assert!((400..500).contains(&e.status()), "{e:?} -> {}", e.status());
        }
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::Unavailable.status(), 503);
    }

    #[test]
    fn bad_arguments_become_malformed_with_the_reason() {
        let e =
            AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `page`".into()));
        assert_eq!(e, AppError::Malformed("missing field `page`".into()));
        assert_eq!(
            e.to_string(),
            "The request was malformed: missing field `page`"
        );
    }

    #[test]
    fn internal_detail_never_reaches_the_message() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "SQL: no such table".into(),
        ));
        assert!(!e.to_string().contains("SQL"));
    }
}
