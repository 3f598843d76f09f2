//! Sensitive enrollment workflows started from the lead card: Sync Employees and Send to
//! BEIA. Each is recorded in the audit trail. (The security PIN issue adds the rule that
//! they wait for a verified caller.)

use janus_domain::AppError;
use janus_domain::staff::StaffView;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

use crate::audit::{self, Action, Entry, Outcome};
use crate::entity::client;
use crate::{Store, internal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workflow {
    SyncEmployees,
    SendToBeia,
}

impl Store {
    /// Pulls the client's employee roster from payroll; records when it last happened.
    pub async fn sync_employees(&self, client_id: i32, staff: &StaffView) -> Result<(), AppError> {
        self.run_workflow(client_id, staff, Workflow::SyncEmployees)
            .await
    }

    /// Hands the client's enrollment to BEIA (benefits); records when it was sent.
    pub async fn send_to_beia(&self, client_id: i32, staff: &StaffView) -> Result<(), AppError> {
        self.run_workflow(client_id, staff, Workflow::SendToBeia)
            .await
    }

    async fn run_workflow(
        &self,
        client_id: i32,
        staff: &StaffView,
        workflow: Workflow,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let txn = self.db.begin().await.map_err(internal)?;
        let found = client::Entity::find_by_id(client_id)
            .one(&txn)
            .await
            .map_err(internal)?;
        let c = found.ok_or_else(|| AppError::NotFound("Client".into()))?;
        let mut active: client::ActiveModel = c.into();
        let action = match workflow {
            Workflow::SyncEmployees => {
                active.last_synced_at = Set(Some(now));
                Action::SyncEmployees
            }
            Workflow::SendToBeia => {
                active.beia_sent_at = Set(Some(now));
                Action::SendToBeia
            }
        };
        active.update(&txn).await.map_err(internal)?;
        let mut entry = Entry::new(action, Outcome::Success).staff(staff.id);
        entry.client_id = Some(client_id);
        audit::record(&txn, now, entry).await.map_err(internal)?;
        txn.commit().await.map_err(internal)
    }
}
