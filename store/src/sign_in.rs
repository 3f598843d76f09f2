//! Signing in as a person does it over HTTP: throttled per address, and per account or per
//! device (`devices.rs`), before the password is hashed.

use janus_domain::staff::StaffView;
use janus_domain::{AppError, Secret};

use crate::Store;
use crate::auth::SessionToken;
use crate::devices::{self, Device};
use janus_domain::throttle::ThrottleBucket;

/// One sign-in attempt: what was typed, where it came from, and the device cookie the
/// browser sent, if any.
pub struct SignInAttempt<'a> {
    pub email: &'a str,
    pub password: Secret,
    pub address: &'a str,
    pub device_cookie: Option<&'a str>,
}

pub struct SignedIn {
    pub token: SessionToken,
    pub staff: StaffView,
    /// A fresh device cookie value for the browser to keep.
    pub device_cookie: String,
}

impl Store {
    /// Counts the attempt before the password is hashed, so a flood costs the server
    /// nothing: against the address, then against the device if the browser proves it
    /// signed in to this account before, or else against the account's budget for
    /// unknown browsers. A success forgives the count it was made under.
    pub async fn sign_in_from(&self, attempt: SignInAttempt<'_>) -> Result<SignedIn, AppError> {
        let account = janus_domain::contact::email_key(attempt.email);
        let now = self.clock.now();
        self.throttle(ThrottleBucket::SignInAddress, attempt.address)
            .await?;
        let device = attempt.device_cookie.and_then(|cookie| {
            devices::recognise(
                &self.sealer,
                cookie,
                &account,
                now,
                self.settings.throttle.trusted_device_days,
            )
        });
        let (bucket, key) = match &device {
            Some(Device(id)) => (ThrottleBucket::SignInDevice, id.as_str()),
            None => (ThrottleBucket::SignInAccount, account.as_str()),
        };
        self.throttle(bucket, key).await?;
        let (token, staff) = self.sign_in(attempt.email, attempt.password).await?;
        self.forgive(bucket, key).await?;
        Ok(SignedIn {
            token,
            device_cookie: devices::issue(&self.sealer, &staff.email, now),
            staff,
        })
    }
}
