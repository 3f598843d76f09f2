//! Staff second factors: which an account has, the step a sign-in is at, showing a factor
//! at sign-in, and confirming one again for an admin action (step-up). The authenticator
//! app is in `authenticator.rs`, passkeys in `passkeys.rs`. Every event is audited; no
//! secret reaches the trail.

mod authenticator;
mod passkeys;
mod recovery;
mod totp;

pub(crate) use totp::ISSUER;
pub use totp::Seed;

use chrono::{DateTime, Utc};
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::ids::StaffId;
use janus_domain::staff::second_factor::{Factors, SignInStep, TypedFactor, step_up_is_fresh};
use janus_domain::throttle::ThrottleBucket;
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::audit::{self, Entry};
use crate::auth::StaffSession;
use crate::entity::{session, staff_user};
use crate::{OrInternal, Store};

/// Why a second factor is being shown, as the audit trail says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occasion {
    SignIn,
    StepUp,
}

impl Occasion {
    fn of(session: &StaffSession) -> Self {
        if session.step == SignInStep::Done {
            Self::StepUp
        } else {
            Self::SignIn
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::SignIn => "at sign-in",
            Self::StepUp => "for an admin action",
        }
    }
}

/// The refusal of a code that did not match; one message whichever kind was typed.
fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "that code is not right: type the code your authenticator app shows now, or an unused recovery code",
    )
}

impl Store {
    /// The second factors `staff` has set up.
    pub async fn factors(&self, staff: StaffId) -> Result<Factors, AppError> {
        let user = self.staff_account(staff).await?;
        self.factors_of(&user).await
    }

    async fn factors_of(&self, user: &staff_user::Model) -> Result<Factors, AppError> {
        factors_in(&self.db, user).await
    }

    /// The factors of `staff` read inside the writing transaction `txn` with the account's
    /// row locked (FOR NO KEY UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction holds
    /// the only write lock), so two removals judge "is this the last factor?" one after
    /// the other and never both remove the last one.
    async fn factors_for_update(
        &self,
        txn: &impl ConnectionTrait,
        staff: StaffId,
    ) -> Result<Factors, AppError> {
        let user = staff_user::Entity::find_by_id(staff)
            .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
            .one(txn)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Staff user".into()))?;
        factors_in(txn, &user).await
    }

    pub(crate) async fn staff_account(&self, id: StaffId) -> Result<staff_user::Model, AppError> {
        staff_user::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Staff user".into()))
    }

    /// The step a session of `user` is at, given when it last showed a factor.
    pub(crate) async fn step_after(
        &self,
        user: &staff_user::Model,
        factor_confirmed_at: Option<DateTime<Utc>>,
    ) -> Result<SignInStep, AppError> {
        let factors = self.factors_of(user).await?;
        Ok(SignInStep::of(
            self.settings.second_factor_policy(),
            user.role,
            factors,
            factor_confirmed_at.is_some(),
            user.must_change_password,
        ))
    }

    /// Moves `session` to the step its account is now at, after its factor was shown at
    /// `factor_confirmed_at` (or its password changed), and returns it so.
    pub(crate) async fn advance(
        &self,
        session: &StaffSession,
        factor_confirmed_at: Option<DateTime<Utc>>,
        password_confirmed_at: Option<DateTime<Utc>>,
    ) -> Result<StaffSession, AppError> {
        let user = self.staff_account(session.staff.id).await?;
        // A finished session stays finished (adding a factor, or changing the password,
        // from it must not send it back to the second-factor page).
        let step = match session.step {
            SignInStep::Done => SignInStep::Done,
            _ => self.step_after(&user, factor_confirmed_at).await?,
        };
        session::Entity::update_many()
            .col_expr(session::Column::SignInStep, Expr::value(step))
            .col_expr(
                session::Column::FactorConfirmedAt,
                Expr::value(factor_confirmed_at),
            )
            .col_expr(
                session::Column::PasswordConfirmedAt,
                Expr::value(password_confirmed_at),
            )
            .filter(session::Column::TokenHash.eq(session.token_hash.as_str()))
            .exec(&self.db)
            .await
            .or_internal()?;
        Ok(StaffSession {
            staff: crate::auth::view(&user)?,
            step,
            factor_confirmed_at,
            password_confirmed_at,
            token_hash: session.token_hash.clone(),
        })
    }

