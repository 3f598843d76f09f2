//! Contacts managed on the lead card: add, edit, remove, each audited. For a client in the
//! PIN workflow, a change that touches who speaks for the business
//! (`janus_domain::contact_edit`) needs the Owner's or an Authorized Representative's
//! verification, or an admin's written reason; it tells the addresses it replaces in the
//! same transaction, and ends the verification of the person changed. New destinations
//! wait out the cooling-off period before links or codes go to them; an admin may approve
//! them sooner.

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::authority::SensitiveAction;
use janus_domain::contact_edit::{
    ContactDraft, ContactEdit, allow_guarded_change, check_someone_speaks_for_business,
};
use janus_domain::dashboard::LeadCard;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::live::ClientChange;
use janus_domain::messages::{Blanks, MessageKind, Template};
use janus_domain::security::VerificationEnd;
use janus_domain::staff::{StaffRole, StaffView};
use janus_domain::words::audit_reason;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait, QueryFilter,
    QuerySelect, Set,
};

use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{brand, client, contact, pin_link, two_step_code};
use crate::mailbox::{self, Carries, Recipient};
use crate::security::{destination_changes, end_verifications, ended_detail};
use crate::{OrInternal, Store, internal};

/// What staff asked for.
enum Asked {
    Add(ContactDraft),
    Edit(ContactId, ContactDraft),
    Remove(ContactId),
}

impl Store {
    /// Adds a contact to the client. `reason` is an admin's, for a guarded change made
    /// without verification; empty otherwise.
    pub async fn add_contact(
        &self,
        client_id: ClientId,
        draft: ContactDraft,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let result = self
            .add_contact_unannounced(client_id, draft, reason, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::ContactChanged)
            .await
    }

    async fn add_contact_unannounced(
        &self,
        client_id: ClientId,
        draft: ContactDraft,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        self.change_contact(client_id, Asked::Add(draft), reason, staff)
            .await
    }

    pub async fn edit_contact(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        draft: ContactDraft,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let result = self
            .edit_contact_unannounced(client_id, contact_id, draft, reason, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::ContactChanged)
            .await
    }

