//! Listing and ending staff sessions: each staff member sees their own and can end the
//! others; admins can do the same for anyone.

use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::ids::StaffId;
use janus_domain::staff::sessions::{SessionId, SessionView, describe_browser};
use janus_domain::staff::{Permission, require};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::audit::{self, Entry};
use crate::auth::StaffSession;
use crate::entity::session;
use crate::{OrInternal, Store};

impl Store {
    /// `whose` open sessions, most recently active first. Anyone may list their own;
    /// only admins another's.
    pub async fn list_sessions(
        &self,
        asking: &StaffSession,
        whose: StaffId,
    ) -> Result<Vec<SessionView>, AppError> {
        if whose != asking.staff.id {
            require(&asking.staff, Permission::ManageStaff)?;
        }
        let now = self.clock.now();
        let limits = &self.settings.sessions;
        let rows = session::Entity::find()
            .filter(session::Column::StaffUserId.eq(whose))
            .filter(
                session::Column::LastSeenAt
                    .gt(now - chrono::Duration::minutes(limits.idle_minutes.into())),
            )
            .filter(
                session::Column::CreatedAt
                    .gt(now - chrono::Duration::hours(limits.absolute_hours.into())),
            )
            .order_by_desc(session::Column::LastSeenAt)
            .order_by_asc(session::Column::TokenHash)
            .all(&self.db)
            .await
            .or_internal()?;
        Ok(rows
            .into_iter()
            .map(|row| SessionView {
                id: SessionId::of_digest(&row.token_hash),
                browser: describe_browser(&row.user_agent),
                address: if row.address.is_empty() {
                    "unknown".into()
                } else {
                    row.address.clone()
                },
                started: row.created_at,
                last_active: row.last_seen_at,
                current: row.token_hash == asking.token_hash,
            })
            .collect())
    }

    /// Ends the session `id` of `whose`: one's own other sessions, or (admins) anyone's.
    /// The session one is asking from is ended by signing out instead.
    pub async fn end_session(
        &self,
        asking: &StaffSession,
        whose: StaffId,
        id: &SessionId,
    ) -> Result<(), AppError> {
        if whose != asking.staff.id {
            require(&asking.staff, Permission::ManageStaff)?;
        }
        let prefix = id.checked()?;
        if asking.token_hash.starts_with(prefix) {
            return Err(AppError::invalid(
                "session",
                "this is the session you are using: sign out to end it",
            ));
        }
        // The id is 32 checked hex digits, so it is safe in a LIKE pattern.
        let ended = session::Entity::delete_many()
            .filter(session::Column::StaffUserId.eq(whose))
            .filter(session::Column::TokenHash.like(format!("{prefix}%")))
            .exec(&self.db)
            .await
            .or_internal()?
            .rows_affected;
        if ended == 0 {
            return Err(AppError::NotFound("That session".into()));
        }
        self.announce_sessions_ended(whose).await;
        let detail = if whose == asking.staff.id {
            "one of their other sessions".to_owned()
        } else {
            format!("a session of staff user {whose}")
        };
        let entry = Entry::new(AuditAction::SessionEnded, AuditOutcome::Success)
            .staff(asking.staff.id)
            .detail(detail);
        audit::record(&self.db, self.clock.now(), entry)
            .await
            .or_internal()
    }
}