    /// Checks a code from the authenticator app or a recovery code: the second step of a
    /// sign-in, or a step-up for an admin action. Tries are throttled per account.
    pub async fn confirm_second_factor(
        &self,
        session: &StaffSession,
        typed: &str,
    ) -> Result<StaffSession, AppError> {
        let occasion = Occasion::of(session);
        let staff = session.staff.id;
        let typed = TypedFactor::parse(typed)?;
        self.throttle(ThrottleBucket::SecondFactorAccount, &staff.to_string())
            .await?;
        let now = self.clock.now();
        let user = self.staff_account(staff).await?;
        let how = match typed {
            TypedFactor::AuthenticatorCode(code) => {
                self.spend_authenticator_code(&user, &code, now).await?
            }
            TypedFactor::RecoveryCode(code) => recovery::spend(&self.db, staff, &code, now)
                .await?
                .then(|| "recovery code".to_owned()),
        };
        let Some(how) = how else {
            let entry = Entry::new(AuditAction::SecondFactor, AuditOutcome::Failure)
                .staff(staff)
                .detail(format!("a wrong code {}", occasion.words()));
            audit::record(&self.db, now, entry).await.or_internal()?;
            return Err(wrong_code());
        };
        self.forgive(ThrottleBucket::SecondFactorAccount, &staff.to_string())
            .await?;
        self.factor_shown(session, &how, now).await
    }

    /// Records that `session` showed a factor (`how`) at `now` and moves it on.
    pub(crate) async fn factor_shown(
        &self,
        session: &StaffSession,
        how: &str,
        now: DateTime<Utc>,
    ) -> Result<StaffSession, AppError> {
        let occasion = Occasion::of(session);
        let entry = Entry::new(AuditAction::SecondFactor, AuditOutcome::Success)
            .staff(session.staff.id)
            .detail(format!("{how} {}", occasion.words()));
        audit::record(&self.db, now, entry).await.or_internal()?;
        self.advance(session, Some(now), session.password_confirmed_at)
            .await
    }

