//! Who is verified: each verification names the contact checked and the role they held,
//! the method and the staff member. Trust that changes (a PIN reset, a change to the
//! contact, an admin) ends the verifications it touches at once; an ended verification
//! keeps its row, with `until` moved to the moment it ended and the reason.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::ContactView;
use janus_domain::ids::{ClientId, ContactId, StaffId};
use janus_domain::live::ClientChange;
use janus_domain::security::{SecurityStatus, VerificationEnd, VerificationView, VerifyMethod};
use janus_domain::staff::{StaffRole, StaffView};
use janus_domain::verification::VerifiedWindow;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::pin_client;
use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{staff_user, verification};
use crate::{OrInternal, Store};

/// The verification a successful check opens for `contact` (with the role they hold
/// now), as shown, and the row that records it.
pub(crate) fn window_row(
    store: &Store,
    client_id: ClientId,
    staff: &StaffView,
    method: VerifyMethod,
    contact: (ContactId, &str, ContactRole),
) -> (VerificationView, verification::ActiveModel) {
    let now = store.clock.now();
    let window = VerifiedWindow::starting(now, &store.settings.verification);
    let (contact_id, contact_name, role) = contact;
    let row = verification::ActiveModel {
        client_id: Set(client_id),
        staff_user_id: Set(staff.id),
        method: Set(method),
        contact_id: Set(Some(contact_id)),
        contact_role: Set(Some(role)),
        verified_at: Set(window.verified_at),
        until: Set(window.until),
        end_reason: Set(None),
        ended_by: Set(None),
        ..Default::default()
    };
    let view = VerificationView {
        contact_id: Some(contact_id),
        contact_name: Some(contact_name.to_owned()),
        role: Some(role),
        staff_id: staff.id,
        staff_name: staff.name.clone(),
        method,
        at: window.verified_at,
        until: window.until,
        seconds_left: window.seconds_left(now),
        ended: None,
    };
    (view, row)
}

/// Ends, now, the client's verifications in force: all of them, or only those of
/// `only_contact`. Answers how many it ended.
pub(crate) async fn end_verifications(
    db: &impl ConnectionTrait,
    client_id: ClientId,
    only_contact: Option<ContactId>,
    reason: VerificationEnd,
    by: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = verification::Entity::update_many()
        .col_expr(verification::Column::Until, Expr::value(now))
        .col_expr(verification::Column::EndReason, Expr::value(Some(reason)))
        .col_expr(verification::Column::EndedBy, Expr::value(by))
        .filter(verification::Column::ClientId.eq(client_id))
        .filter(verification::Column::Until.gt(now));
    if let Some(contact_id) = only_contact {
        update = update.filter(verification::Column::ContactId.eq(contact_id));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// The verifications in force among `rows`, the one lasting longest first, and, when none
/// is, the one that ended last.
pub(crate) fn verification_views(
    rows: Vec<verification::Model>,
    staff_names: &HashMap<StaffId, String>,
    contacts: &[ContactView],
    now: DateTime<Utc>,
) -> (Vec<VerificationView>, Option<VerificationView>) {
    let mut views: Vec<VerificationView> = rows
        .into_iter()
        .map(|v| {
            let contact_name = v.contact_id.map(|id| {
                contacts
                    .iter()
                    .find(|k| k.id == id)
                    .map_or_else(|| "a former contact".to_owned(), |k| k.name.clone())
            });
            VerificationView {
                contact_id: v.contact_id,
                contact_name,
                role: v.contact_role,
                staff_id: v.staff_user_id,
                staff_name: staff_names
                    .get(&v.staff_user_id)
                    .cloned()
                    .unwrap_or_else(|| "a former staff user".into()),
                method: v.method,
                at: v.verified_at,
                until: v.until,
                seconds_left: (v.until - now).num_seconds().max(0),
                ended: v.end_reason,
            }
        })
        .collect();
    views.sort_by(VerificationView::longest_first);
    let (current, ended): (Vec<_>, Vec<_>) = views.into_iter().partition(|v| v.until > now);
    let last = if current.is_empty() {
        ended.into_iter().next()
    } else {
        None
    };
    (current, last)
}

/// The names of the staff members with these ids.
pub(crate) async fn staff_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = StaffId>,
) -> Result<HashMap<StaffId, String>, DbErr> {
    let rows: Vec<(StaffId, String)> = staff_user::Entity::find()
        .select_only()
        .column(staff_user::Column::Id)
        .column(staff_user::Column::Name)
        .filter(staff_user::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

impl Store {
    /// The client's verifications in force now, the one lasting longest first.
    pub async fn current_verifications(
        &self,
        client_id: ClientId,
    ) -> Result<Vec<VerificationView>, AppError> {
        self.current_verifications_in(&self.db, client_id).await
    }

    /// [`Self::current_verifications`] as `db` (a transaction, say) sees them.
    pub(crate) async fn current_verifications_in(
        &self,
        db: &impl ConnectionTrait,
        client_id: ClientId,
    ) -> Result<Vec<VerificationView>, AppError> {
        let now = self.clock.now();
        let rows = verification::Entity::find()
            .filter(verification::Column::ClientId.eq(client_id))
            .filter(verification::Column::Until.gt(now))
            .order_by_desc(verification::Column::Until)
            .all(db)
            .await
            .or_internal()?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let names = staff_names(db, rows.iter().map(|v| v.staff_user_id))
            .await
            .or_internal()?;
        let contacts = crate::clients::contact_views(
            crate::clients::contacts_of(client_id)
                .all(db)
                .await
                .or_internal()?,
            self.settings.contacts.cooling_off_hours,
            now,
        );
        Ok(verification_views(rows, &names, &contacts, now).0)
    }

    /// *End verification*: an admin ends the client's verifications in force now, say
    /// when a call is found to be suspect. Audited.
    pub async fn end_verification(
        &self,
        client_id: ClientId,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        let result = self.end_verification_unannounced(client_id, staff).await;
        self.announced(client_id, result, |_| ClientChange::VerificationEnded)
            .await
    }

    async fn end_verification_unannounced(
        &self,
        client_id: ClientId,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        if staff.role != StaffRole::Admin {
            return Err(AppError::Forbidden(
                "Only an admin can end a verification.".into(),
            ));
        }
        pin_client(self, client_id).await?;
        let now = self.clock.now();
        let txn = begin_writing(&self.db).await.or_internal()?;
        let ended = end_verifications(
            &txn,
            client_id,
            None,
            VerificationEnd::EndedByAdmin,
            Some(staff.id),
            now,
        )
        .await
        .or_internal()?;
        if ended == 0 {
            txn.rollback().await.or_internal()?;
            return Err(AppError::invalid(
                "client",
                "Nobody is verified for this client right now.",
            ));
        }
        audit::record(
            &txn,
            now,
            Entry::new(AuditAction::VerificationEnded, AuditOutcome::Success)
                .staff(staff.id)
                .client(client_id)
                .detail(ended_detail(ended, VerificationEnd::EndedByAdmin)),
        )
        .await
        .or_internal()?;
        txn.commit().await.or_internal()?;
        self.security_status(client_id).await
    }
}

/// The audit line of verifications ended together.
pub(crate) fn ended_detail(count: u64, reason: VerificationEnd) -> String {
    let what = if count == 1 {
        "1 verification".to_owned()
    } else {
        format!("{count} verifications")
    };
    format!("{what} ended: {}", reason.label())
}
