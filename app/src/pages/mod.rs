mod dashboard;
mod lead_card;
mod login;
mod not_found;

pub use dashboard::DashboardPage;
pub use lead_card::LeadCardPage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
