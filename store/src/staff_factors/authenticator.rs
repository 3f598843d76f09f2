//! The authenticator app: setting it up (a sealed seed, confirmed by a first code, with
//! its recovery codes), spending its codes, renewing the recovery codes and removing it.

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::staff::second_factor::{AuthenticatorSetup, TypedFactor};
use janus_domain::throttle::ThrottleBucket;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{Seed, clear_authenticator, recovery, wrong_code};
use crate::audit::{self, Entry};
use crate::auth::StaffSession;
use crate::db::begin_writing;
use crate::entity::staff_user;
use crate::{OrInternal, Store, internal};

impl Store {
    /// Starts setting up an authenticator app: a new seed, sealed and kept unconfirmed
    /// until a first code proves the app holds it. Replaces a set-up left unfinished.
    pub async fn begin_authenticator_setup(
        &self,
        session: &StaffSession,
    ) -> Result<AuthenticatorSetup, AppError> {
        self.require_factor_change(session).await?;
        let user = self.staff_account(session.staff.id).await?;
        if user.totp_confirmed_at.is_some() {
            return Err(AppError::invalid(
                "authenticator",
                "you already have an authenticator app: remove it first to set up another",
            ));
        }
        let seed = Seed::generate();
        // An authenticator app's label may not hold a colon, which an email's local part may.
        let otpauth_url = seed
            .otpauth_url(&user.email.replace(':', ""))
            .map_err(internal)?;
        let qr_svg = qrcode::QrCode::new(otpauth_url.as_bytes())
            .map_err(internal)?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build();
        let mut active: staff_user::ActiveModel = user.into();
        active.totp_secret_sealed = Set(Some(self.sealer.seal(seed.base32())));
        active.totp_last_step = Set(None);
        active.update(&self.db).await.or_internal()?;
        let secret = seed
            .base32()
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Ok(AuthenticatorSetup {
            secret,
            otpauth_url,
            qr_svg,
        })
    }

    /// Finishes setting up the authenticator app with a first code from it, and returns
    /// the ten recovery codes (shown this once). Showing the code counts as showing a
    /// factor, so a sign-in waiting for a factor to be set up moves on.
    pub async fn confirm_authenticator_setup(
        &self,
        session: &StaffSession,
        code: &str,
    ) -> Result<(StaffSession, Vec<String>), AppError> {
        self.require_factor_change(session).await?;
        let TypedFactor::AuthenticatorCode(code) = TypedFactor::parse(code)? else {
            return Err(AppError::invalid(
                "code",
                "enter the 6 digits your authenticator app shows",
            ));
        };
        let staff = session.staff.id;
        self.throttle(ThrottleBucket::SecondFactorAccount, &staff.to_string())
            .await?;
        let user = self.staff_account(staff).await?;
        if user.totp_confirmed_at.is_some() {
            return Err(AppError::invalid(
                "authenticator",
                "your authenticator app is already set up",
            ));
        }
        let Some(sealed) = user.totp_secret_sealed.as_deref() else {
            return Err(AppError::invalid(
                "authenticator",
                "start setting up the authenticator app again: its set-up was not found",
            ));
        };
        let now = self.clock.now();
        let seed = self.open_seed(sealed)?;
        let Some(step) = seed.accepts(&code, now, None).map_err(internal)? else {
            return Err(wrong_code());
        };
        let txn = begin_writing(&self.db).await.or_internal()?;
        let confirmed = staff_user::Entity::update_many()
            .col_expr(staff_user::Column::TotpConfirmedAt, Expr::value(now))
            .col_expr(staff_user::Column::TotpLastStep, Expr::value(step))
            .filter(staff_user::Column::Id.eq(staff))
            .filter(staff_user::Column::TotpConfirmedAt.is_null())
            .filter(staff_user::Column::TotpSecretSealed.eq(sealed))
            .exec(&txn)
            .await
            .or_internal()?
            .rows_affected;
        if confirmed != 1 {
            return Err(AppError::invalid(
                "authenticator",
                "start setting up the authenticator app again: another set-up replaced this one",
            ));
        }
        let codes = recovery::replace(&txn, staff, now).await?;
        self.end_unfinished_sessions_but(&txn, session).await?;
        let entry = Entry::new(AuditAction::FactorAdded, AuditOutcome::Success)
            .staff(staff)
            .detail("authenticator app, with 10 recovery codes");
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        self.forgive(ThrottleBucket::SecondFactorAccount, &staff.to_string())
            .await?;
        let session = self
            .advance(session, Some(now), session.password_confirmed_at)
            .await?;
        Ok((session, codes))
    }

