//! What the throttle counts, and the limit of each count.

use crate::settings::ThrottleSettings;

stored_set! {
    /// What is being counted; each has its limit in `[throttle]`.
    pub enum ThrottleBucket {
        /// Sign-ins to one account from browsers it has not signed in from before.
        SignInAccount,
        /// Sign-ins from one browser that proved an earlier sign-in to the account.
        SignInDevice,
        SignInAddress,
        /// Second-factor codes typed for one account, at sign-in or step-up.
        SecondFactorAccount,
        PinPageAddress,
        PinPageLink,
    }
}

impl ThrottleBucket {
    /// How many requests one key may make in one window.
    pub fn limit(self, rules: &ThrottleSettings) -> u32 {
        match self {
            Self::SignInAccount => rules.sign_in_per_account,
            Self::SignInDevice => rules.sign_in_per_device,
            Self::SignInAddress => rules.sign_in_per_address,
            Self::SecondFactorAccount => rules.second_factor_per_account,
            Self::PinPageAddress => rules.pin_page_per_address,
            Self::PinPageLink => rules.pin_page_per_link,
        }
    }
}
