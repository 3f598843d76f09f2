//! Managing staff accounts: admins list, add, deactivate, reactivate and change the role of
//! staff users. Every use case here checks the acting staff member's role itself, so no
//! caller can forget to (the server functions check it too, before any work).

use janus_domain::ids::StaffId;
use std::collections::HashMap;

use chrono::Duration;
use janus_domain::AppError;
use janus_domain::staff::{StaffChange, StaffMember, StaffRole, StaffView, staff_change_refusal};
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
    if actor.role == StaffRole::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only admins manage staff users.".into(),
        ))
    }
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
        users
            .iter()
            .map(|u| member(u, open.get(&u.id).copied().unwrap_or(0)))
            .collect()
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
        member(&user, 0)
    }

    /// Deactivates (ending every session at once), reactivates, or changes the role of a
    /// staff account. Refused for agents, and for changes that would lock the admin out.
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
                let ended = session::Entity::delete_many()
                    .filter(session::Column::StaffUserId.eq(target_id))
                    .exec(&txn)
                    .await
                    .or_internal()?
                    .rows_affected;
                let detail = format!("{} ({ended} sessions ended)", user.email);
                (AuditAction::StaffDeactivated, detail)
            }
            StaffChange::Reactivate => {
                active.active = Set(true);
                (AuditAction::StaffReactivated, user.email.clone())
            }
            StaffChange::MakeAdmin | StaffChange::MakeAgent => {
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
        txn.commit().await.or_internal()?;
        let open = self.open_sessions_by_staff().await?;
        member(&updated, open.get(&updated.id).copied().unwrap_or(0))
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

fn member(user: &staff_user::Model, open_sessions: u32) -> Result<StaffMember, AppError> {
    let view = crate::auth::view(user)?;
    Ok(StaffMember {
        id: view.id,
        name: view.name,
        email: view.email,
        role: view.role,
        active: user.active,
        created_at: user.created_at,
        open_sessions,
    })
}