    async fn edit_contact_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        draft: ContactDraft,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        self.change_contact(client_id, Asked::Edit(contact_id, draft), reason, staff)
            .await
    }

    /// Removes a contact. Its open links and codes go with it (they are its rows'
    /// children); its messages and audit entries stay.
    pub async fn remove_contact(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let result = self
            .remove_contact_unannounced(client_id, contact_id, reason, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::ContactChanged)
            .await
    }

    async fn remove_contact_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        self.change_contact(client_id, Asked::Remove(contact_id), reason, staff)
            .await
    }

    async fn change_contact(
        &self,
        client_id: ClientId,
        asked: Asked,
        reason: &str,
        staff: &StaffView,
    ) -> Result<LeadCard, AppError> {
        let now = self.clock.now();
        // The client row is locked for the change (FOR NO KEY UPDATE on PostgreSQL;
        // SQLite's IMMEDIATE transaction holds the only write lock), so two changes to
        // one client's contacts, or a change and a link sent, happen one after the other
        // and the "someone still speaks for the business" count stays true. Everything the
        // change is judged by (contacts, verifications) is read inside it.
        let txn = begin_writing(&self.db).await.or_internal()?;
        let (c, b) = crate::clients::client_for_update(&txn, client_id).await?;
        let contacts = contact::Entity::find()
            .filter(contact::Column::ClientId.eq(client_id))
            .all(&txn)
            .await
            .or_internal()?;
        let find = |id: ContactId| {
            contacts
                .iter()
                .find(|k| k.id == id)
                .cloned()
                .ok_or_else(|| {
                    AppError::invalid("contact", "Choose one of this client's contacts.")
                })
        };
        let draft_of = |k: &contact::Model| ContactDraft {
            name: k.name.clone(),
            role: k.role,
            email: k.email.clone(),
            mobile_phone: k.mobile_phone.clone(),
        };
        let (edit, row) = match asked {
            Asked::Add(draft) => (ContactEdit::Add(draft), None),
            Asked::Edit(id, after) => {
                let row = find(id)?;
                let before = draft_of(&row);
                if before == after {
                    // Saved as it was: nothing to record or tell anyone.
                    drop(txn);
                    return self.lead_card(client_id).await;
                }
                (ContactEdit::Edit { before, after }, Some(row))
            }
            Asked::Remove(id) => {
                let row = find(id)?;
                (ContactEdit::Remove(draft_of(&row)), Some(row))
            }
        };
        let remaining = contacts
            .iter()
            .filter(|k| Some(k.id) != row.as_ref().map(|r| r.id) && k.role.may_manage_pin())
            .count();
        check_someone_speaks_for_business(&edit, remaining)?;

        // Guarded by the brand alone, whatever the stage (see `is_guarded_for`).
        let guarded = edit.is_guarded_for(self.settings.brands.is_in_scope(&b.slug));
        let audited = match &edit {
            ContactEdit::Add(_) => AuditAction::ContactAdded,
            ContactEdit::Edit { .. } => AuditAction::ContactChanged,
            ContactEdit::Remove(_) => AuditAction::ContactRemoved,
        };
        let allowed = if guarded {
            let action = SensitiveAction::ChangeAuthorizedContact;
            let current = self.current_verifications_in(&txn, client_id).await?;
            let judged = self
                .settings
                .authority(action)
                .judge(action, &current, staff.id, now);
            match allow_guarded_change(judged, staff.role == StaffRole::Admin, reason) {
                Ok(allowed) => Some(allowed),
                Err(refused @ AppError::VerificationRequired(_)) => {
                    let mut entry = Entry::new(audited, AuditOutcome::Failure)
                        .staff(staff.id)
                        .client(client_id)
                        .detail(format!("refused: {}", edit.detail()));
                    if let Some(r) = &row {
                        entry = entry.contact(r.id);
                    }
                    audit::record(&txn, now, entry).await.or_internal()?;
                    txn.commit().await.or_internal()?;
                    return Err(refused);
                }
                Err(other) => return Err(other),
            }
        } else {
            None
        };

        let contact_id = write_change(&txn, client_id, &edit, row.clone(), now).await?;
        if edit.ends_verification() {
            // What was sent to the old addresses or role no longer proves anyone: open
            // codes are voided and open links cancelled with the verifications.
            two_step_code::Entity::update_many()
                .col_expr(two_step_code::Column::VoidedAt, Expr::value(now))
                .filter(two_step_code::Column::ContactId.eq(contact_id))
                .filter(two_step_code::Column::UsedAt.is_null())
                .filter(two_step_code::Column::VoidedAt.is_null())
                .exec(&txn)
                .await
                .or_internal()?;
            pin_link::Entity::update_many()
                .col_expr(pin_link::Column::CancelledAt, Expr::value(now))
                .filter(pin_link::Column::ContactId.eq(contact_id))
                .filter(pin_link::Column::UsedAt.is_null())
                .filter(pin_link::Column::CancelledAt.is_null())
                .exec(&txn)
                .await
                .or_internal()?;
            let ended_reason = VerificationEnd::ContactChanged;
            let ended = end_verifications(
                &txn,
                client_id,
                Some(contact_id),
                ended_reason,
                Some(staff.id),
                now,
            )
            .await
            .or_internal()?;
            if ended > 0 {
                let entry = Entry::new(AuditAction::VerificationEnded, AuditOutcome::Success)
                    .staff(staff.id)
                    .client(client_id)
                    .contact(contact_id)
                    .detail(ended_detail(ended, ended_reason));
                audit::record(&txn, now, entry).await.or_internal()?;
            }
        }
        let told = if guarded {
            self.tell_previous_addresses(&txn, &c, &b, &edit, &contacts, contact_id, now)
                .await?
        } else {
            0
        };
        let mut detail = edit.detail();
        if let Some(allowed) = &allowed {
            detail.push_str("; ");
            detail.push_str(&allowed.detail());
        }
        if told > 0 {
            detail.push_str(&format!(
                "; {told} notice(s) sent to the previous addresses"
            ));
        }
        let entry = Entry::new(audited, AuditOutcome::Success)
            .staff(staff.id)
            .client(client_id)
            .contact(contact_id)
            .detail(detail);
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        self.lead_card(client_id).await
    }

    /// Queues the contact-changed notice: to the addresses an edit or removal replaced, or,
    /// for an added Owner or Authorized Representative, to the others who speak for the
    /// business. Answers how many messages were queued.
    #[allow(clippy::too_many_arguments)]
    async fn tell_previous_addresses(
        &self,
        txn: &DatabaseTransaction,
        c: &client::Model,
        b: &brand::Model,
        edit: &ContactEdit,
        contacts: &[contact::Model],
        changed: ContactId,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let brand = crate::clients::brand_view(b);
        // (who, email, mobile, what happened)
        let mut notices: Vec<(String, String, Option<String>, String, ContactId)> = Vec::new();
        if let Some(to) = edit.previous_addresses(&c.business_name) {
            notices.push((to.name, to.email, to.mobile_phone, to.what, changed));
        } else if let Some(what) = edit.addition_notice(&c.business_name) {
            for k in contacts.iter().filter(|k| k.role.may_manage_pin()) {
                notices.push((
                    k.name.clone(),
                    k.email.clone(),
                    k.mobile_phone.clone(),
                    what.clone(),
                    k.id,
                ));
            }
        }
        let mut queued = 0;
        for (name, email, mobile, what, contact_id) in notices {
            let blanks = Blanks::new(&brand, &c.business_name, &name).with_change(&what);
            let to = |address| Recipient {
                client_id: Some(c.id),
                contact_id: Some(contact_id),
                address,
                carries: Carries::Nothing,
                deliver_by: None,
            };
            let message = self
                .templates
                .email(Template::ContactChangedEmail, &blanks)
                .or_internal()?;
            mailbox::queue_email(
                txn,
                &self.sealer,
                now,
                MessageKind::ContactChanged,
                to(&email),
                message,
            )
            .await
            .or_internal()?;
            queued += 1;
            if let Some(mobile) = &mobile {
                let sms = self
                    .templates
                    .sms(Template::ContactChangedSms, &blanks)
                    .or_internal()?;
                mailbox::queue_sms(
                    txn,
                    &self.sealer,
                    now,
                    MessageKind::ContactChanged,
                    to(mobile),
                    sms,
                )
                .await
                .or_internal()?;
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// An admin lets links and codes go to a contact's new destinations before the
    /// cooling-off period ends, with a reason for the audit trail. The approval covers the
    /// destinations on file now; a later change waits again.
    pub async fn approve_cooling_off(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        reason: &str,
        staff: &StaffView,
    ) -> Result<janus_domain::security::SecurityStatus, AppError> {
        let result = self
            .approve_cooling_off_unannounced(client_id, contact_id, reason, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::ContactChanged)
            .await
    }

    async fn approve_cooling_off_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        reason: &str,
        staff: &StaffView,
    ) -> Result<janus_domain::security::SecurityStatus, AppError> {
        if staff.role != StaffRole::Admin {
            return Err(AppError::Forbidden(
                "Only an admin may let messages go to a new address before the cooling-off period ends.".into(),
            ));
        }
        let reason = audit_reason(reason, "messages may go to the new address now")?;
        let now = self.clock.now();
        let (shown, _) = crate::security::client_contact(self, client_id, contact_id).await?;
        let txn = begin_writing(&self.db).await.or_internal()?;
        // Judged on the row as it stands under the lock (FOR NO KEY UPDATE on PostgreSQL),
        // so a change committed meanwhile is never approved unseen.
        let k = contact::Entity::find_by_id(contact_id)
            .lock(LockType::NoKeyUpdate)
            .one(&txn)
            .await
            .or_internal()?
            .filter(|k| k == &shown)
            .ok_or_else(|| {
                AppError::invalid(
                    "contact",
                    "This contact was just changed; check the details and approve again.",
                )
            })?;
        let Some(wait) =
            destination_changes(&k).cooling_off(self.settings.contacts.cooling_off_hours, now)
        else {
            return Err(AppError::invalid(
                "contact",
                format!("{}'s addresses are not cooling off.", k.name),
            ));
        };
        let mut active: contact::ActiveModel = k.clone().into();
        active.cooling_off_approved_at = Set(Some(now));
        active.cooling_off_approved_by = Set(Some(staff.id));
        active.update(&txn).await.or_internal()?;
        let entry = Entry::new(AuditAction::CoolingOffApproved, AuditOutcome::Success)
            .staff(staff.id)
            .client(client_id)
            .contact(contact_id)
            .detail(format!(
                "{}'s new {} may receive links and codes now: {reason}",
                k.name,
                wait.what()
            ));
        audit::record(&txn, now, entry).await.or_internal()?;
        txn.commit().await.or_internal()?;
        self.security_status(client_id).await
    }
}

/// Writes the change; answers the id of the contact it concerns. New destinations start
/// their cooling-off now.
async fn write_change(
    txn: &DatabaseTransaction,
    client_id: ClientId,
    edit: &ContactEdit,
    row: Option<contact::Model>,
    now: DateTime<Utc>,
) -> Result<ContactId, AppError> {
    let stamp = |new: bool| if new { Some(now) } else { None };
    match (edit, row) {
        (ContactEdit::Add(k), _) => {
            let inserted = contact::ActiveModel {
                client_id: Set(client_id),
                name: Set(k.name.clone()),
                role: Set(k.role),
                email: Set(k.email.clone()),
                mobile_phone: Set(k.mobile_phone.clone()),
                email_changed_at: Set(stamp(edit.new_email())),
                mobile_changed_at: Set(stamp(edit.new_mobile())),
                cooling_off_approved_at: Set(None),
                cooling_off_approved_by: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await
            .or_internal()?;
            Ok(inserted.id)
        }
        (ContactEdit::Edit { after, .. }, Some(row)) => {
            let id = row.id;
            let mut active: contact::ActiveModel = row.into();
            active.name = Set(after.name.clone());
            active.role = Set(after.role);
            active.email = Set(after.email.clone());
            active.mobile_phone = Set(after.mobile_phone.clone());
            if edit.new_email() {
                active.email_changed_at = Set(Some(now));
            }
            if edit.new_mobile() {
                active.mobile_changed_at = Set(Some(now));
            }
            active.update(txn).await.or_internal()?;
            Ok(id)
        }
        (ContactEdit::Remove(_), Some(row)) => {
            let id = row.id;
            row.delete(txn).await.or_internal()?;
            Ok(id)
        }
        _ => Err(internal("a contact edit without its row")),
    }
}
