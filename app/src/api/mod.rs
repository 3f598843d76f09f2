//! Server functions, grouped by what they serve. Each is reachable at `/api/<name>`.

pub mod account;
pub mod auth;
pub mod clients;
pub mod contacts;
#[cfg(feature = "ssr")]
mod context;
pub mod messages;
pub mod passkeys;
pub mod security;
pub mod staff;
