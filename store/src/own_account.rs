//! What staff do to their own account: change their password. A change ends every other
//! session (ASVS 7.4.3), so whoever knew the old password is signed out everywhere.

use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::staff::check_new_password;
use janus_domain::staff::second_factor::SignInStep;
use janus_domain::throttle::ThrottleBucket;
use janus_domain::{AppError, Secret};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::audit::{self, Entry};
use crate::auth::StaffSession;
use crate::db::begin_writing;
use crate::entity::{session, staff_user};
use crate::{OrInternal, Store};

impl Store {
    /// Changes the session owner's password, given the current one: at the step of a
    /// sign-in that must choose its own, or from a finished session.
    pub async fn change_own_password(
        &self,
        session: &StaffSession,
        current: Secret,
        new: Secret,
    ) -> Result<StaffSession, AppError> {
        if !matches!(session.step, SignInStep::ChangePassword | SignInStep::Done) {
            return Err(AppError::SignInUnfinished(session.step));
        }
        if current.expose().is_empty() {
            return Err(AppError::invalid(
                "current_password",
                "enter your current password",
            ));
        }
        let staff = session.staff.id;
        let user = self.staff_account(staff).await?;
        check_new_password(new.expose(), &user.name, &user.email)?;
        if new.expose() == current.expose() {
            return Err(AppError::invalid(
                "password",
                "choose a password different from the current one",
            ));
        }
        // The current password is guessed no faster here than at the sign-in form.
        self.throttle(ThrottleBucket::SignInAccount, &user.email)
            .await?;
        let now = self.clock.now();
        if !self
            .hasher
            .verify(current, user.password_hash.clone())
            .await?
        {
            let entry = Entry::new(AuditAction::PasswordChanged, AuditOutcome::Failure)
                .staff(staff)
                .detail("the current password given was wrong");
            audit::record(&self.db, now, entry).await.or_internal()?;
            return Err(AppError::invalid(
                "current_password",
                "that is not your current password",
            ));
        }
        let hash = self.hasher.hash(new).await?;
        let txn = begin_writing(&self.db).await.or_internal()?;
        let mut active: staff_user::ActiveModel = user.into();
        active.password_hash = Set(hash);
        active.must_change_password = Set(false);
        active.update(&txn).await.or_internal()?;
        let ended = session::Entity::delete_many()
            .filter(session::Column::StaffUserId.eq(staff))
            .filter(session::Column::TokenHash.ne(session.token_hash.as_str()))
            .exec(&txn)
            .await
            .or_internal()?
            .rows_affected;
        let entry = Entry::new(AuditAction::PasswordChanged, AuditOutcome::Success)
            .staff(staff)
            .detail(format!("{ended} other sessions ended"));
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        self.announce_sessions_ended(staff).await;
        self.forgive(ThrottleBucket::SignInAccount, &session.staff.email)
            .await?;
        self.advance(session, session.factor_confirmed_at, Some(now))
            .await
    }
}

impl Store {
    /// Where `session`'s account stands.
    pub async fn account(
        &self,
        session: &StaffSession,
    ) -> Result<janus_domain::staff::AccountView, AppError> {
        let factors = self.factors(session.staff.id).await?;
        Ok(janus_domain::staff::AccountView {
            staff: session.staff.clone(),
            step: session.step,
            factors,
            factor_required: self
                .settings
                .second_factor_policy()
                .requires(session.staff.role),
        })
    }
}
