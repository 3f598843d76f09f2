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
    /// Signed in, but the staff role does not allow this.
    #[error("Your role does not allow this action.")]
    Forbidden,
    /// Sign-in failed. One message for an unknown email, a wrong password and a
    /// deactivated account, so the form cannot be used to discover accounts.
    #[error("That email and password do not match an active staff account.")]
    InvalidCredentials,
    /// The request was understood but a value in it is not acceptable.
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    #[error("{0} was not found.")]
    NotFound(String),
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
            Self::Forbidden => 403,
            Self::InvalidInput { .. } => 422,
            Self::Malformed(_) => 400,
            Self::NotFound(_) => 404,
            Self::TooManyAttempts(_) => 429,
            Self::Internal => 500,
            Self::Unreachable => 503,
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
            | ServerFnErrorErr::UnsupportedRequestMethod(m) => Self::Malformed(m),
            ServerFnErrorErr::Request(_) => Self::Unreachable,
            ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Response(_) => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_never_reported_as_server_faults() {
        for e in [
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::InvalidCredentials,
            AppError::invalid("email", "is empty"),
            AppError::NotFound("Client".into()),
            AppError::Malformed("x".into()),
            AppError::TooManyAttempts("later".into()),
        ] {
            assert!((400..500).contains(&e.status()), "{e:?} -> {}", e.status());
        }
        assert_eq!(AppError::Internal.status(), 500);
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
