//! What the throttle counts, and the limit of each count.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumString, IntoStaticStr};

use crate::settings::ThrottleSettings;

/// What is being counted; each has its limit in `[throttle]`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    IntoStaticStr,
    EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "db", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
pub enum ThrottleBucket {
    /// Sign-ins to one account from browsers it has not signed in from before.
    SignInAccount,
    /// Sign-ins from one browser that proved an earlier sign-in to the account.
    SignInDevice,
    SignInAddress,
    PinPageAddress,
    PinPageLink,
}

impl ThrottleBucket {
    /// How many requests one key may make in one window.
    pub fn limit(self, rules: &ThrottleSettings) -> u32 {
        match self {
            Self::SignInAccount => rules.sign_in_per_account,
            Self::SignInDevice => rules.sign_in_per_device,
            Self::SignInAddress => rules.sign_in_per_address,
            Self::PinPageAddress => rules.pin_page_per_address,
            Self::PinPageLink => rules.pin_page_per_link,
        }
    }
}