    /// The authenticator code's method name if `code` matches a step later than the last
    /// one accepted, which it then becomes (a conditional update: two requests with one
    /// code cannot both pass).
    pub(super) async fn spend_authenticator_code(
        &self,
        user: &staff_user::Model,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, AppError> {
        let (Some(sealed), Some(_)) = (&user.totp_secret_sealed, user.totp_confirmed_at) else {
            return Ok(None);
        };
        let seed = self.open_seed(sealed)?;
        let Some(step) = seed
            .accepts(code, now, user.totp_last_step)
            .map_err(internal)?
        else {
            return Ok(None);
        };
        let spent = staff_user::Entity::update_many()
            .col_expr(staff_user::Column::TotpLastStep, Expr::value(step))
            .filter(staff_user::Column::Id.eq(user.id))
            .filter(staff_user::Column::TotpConfirmedAt.is_not_null())
            .filter(
                Expr::col(staff_user::Column::TotpLastStep)
                    .is_null()
                    .or(Expr::col(staff_user::Column::TotpLastStep).lt(step)),
            )
            .exec(&self.db)
            .await
            .or_internal()?
            .rows_affected;
        Ok((spent == 1).then(|| "authenticator code".to_owned()))
    }

    fn open_seed(&self, sealed: &str) -> Result<Seed, AppError> {
        // `open` passes text without its mark through as written before sealing existed;
        // a seed was always sealed, so an unsealed one is a fault, never a seed.
        if !sealed.starts_with("sealed:") {
            return Err(internal("a stored TOTP seed is not sealed"));
        }
        self.sealer
            .open(sealed)
            .map(Seed::from_base32)
            .map_err(internal)
    }

    /// Removes the authenticator app and its recovery codes. Refused when the policy
    /// wants a factor and this is the only one.
    pub async fn remove_authenticator(&self, session: &StaffSession) -> Result<(), AppError> {
        self.require_factor_change(session).await?;
        let staff = session.staff.id;
        let txn = begin_writing(&self.db).await.or_internal()?;
        let factors = self.factors_for_update(&txn, staff).await?;
        if !factors.authenticator_app {
            return Err(AppError::NotFound("An authenticator app".into()));
        }
        if factors.passkeys == 0
            && self
                .settings
                .second_factor_policy()
                .requires(session.staff.role)
        {
            return Err(AppError::invalid(
                "authenticator",
                "add a passkey first: your role must always have a second factor",
            ));
        }
        let now = self.clock.now();
        clear_authenticator(&txn, staff).await?;
        let entry = Entry::new(AuditAction::FactorRemoved, AuditOutcome::Success)
            .staff(staff)
            .detail("authenticator app and its recovery codes");
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()
    }

    /// A fresh set of recovery codes in place of the old ones (all of them, used or not).
    pub async fn renew_recovery_codes(
        &self,
        session: &StaffSession,
    ) -> Result<Vec<String>, AppError> {
        self.require_factor_change(session).await?;
        let staff = session.staff.id;
        if !self.factors(staff).await?.authenticator_app {
            return Err(AppError::invalid(
                "recovery",
                "recovery codes come with an authenticator app: set one up first",
            ));
        }
        let now = self.clock.now();
        let txn = begin_writing(&self.db).await.or_internal()?;
        let codes = recovery::replace(&txn, staff, now).await?;
        let entry = Entry::new(AuditAction::FactorAdded, AuditOutcome::Success)
            .staff(staff)
            .detail("10 new recovery codes (the old ones no longer work)");
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        Ok(codes)
    }
}
