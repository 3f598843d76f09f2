//! Managing staff accounts: admins list, add, deactivate, reactivate and change the role of
//! staff users, reset their passwords and second factors. Every use case here checks the
//! acting staff member's role itself, so no caller can forget to (the server functions
//! check it too, before any work, and ask for a fresh second factor: step-up).

use janus_domain::ids::StaffId;
use std::collections::HashMap;

use chrono::Duration;
use janus_domain::AppError;
use janus_domain::staff::{
    Permission, StaffChange, StaffMember, StaffView, require, staff_change_refusal,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use sea_orm::sea_query::{Expr, ExprTrait};

use crate::audit::{self, Entry};
use crate::auth::NewStaff;
use crate::db::begin_writing;
use crate::entity::{session, staff_user};
use crate::{OrInternal, Store};
use janus_domain::audit::{AuditAction, AuditOutcome};

/// Refuses (403, with the reason) anyone but an admin.
pub fn require_admin(actor: &StaffView) -> Result<(), AppError> {
    require(actor, Permission::ManageStaff)
}

impl Store {
    /// Every staff account, active ones first, then by name.
    pub async fn list_staff(&self, actor: &StaffView) -> Result<Vec<StaffMember>, AppError> {
        require_admin(actor)?;
        let users = staff_user::Entity::find()
            .order_by_desc(staff_user::Column::Active)
            .order_by_asc(staff_user::Column::Name)
            .order_by_asc(staff_user::Column::Id)
            .all(&self.db)
            .await
            .or_internal()?;
        let open = self.open_sessions_by_staff().await?;
        let mut members = Vec::with_capacity(users.len());
        for user in &users {
            members.push(self.member(user, &open).await?);
        }
        Ok(members)
    }

    async fn member(
        &self,
        user: &staff_user::Model,
        open: &HashMap<StaffId, u32>,
    ) -> Result<StaffMember, AppError> {
        let view = crate::auth::view(user)?;
        Ok(StaffMember {
            id: view.id,
            name: view.name,
            email: view.email,
            role: view.role,
            active: user.active,
            created_at: user.created_at,
            open_sessions: open.get(&user.id).copied().unwrap_or(0),
            factors: self.factors(user.id).await?,
            must_change_password: user.must_change_password,
        })
    }

    /// An admin adds a staff account with a first password they hand over in person.
    pub async fn add_staff(
        &self,
        actor: &StaffView,
        new: NewStaff,
    ) -> Result<StaffMember, AppError> {
        require_admin(actor)?;
        let created = self.insert_staff(new, Some(actor.id)).await?;
        let user = self.staff_user(created.id).await?;
        self.member(&user, &HashMap::new()).await
    }

    /// Deactivates (ending every session at once), reactivates, changes the role of a
    /// staff account, or removes its second factors (telling its owner by email). Refused for agents, and for changes that would lock the admin out.
    pub async fn change_staff(
        &self,
        actor: &StaffView,
        target_id: StaffId,
        change: StaffChange,
    ) -> Result<StaffMember, AppError> {
        if let Some(reason) = staff_change_refusal(actor, target_id, change) {
            return Err(AppError::Forbidden(reason));
        }
        let user = self.staff_user(target_id).await?;
        let now = self.clock.now();
        let txn = begin_writing(&self.db).await.or_internal()?;
        let mut active: staff_user::ActiveModel = user.clone().into();
        let (action, detail) = match change {
            StaffChange::Deactivate => {
                active.active = Set(false);
                let ended = end_sessions_of(&txn, target_id).await?;
                let detail = format!("{} ({ended} sessions ended)", user.email);
                (AuditAction::StaffDeactivated, detail)
            }
            StaffChange::ResetSecondFactor => {
                crate::staff_factors::clear_authenticator(&txn, target_id).await?;
                crate::staff_factors::remove_passkeys(&txn, target_id).await?;
                // A session that showed a removed factor must not outlive it.
                let ended = end_sessions_of(&txn, target_id).await?;
                let detail = format!(
                    "{}: authenticator app, recovery codes and passkeys removed by an admin ({ended} sessions ended)",
                    user.email
                );
                (AuditAction::FactorRemoved, detail)
            }
            StaffChange::Reactivate => {
                active.active = Set(true);
                (AuditAction::StaffReactivated, user.email.clone())
            }
            StaffChange::MakeAdmin | StaffChange::MakeAgent | StaffChange::MakeVerifier => {
                let role = change.new_role().unwrap_or(user.role);
                active.role = Set(role);
                let detail = format!(
                    "{}: {} → {}",
                    user.email,
                    <&str>::from(user.role),
                    <&str>::from(role)
                );
                (AuditAction::StaffRoleChanged, detail)
            }
        };
        let updated = active.update(&txn).await.or_internal()?;
        let entry = Entry::new(action, AuditOutcome::Success)
            .staff(actor.id)
            .detail(detail);
        audit::record(&txn, now, entry).await.or_internal()?;
        if change == StaffChange::ResetSecondFactor {
            let told = format!(
                "{}, an admin, removed your passkeys, authenticator app and recovery codes, and ended your sessions. At your next sign-in you set up a new second factor.",
                actor.name
            );
            self.tell_staff(&txn, &updated, &told, now).await?;
        }
        txn.commit().await.or_internal()?;
        if matches!(
            change,
            StaffChange::Deactivate | StaffChange::ResetSecondFactor
        ) {
            self.announce_sessions_ended(target_id).await;
        }
        let open = self.open_sessions_by_staff().await?;
        self.member(&updated, &open).await
    }

    /// An admin issues a new first password for someone who lost theirs: generated here,
    /// shown once to the admin to hand over, and to be changed at the next sign-in. Every
    /// session of the account ends, and its owner is told by email.
    pub async fn reset_staff_password(
        &self,
        actor: &StaffView,
        target_id: StaffId,
    ) -> Result<(StaffMember, janus_domain::Secret), AppError> {
        require_admin(actor)?;
        if actor.id == target_id {
            return Err(AppError::Forbidden(
                "Change your own password from your account page.".into(),
            ));
        }
        let user = self.staff_user(target_id).await?;
        let password = issued_password();
        let hash = self
            .hasher
            .hash(janus_domain::Secret::new(password.expose()))
            .await?;
        let now = self.clock.now();
        let txn = begin_writing(&self.db).await.or_internal()?;
        let mut active: staff_user::ActiveModel = user.clone().into();
        active.password_hash = Set(hash);
        active.must_change_password = Set(true);
        let updated = active.update(&txn).await.or_internal()?;
        let ended = end_sessions_of(&txn, target_id).await?;
        let entry = Entry::new(AuditAction::PasswordReset, AuditOutcome::Success)
            .staff(actor.id)
            .detail(format!(
                "{}: a new first password, to be changed at sign-in ({ended} sessions ended)",
                user.email
            ));
        audit::record(&txn, now, entry).await.or_internal()?;
        let told = format!(
            "{}, an admin, reset your password and ended your sessions. They will give you a new first password in person; you choose your own when you sign in with it.",
            actor.name
        );
        self.tell_staff(&txn, &updated, &told, now).await?;
        txn.commit().await.or_internal()?;
        self.announce_sessions_ended(target_id).await;
        let open = self.open_sessions_by_staff().await?;
        Ok((self.member(&updated, &open).await?, password))
    }

    async fn staff_user(&self, id: StaffId) -> Result<staff_user::Model, AppError> {
        staff_user::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Staff user".into()))
    }

    /// Sessions that have not yet run out, per staff user. Ended sessions are deleted when
    /// next presented, so rows past either deadline are not counted.
    async fn open_sessions_by_staff(&self) -> Result<HashMap<StaffId, u32>, AppError> {
        let now = self.clock.now();
        let limits = &self.settings.sessions;
        let counts: Vec<(StaffId, i64)> = session::Entity::find()
            .select_only()
            .column(session::Column::StaffUserId)
            .column_as(Expr::col(session::Column::TokenHash).count(), "open")
            .filter(
                session::Column::LastSeenAt.gt(now - Duration::minutes(limits.idle_minutes.into())),
            )
            .filter(
                session::Column::CreatedAt.gt(now - Duration::hours(limits.absolute_hours.into())),
            )
            .group_by(session::Column::StaffUserId)
            .into_tuple()
            .all(&self.db)
            .await
            .or_internal()?;
        let open = counts
            .into_iter()
            .map(|(id, n)| (id, u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
        Ok(open)
    }
}

/// Ends every session of `staff`; returns how many there were.
pub(crate) async fn end_sessions_of(
    db: &impl sea_orm::ConnectionTrait,
    staff: StaffId,
) -> Result<u64, AppError> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::StaffUserId.eq(staff))
        .exec(db)
        .await
        .or_internal()?
        .rows_affected)
}

/// A first password an admin hands over: four groups of four from Crockford's base32
/// (80 random bits), easy to read out and type once.
fn issued_password() -> janus_domain::Secret {
    use janus_domain::staff::second_factor::RECOVERY_ALPHABET;
    use rand::Rng;
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..4)
                .map(|_| {
                    char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])
                })
                .collect()
        })
        .collect();
    janus_domain::Secret::new(groups.join("-"))
}
