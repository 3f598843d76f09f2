//! sea-orm entities, one per table, in sea-orm-cli's compact format. They mirror the
//! migrations exactly and hold no behaviour: rules live in the use-case modules.

pub mod audit_event;
pub mod brand;
pub mod client;
pub mod client_pin;
pub mod contact;
pub mod deployment_mark;
pub mod message;
pub mod pin_link;
pub mod session;
pub mod staff_user;
pub mod two_step_code;
pub mod verification;
