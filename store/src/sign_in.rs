//! Signing in as a person does it over HTTP: throttled per address, and per account or per
//! device (`devices.rs`), before the password is hashed.

use janus_domain::{AppError, Secret};

use crate::Store;
use crate::auth::{Browser, SessionToken, StaffSession};
use crate::devices::{self, Device};
use janus_domain::throttle::ThrottleBucket;

/// One sign-in attempt: what was typed, where it came from, and the device cookie the
/// browser sent, if any.
pub struct SignInAttempt<'a> {
    pub email: &'a str,
    pub password: Secret,
    pub browser: &'a Browser,
    pub device_cookie: Option<&'a str>,
}

pub struct SignedIn {
    pub token: SessionToken,
    /// The session, at its first step (a second factor may be next).
    pub session: StaffSession,
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
        let address = attempt.browser.address.as_str();
        self.audited_throttle(ThrottleBucket::SignInAddress, address, &account)
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
        self.audited_throttle(bucket, key, &account).await?;
        let (token, session) = self
            .sign_in_with(attempt.email, attempt.password, attempt.browser)
            .await?;
        self.forgive(bucket, key).await?;
        Ok(SignedIn {
            token,
            device_cookie: devices::issue(&self.sealer, &session.staff.email, now),
            session,
        })
    }

    /// [`Self::throttle`], with the lockout recorded in the audit trail (once, when it
    /// begins; named by the address typed, when it is one), for the staff page's sign-in
    /// audit.
    async fn audited_throttle(
        &self,
        bucket: ThrottleBucket,
        key: &str,
        account: &str,
    ) -> Result<(), AppError> {
        let Err((refused, first)) = self.throttle_noting_lockout(bucket, key).await else {
            return Ok(());
        };
        if let (AppError::TooManyAttempts(wait), true) = (&refused, first) {
            let typed = janus_domain::contact::normalize_email("email", account)
                .unwrap_or_else(|_| "a malformed address".to_owned());
            let why = match bucket {
                ThrottleBucket::SignInAddress => "too many from this address",
                _ => "too many for this account",
            };
            let entry = crate::audit::Entry::new(
                janus_domain::audit::AuditAction::SignIn,
                janus_domain::audit::AuditOutcome::Failure,
            )
            .detail(format!("locked out for {typed}: {why}. {wait}"));
            crate::audit::record(&self.db, self.clock.now(), entry)
                .await
                .map_err(crate::internal)?;
        }
        Err(refused)
    }
}
