//! Moving a client between enrollment stages, through the gate of
//! `janus_domain::enrollment`: one step at a time, back only with a reason, and Enrolled
//! only with a security PIN for brands in the PIN workflow's scope.

use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::dashboard::{EnrollmentStage, LeadCard};
use janus_domain::enrollment::{PinGate, check_stage_move};
use janus_domain::ids::ClientId;
use janus_domain::live::ClientChange;
use janus_domain::staff::StaffView;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{client, client_pin};
use crate::{OrInternal, Store};

impl Store {
    /// Moves the client to `to`, audited with its reason; answers with the lead card as it
    /// now stands. A refusal by the PIN gate is audited too, so the trail shows who tried.
    pub async fn move_stage(
        &self,
        client_id: ClientId,
        to: EnrollmentStage,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let result = self
            .move_stage_unannounced(client_id, to, reason, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::StageChanged)
            .await
    }

    async fn move_stage_unannounced(
        &self,
        client_id: ClientId,
        to: EnrollmentStage,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let now = self.clock.now();
        // Read and write in one writing transaction, so a PIN reset or another agent's
        // move cannot slip between the gate's check and the change: on PostgreSQL the
        // client row is locked for update and its PIN row against change (SQLite's
        // IMMEDIATE transaction already holds the only write lock, and its query builder
        // leaves the clauses out).
        let txn = begin_writing(&self.db).await.or_internal()?;
        let (c, b) = crate::clients::client_for_update(&txn, client_id).await?;
        let has_pin = client_pin::Entity::find_by_id(client_id)
            .lock(LockType::Share)
            .one(&txn)
            .await
            .or_internal()?
            .is_some_and(|p| p.pin_hash.is_some());
        let gate = PinGate::for_client(self.settings.brands.is_in_scope(&b.slug), &b.name, has_pin);
        let moved = match check_stage_move(c.stage, to, reason, gate) {
            Ok(moved) => moved,
            Err(refused @ AppError::PinRequired(_)) => {
                let entry = Entry::new(AuditAction::StageChanged, AuditOutcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(format!(
                        "refused: {} → {} without a security PIN",
                        c.stage.label(),
                        to.label()
                    ));
                audit::record(&txn, now, entry).await.or_internal()?;
                txn.commit().await.or_internal()?;
                return Err(refused);
            }
            Err(other) => return Err(other),
        };
        client::Entity::update_many()
            .col_expr(client::Column::Stage, Expr::value(moved.to))
            .filter(client::Column::Id.eq(client_id))
            .exec(&txn)
            .await
            .or_internal()?;
        let entry = Entry::new(AuditAction::StageChanged, AuditOutcome::Success)
            .staff(staff.id)
            .client(client_id)
            .detail(moved.detail());
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        self.lead_card(client_id).await
    }
}
