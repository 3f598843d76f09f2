//! Sensitive enrollment workflows started from the lead card: Sync Employees and Send to
//! BEIA. Each is recorded in the audit trail, and for clients in the security PIN
//! workflow each waits for a caller verified within the last hour.

use janus_domain::AppError;
use janus_domain::dashboard::LeadCard;
use janus_domain::ids::ClientId;
use janus_domain::staff::StaffView;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{brand, client};
use crate::{OrInternal, Store, internal};
use janus_domain::audit::{AuditAction, AuditOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workflow {
    SyncEmployees,
    SendToBeia,
}

impl Store {
    /// Pulls the client's employee roster from payroll; records when it last happened.
    /// Answers with the lead card as it now stands.
    pub async fn sync_employees(
        &self,
        client_id: ClientId,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        self.run_workflow(client_id, staff, Workflow::SyncEmployees)
            .await?;
        self.lead_card(client_id).await
    }

    /// Hands the client's enrollment to BEIA (benefits); records when it was sent.
    /// Answers with the lead card as it now stands.
    pub async fn send_to_beia(
        &self,
        client_id: ClientId,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        self.run_workflow(client_id, staff, Workflow::SendToBeia)
            .await?;
        self.lead_card(client_id).await
    }

    async fn run_workflow(
        &self,
        client_id: ClientId,
        staff: &StaffView,
        workflow: Workflow,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let action = match workflow {
            Workflow::SyncEmployees => AuditAction::SyncEmployees,
            Workflow::SendToBeia => AuditAction::SendToBeia,
        };
        let (c, b) = client::Entity::find_by_id(client_id)
            .find_also_related(brand::Entity)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Client".into()))?;
        let b = b.ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
        if self.pin_applies(&b, &c) && !self.is_verified(client_id).await? {
            audit::record(
                &self.db,
                now,
                Entry::new(action, AuditOutcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .detail("refused: client not verified"),
            )
            .await
            .or_internal()?;
            return Err(AppError::VerificationRequired);
        }
        let txn = begin_writing(&self.db).await.or_internal()?;
        let found = client::Entity::find_by_id(client_id)
            .one(&txn)
            .await
            .or_internal()?;
        let c = found.ok_or_else(|| AppError::NotFound("Client".into()))?;
        let mut active: client::ActiveModel = c.into();
        match workflow {
            Workflow::SyncEmployees => active.last_synced_at = Set(Some(now)),
            Workflow::SendToBeia => active.beia_sent_at = Set(Some(now)),
        }
        active.update(&txn).await.or_internal()?;
        let entry = Entry::new(action, AuditOutcome::Success)
            .staff(staff.id)
            .client(client_id);
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()
    }
}
