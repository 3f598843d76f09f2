//! Sensitive enrollment workflows started from the lead card: Sync Employees and Send to
//! BEIA. Each is recorded in the audit trail, and for clients in the security PIN
//! workflow each waits for the verification its authority names
//! (`janus_domain::authority`): who, by which method, how recently, checked by whom.

use janus_domain::AppError;
use janus_domain::authority::SensitiveAction;
use janus_domain::dashboard::LeadCard;
use janus_domain::ids::ClientId;
use janus_domain::live::ClientChange;
use janus_domain::staff::StaffView;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{brand, client};
use crate::{OrInternal, Store, internal};
use janus_domain::audit::{AuditAction, AuditOutcome};

/// The lead card's workflow buttons, each a sensitive action.
#[derive(Clone, Copy)]
enum Workflow {
    SyncEmployees,
    SendToBeia,
}

impl Workflow {
    fn action(self) -> SensitiveAction {
        match self {
            Self::SyncEmployees => SensitiveAction::SyncEmployees,
            Self::SendToBeia => SensitiveAction::SendToBeia,
        }
    }

    fn audited(self) -> AuditAction {
        match self {
            Self::SyncEmployees => AuditAction::SyncEmployees,
            Self::SendToBeia => AuditAction::SendToBeia,
        }
    }
}

impl Store {
    /// Pulls the client's employee roster from payroll; records when it last happened.
    /// Answers with the lead card as it now stands.
    pub async fn sync_employees(
        &self,
        client_id: ClientId,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let result = self.sync_employees_unannounced(client_id, staff).await;
        self.announced(client_id, result, |_| ClientChange::Workflow)
            .await
    }

    async fn sync_employees_unannounced(
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
        let result = self.send_to_beia_unannounced(client_id, staff).await;
        self.announced(client_id, result, |_| ClientChange::Workflow)
            .await
    }

    async fn send_to_beia_unannounced(
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
        let action = workflow.action();
        let now = self.clock.now();
        let (c, b) = client::Entity::find_by_id(client_id)
            .find_also_related(brand::Entity)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Client".into()))?;
        let b = b.ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
        let audited = workflow.audited();
        let mut entry = Entry::new(audited, AuditOutcome::Success)
            .staff(staff.id)
            .client(client_id);
        if self.pin_applies(&b, &c) {
            let current = self.current_verifications(client_id).await?;
            let authority = self.settings.authority(action);
            match authority.judge(action, &current, staff.id, now) {
                Ok(by) => {
                    if let Some(contact_id) = by.contact_id {
                        entry = entry.contact(contact_id);
                    }
                    entry = entry.detail(format!("authorized by {}", by.summary()));
                }
                Err(missing) => {
                    let refused = Entry::new(audited, AuditOutcome::Failure)
                        .staff(staff.id)
                        .client(client_id)
                        .detail(format!("refused: {missing}"));
                    audit::record(&self.db, now, refused).await.or_internal()?;
                    return Err(AppError::VerificationRequired(missing));
                }
            }
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
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()
    }
}
