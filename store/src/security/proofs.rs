//! *Prove it's us* (`janus_domain::prove_its_us`): staff send a contact's email and mobile
//! on file three words, and read the same words aloud, so the client knows the caller is
//! really from us before telling them a PIN. Limited per contact like 2-step codes, refused
//! to an address still cooling off, and audited.

use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::live::ClientChange;
use janus_domain::messages::{Blanks, MessageKind, Template};
use janus_domain::security::{ProofSent, SendLimit};
use janus_domain::staff::StaffView;
use rand::Rng;
use sea_orm::{ActiveModelTrait, Set};

use super::send_limits::SendsOf;
use super::{SendTo, client_contact, deliverable, pin_client};
use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::caller_proof;
use crate::mailbox::{self, Carries, Recipient};
use crate::{OrInternal, Store};

impl Store {
    pub async fn prove_its_us(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        staff: &StaffView,
    ) -> Result<ProofSent, AppError> {
        let result = self
            .prove_its_us_unannounced(client_id, contact_id, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::ProofSent)
            .await
    }

    async fn prove_its_us_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        staff: &StaffView,
    ) -> Result<ProofSent, AppError> {
        let pc = pin_client(self, client_id).await?;
        let (k, _) = client_contact(self, client_id, contact_id).await?;
        deliverable(&k)?;
        self.past_cooling_off(&k, SendTo::Proof, staff).await?;
        let sends = SendsOf {
            limit: SendLimit::proofs(&self.settings.prove_its_us),
            client_id,
            contact_id,
        };
        self.precheck_send(sends, staff).await?;
        // rand's thread generator is a CSPRNG seeded from the operating system.
        let words = {
            let mut rng = rand::rng();
            janus_domain::prove_its_us::phrase([rng.random(), rng.random(), rng.random()])
        };
        let now = self.clock.now();
        let brand = pc.brand_view();
        let blanks =
            Blanks::new(&brand, &pc.client.business_name, &k.name).with_words(&staff.name, &words);
        let email = self
            .templates
            .email(Template::ProveItsUsEmail, &blanks)
            .or_internal()?;

        let txn = begin_writing(&self.db).await.or_internal()?;
        if let Err(refusal) = self.check_send_in(&txn, sends).await? {
            txn.rollback().await.or_internal()?;
            return Err(self.refuse_send(sends, staff, refusal).await);
        }
        let txn = self.still_as_read(txn, &k, SendTo::Proof, staff).await?;
        caller_proof::ActiveModel {
            client_id: Set(client_id),
            contact_id: Set(contact_id),
            staff_user_id: Set(staff.id),
            sent_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .or_internal()?;
        let to = |address| Recipient {
            client_id: Some(client_id),
            contact_id: Some(contact_id),
            address,
            carries: Carries::Nothing,
            // Worth delivering only during the call.
            deliver_by: Some(now + chrono::Duration::minutes(15)),
        };
        mailbox::queue_email(
            &txn,
            &self.sealer,
            now,
            MessageKind::ProveItsUs,
            to(&k.email),
            email,
        )
        .await
        .or_internal()?;
        let channels = match &k.mobile_phone {
            Some(mobile) => {
                let sms = self
                    .templates
                    .sms(Template::ProveItsUsSms, &blanks)
                    .or_internal()?;
                mailbox::queue_sms(
                    &txn,
                    &self.sealer,
                    now,
                    MessageKind::ProveItsUs,
                    to(mobile),
                    sms,
                )
                .await
                .or_internal()?;
                "email and SMS"
            }
            None => "email (no mobile number)",
        };
        let entry = Entry::new(AuditAction::ProveItsUs, AuditOutcome::Success)
            .staff(staff.id)
            .client(client_id)
            .contact(contact_id)
            .detail(format!("words sent to {} by {channels}", k.name));
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        Ok(ProofSent {
            words,
            contact_name: k.name,
            channels: channels.into(),
            status: self.security_status(client_id).await?,
        })
    }
}