    /// An account without a second factor confirms an admin action with its password.
    pub async fn confirm_password_again(
        &self,
        session: &StaffSession,
        password: Secret,
    ) -> Result<StaffSession, AppError> {
        let staff = session.staff.id;
        let user = self.staff_account(staff).await?;
        if !self.factors_of(&user).await?.is_empty() {
            return Err(AppError::invalid(
                "password",
                "confirm with your passkey or authenticator app instead",
            ));
        }
        self.throttle(ThrottleBucket::SecondFactorAccount, &staff.to_string())
            .await?;
        let now = self.clock.now();
        let accepted = self
            .hasher
            .verify(password, user.password_hash.clone())
            .await?;
        let entry = Entry::new(
            AuditAction::SecondFactor,
            if accepted {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
        )
        .staff(staff)
        .detail("password, for an admin action (no second factor set up)");
        audit::record(&self.db, now, entry).await.or_internal()?;
        if !accepted {
            return Err(AppError::invalid("password", "that password is not right"));
        }
        self.forgive(ThrottleBucket::SecondFactorAccount, &staff.to_string())
            .await?;
        self.advance(session, session.factor_confirmed_at, Some(now))
            .await
    }

    /// Refuses an admin action unless `session` confirmed a second factor (or, for an
    /// account without one, its password) within `staff.step_up_minutes`.
    pub async fn require_step_up(&self, session: &StaffSession) -> Result<(), AppError> {
        let minutes = self.settings.staff.step_up_minutes;
        let every = if minutes == 1 {
            "every minute".to_owned()
        } else {
            format!("once every {minutes} minutes")
        };
        let now = self.clock.now();
        if step_up_is_fresh(session.factor_confirmed_at, now, minutes) {
            return Ok(());
        }
        let factors = self.factors(session.staff.id).await?;
        if factors.is_empty() && step_up_is_fresh(session.password_confirmed_at, now, minutes) {
            return Ok(());
        }
        Err(AppError::StepUpRequired(if factors.is_empty() {
            format!(
                "Confirm it is you: type your password again (asked {every} for admin actions)."
            )
        } else {
            format!(
                "Confirm it is you with your passkey or authenticator app (asked {every} for admin actions)."
            )
        }))
    }

    /// Adding or removing a factor, or renewing recovery codes: at the set-up step of a
    /// sign-in, or from a finished session that confirmed it is its owner just now (so a
    /// session left open cannot give a stranger a factor of their own).
    async fn require_factor_change(&self, session: &StaffSession) -> Result<(), AppError> {
        match session.step {
            // Only while the account truly has no factor: once one exists (set up in
            // another session, say), this session must show it like any other.
            SignInStep::EnrolFactor if self.factors(session.staff.id).await?.is_empty() => Ok(()),
            SignInStep::EnrolFactor => Err(AppError::SignInUnfinished(SignInStep::SecondFactor)),
            SignInStep::Done => self.require_step_up(session).await,
            step => Err(AppError::SignInUnfinished(step)),
        }
    }

    /// When an account gets its first factor, its other sessions still part-way through
    /// signing in are ended: they were opened with the password alone, and must not go
    /// on to set up a factor of their own.
    pub(crate) async fn end_unfinished_sessions_but(
        &self,
        db: &impl ConnectionTrait,
        session: &StaffSession,
    ) -> Result<(), AppError> {
        session::Entity::delete_many()
            .filter(session::Column::StaffUserId.eq(session.staff.id))
            .filter(session::Column::TokenHash.ne(session.token_hash.as_str()))
            .filter(session::Column::SignInStep.ne(SignInStep::Done))
            .exec(db)
            .await
            .or_internal()?;
        Ok(())
    }
}

/// Removes an account's authenticator app and recovery codes.
pub(crate) async fn clear_authenticator(
    db: &impl ConnectionTrait,
    staff: StaffId,
) -> Result<(), AppError> {
    staff_user::Entity::update_many()
        .col_expr(
            staff_user::Column::TotpSecretSealed,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            staff_user::Column::TotpConfirmedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            staff_user::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(staff_user::Column::Id.eq(staff))
        .exec(db)
        .await
        .or_internal()?;
    recovery::remove_all(db, staff).await
}

/// The second factors `user` has, read through `db`.
async fn factors_in(
    db: &impl ConnectionTrait,
    user: &staff_user::Model,
) -> Result<Factors, AppError> {
    use sea_orm::PaginatorTrait;
    let passkeys = crate::entity::staff_passkey::Entity::find()
        .filter(crate::entity::staff_passkey::Column::StaffUserId.eq(user.id))
        .count(db)
        .await
        .or_internal()?;
    Ok(Factors {
        authenticator_app: user.totp_confirmed_at.is_some(),
        passkeys: u32::try_from(passkeys).unwrap_or(u32::MAX),
        recovery_codes_left: recovery::left(db, user.id).await?,
    })
}

/// Removes every passkey of an account.
pub(crate) async fn remove_passkeys(
    db: &impl ConnectionTrait,
    staff: StaffId,
) -> Result<(), AppError> {
    crate::entity::staff_passkey::Entity::delete_many()
        .filter(crate::entity::staff_passkey::Column::StaffUserId.eq(staff))
        .exec(db)
        .await
        .or_internal()?;
    Ok(())
}
