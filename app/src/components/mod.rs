mod confirm_dialog;
mod countdown;
mod error_notice;
mod focus_return;
mod pin_button;
mod row_menu;
mod security_modal;
pub(crate) mod staff_shell;
mod stage_control;

pub use confirm_dialog::ConfirmDialog;
pub use countdown::Countdown;
pub use error_notice::ErrorNotice;
use focus_return::FocusReturn;
pub use pin_button::{PinBadge, SecurityPinButton};
pub use row_menu::{MenuItem, RowMenu};
pub use security_modal::{ContactPurpose, ModalStep, SecurityModal, lazy_security_modal};
pub use staff_shell::StaffShell;
pub use stage_control::StageControl;
