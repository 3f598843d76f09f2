mod client_pin;
mod dashboard;
mod dev_mailbox;
pub mod lazy;
mod lead_card;
mod login;
mod message_templates;
mod not_found;
mod staff_users;

pub use client_pin::{ClientPinPage, SetupCompletePage};
pub use dashboard::DashboardPage;
pub use dev_mailbox::DevMailboxPage;
pub use lead_card::LeadCardPage;
pub use login::LoginPage;
pub use message_templates::MessageTemplatesPage;
pub use not_found::NotFoundPage;
pub use staff_users::StaffUsersPage;
