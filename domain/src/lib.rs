//! The rules of Janus Enrollment that do not touch the outside world.
//!
//! Everything here compiles for the server and for the WebAssembly front end, so a
//! rule (a role's meaning, what a valid phone number is, how a search is paged) is
//! written once and enforced identically on both sides. Time is always a parameter:
//! nothing in this crate reads a clock.

pub mod clock;
pub mod contact;
pub mod dashboard;
pub mod error;
pub mod limits;
pub mod messages;
pub mod pin;
pub mod secret;
pub mod security;
pub mod settings;
pub mod staff;
pub mod url;
pub mod verification;

pub use clock::Clock;
pub use error::AppError;
pub use secret::Secret;
