mod error_notice;
mod row_menu;
mod staff_shell;

pub use error_notice::ErrorNotice;
pub use row_menu::{MenuItem, RowMenu};
pub use staff_shell::StaffShell;
