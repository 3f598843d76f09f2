//! Setup and reset links: sending one, showing the client page, and setting the PIN.
//! A link is a ≥128-bit random token stored only as its SHA-256, valid 24 h, used at most
//! once (consumed by one conditional UPDATE), and a newer link cancels older ones.

use janus_domain::contact::ContactRole;
use janus_domain::ids::{ClientId, ContactId};
use janus_domain::live::ClientChange;
use janus_domain::messages::{Blanks, Template};
use janus_domain::security::{
    LinkPurpose, SecurityStatus, SendLimit, SetupPage, VerificationEnd, check_new_pin_pair,
    link_expires_at,
};
use janus_domain::staff::StaffView;
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use strum::IntoEnumIterator;

use super::send_limits::SendsOf;
use super::{
    SendTo, client_contact, deliverable, end_verifications, ended_detail, pin_client, pin_row,
};
use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{client_pin, contact, pin_link};
use crate::mailbox::{self, Carries, Recipient};
use crate::tokens::{random_token, token_digest};
use crate::{OrInternal, Store, internal};
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::messages::MessageKind;

impl Store {
    /// *Create PIN* or *Reset PIN*: sends a link to an owner or authorized representative
    /// by email and, when they have a mobile number, by SMS. A reset voids the PIN at once.
    pub async fn send_pin_link(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        purpose: LinkPurpose,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        let result = self
            .send_pin_link_unannounced(client_id, contact_id, purpose, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::LinkSent)
            .await
    }

    async fn send_pin_link_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        purpose: LinkPurpose,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        let pc = pin_client(self, client_id).await?;
        let (k, role) = client_contact(self, client_id, contact_id).await?;
        if !role.may_manage_pin() {
            return Err(AppError::invalid(
                "contact",
                format!(
                    "{} is {}; only the Owner or an Authorized Representative may set the PIN.",
                    k.name,
                    role.with_article()
                ),
            ));
        }
        deliverable(&k)?;
        self.past_cooling_off(&k, SendTo::Link, staff).await?;
        let state = self.security_status(client_id).await?.pin_state;
        match purpose {
            LinkPurpose::Setup if state.offers_reset() => {
                return Err(AppError::invalid(
                    "purpose",
                    "This client already has a PIN; use Reset PIN to replace it.",
                ));
            }
            LinkPurpose::Reset if !state.offers_reset() => {
                return Err(AppError::invalid(
                    "purpose",
                    "This client has no PIN to reset yet; use Create PIN.",
                ));
            }
            _ => {}
        }

        let sends = SendsOf {
            limit: SendLimit::links(&self.settings.setup_link),
            client_id,
            contact_id,
        };
        self.precheck_send(sends, staff).await?;
        let now = self.clock.now();
        let token = random_token(self.settings.setup_link.token_bytes as usize);
        let link = format!(
            "{}/pin/{}",
            self.settings.site.public_url.trim_end_matches('/'),
            token.expose()
        );
        let valid_hours = self.settings.setup_link.valid_hours;
        let brand = pc.brand_view();

        let link_expiry = link_expires_at(now, &self.settings.setup_link);
        let txn = begin_writing(&self.db).await.or_internal()?;
        if let Err(refusal) = self.check_send_in(&txn, sends).await? {
            txn.rollback().await.or_internal()?;
            return Err(self.refuse_send(sends, staff, refusal).await);
        }
        let txn = self.still_as_read(txn, &k, SendTo::Link, staff).await?;
        pin_link::Entity::update_many()
            .col_expr(pin_link::Column::CancelledAt, Expr::value(now))
            .filter(pin_link::Column::ClientId.eq(client_id))
            .filter(pin_link::Column::UsedAt.is_null())
            .filter(pin_link::Column::CancelledAt.is_null())
            .exec(&txn)
            .await
            .or_internal()?;
        let link_row = pin_link::ActiveModel {
            client_id: Set(client_id),
            contact_id: Set(contact_id),
            staff_user_id: Set(staff.id),
            purpose: Set(purpose),
            token_hash: Set(token_digest(&token)),
            sent_at: Set(now),
            expires_at: Set(link_expiry),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .or_internal()?;
        if purpose == LinkPurpose::Reset {
            // The old PIN stops working now, not when the client picks a new one.
            let row = pin_row(&txn, client_id, now).await.or_internal()?;
            let mut row: client_pin::ActiveModel = row.into();
            row.pin_hash = Set(None);
            row.reset_started_at = Set(Some(now));
            row.consecutive_failures = Set(0);
            row.locked_until = Set(None);
            row.updated_at = Set(now);
            row.update(&txn).await.or_internal()?;
            // Whoever that PIN verified is no longer proven by it.
            let reason = VerificationEnd::PinReset;
            let ended = end_verifications(&txn, client_id, None, reason, Some(staff.id), now)
                .await
                .or_internal()?;
            if ended > 0 {
                audit::record(
                    &txn,
                    now,
                    Entry::new(AuditAction::VerificationEnded, AuditOutcome::Success)
                        .staff(staff.id)
                        .client(client_id)
                        .detail(ended_detail(ended, reason)),
                )
                .await
                .or_internal()?;
            }
        }
        let kind = match purpose {
            LinkPurpose::Setup => MessageKind::SetupLink,
            LinkPurpose::Reset => MessageKind::ResetLink,
        };
        let blanks = Blanks::new(&brand, &pc.client.business_name, &k.name).with_link(
            purpose,
            &link,
            valid_hours,
        );
        let email = self
            .templates
            .email(Template::link_email(purpose), &blanks)
            .or_internal()?;
        let to = |address| Recipient {
            client_id: Some(client_id),
            contact_id: Some(contact_id),
            address,
            carries: Carries::Link(link_row.id),
            deliver_by: Some(link_expiry),
        };
        mailbox::queue_email(&txn, &self.sealer, now, kind, to(&k.email), email)
            .await
            .or_internal()?;
        let channels = if let Some(mobile) = &k.mobile_phone {
            mailbox::queue_sms(
                &txn,
                &self.sealer,
                now,
                kind,
                to(mobile),
                self.templates
                    .sms(Template::PinLinkSms, &blanks)
                    .or_internal()?,
            )
            .await
            .or_internal()?;
            "email and SMS"
        } else {
            "email (no mobile number)"
        };
        let what = match purpose {
            LinkPurpose::Setup => "Setup link",
            LinkPurpose::Reset => "Reset link (old PIN voided)",
        };
        audit::record(
            &txn,
            now,
            Entry::new(AuditAction::PinLinkSent, AuditOutcome::Success)
                .staff(staff.id)
                .client(client_id)
                .contact(contact_id)
                .detail(format!("{what} sent to {} by {channels}", k.name)),
        )
        .await
        .or_internal()?;
        txn.commit().await.or_internal()?;
        self.security_status(client_id).await
    }

    /// What the client PIN page shows for a link, or one generic refusal.
    pub async fn setup_page(&self, token: &Secret) -> Result<SetupPage, AppError> {
        let link = self.usable_link(token).await?;
        let pc = pin_client(self, link.client_id)
            .await
            .map_err(|_| AppError::LinkUnusable)?;
        let k = contact::Entity::find_by_id(link.contact_id)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or(AppError::LinkUnusable)?;
        Ok(SetupPage {
            business_name: pc.client.business_name.clone(),
            contact_name: k.name,
            brand: pc.brand_view(),
            purpose: link.purpose,
        })
    }

    /// The client sets their PIN through the link. The PIN is checked (format, weak-PIN
    /// rules, confirmation) before any hashing, and the link is consumed by one conditional
    /// UPDATE, so of any number of simultaneous submissions exactly one succeeds.
    pub async fn complete_setup(
        &self,
        token: &Secret,
        pin: Secret,
        confirm: Secret,
    ) -> Result<SetupPage, AppError> {
        check_new_pin_pair(pin.expose(), confirm.expose())
            .map_err(|p| AppError::invalid(p.field(), p.message()))?;
        drop(confirm);
        let page = self.setup_page(token).await?;
        let link = self.usable_link(token).await?;
        let pin_hash = self.hasher.hash(pin).await?;
        let now = self.clock.now();

        let txn = begin_writing(&self.db).await.or_internal()?;
        let consumed = pin_link::Entity::update_many()
            .col_expr(pin_link::Column::UsedAt, Expr::value(now))
            .filter(pin_link::Column::Id.eq(link.id))
            .filter(pin_link::Column::UsedAt.is_null())
            .filter(pin_link::Column::CancelledAt.is_null())
            .filter(pin_link::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await
            .or_internal()?;
        if consumed.rows_affected != 1 {
            txn.rollback().await.or_internal()?;
            self.audit_dead_link(Some(link.client_id), "already used or replaced")
                .await;
            return Err(AppError::LinkUnusable);
        }
        let row = pin_row(&txn, link.client_id, now).await.or_internal()?;
        let mut row: client_pin::ActiveModel = row.into();
        row.pin_hash = Set(Some(pin_hash));
        row.pin_set_at = Set(Some(now));
        row.reset_started_at = Set(None);
        row.consecutive_failures = Set(0);
        row.locked_until = Set(None);
        row.updated_at = Set(now);
        row.update(&txn).await.or_internal()?;

        // ASVS 6.3.7: everyone who may manage the PIN hears that it changed.
        let managers = contact::Entity::find()
            .filter(contact::Column::ClientId.eq(link.client_id))
            .filter(contact::Column::Role.is_in(ContactRole::iter().filter(|r| r.may_manage_pin())))
            .all(&txn)
            .await
            .or_internal()?;
        for m in &managers {
            let blanks =
                Blanks::new(&page.brand, &page.business_name, &m.name).with_purpose(page.purpose);
            let notice = self
                .templates
                .email(Template::PinChangedEmail, &blanks)
                .or_internal()?;
            let to = Recipient {
                client_id: Some(link.client_id),
                contact_id: Some(m.id),
                address: &m.email,
                carries: Carries::Nothing,
                deliver_by: None,
            };
            mailbox::queue_email(&txn, &self.sealer, now, MessageKind::PinChanged, to, notice)
                .await
                .or_internal()?;
        }
        audit::record(
            &txn,
            now,
            Entry::new(AuditAction::PinSet, AuditOutcome::Success)
                .client(link.client_id)
                .contact(link.contact_id)
                .detail(format!(
                    "{} set a new PIN through the {} link; {} notified",
                    page.contact_name,
                    <&str>::from(page.purpose),
                    managers.len()
                )),
        )
        .await
        .or_internal()?;
        txn.commit().await.or_internal()?;
        self.announce(link.client_id, ClientChange::PinSet).await;
        Ok(page)
    }

    async fn usable_link(&self, token: &Secret) -> Result<pin_link::Model, AppError> {
        let now = self.clock.now();
        let found = pin_link::Entity::find()
            .filter(pin_link::Column::TokenHash.eq(token_digest(token)))
            .one(&self.db)
            .await
            .or_internal()?;
        match found {
            Some(l) if l.used_at.is_none() && l.cancelled_at.is_none() && l.expires_at > now => {
                Ok(l)
            }
            Some(l) => {
                let why = if l.used_at.is_some() {
                    "already used"
                } else if l.cancelled_at.is_some() {
                    "replaced by a newer link"
                } else {
                    "expired"
                };
                self.audit_dead_link(Some(l.client_id), why).await;
                Err(AppError::LinkUnusable)
            }
            None => Err(AppError::LinkUnusable),
        }
    }

    /// A dead link opened or submitted; audited, but a failure to audit must not turn a
    /// refusal into a server error.
    async fn audit_dead_link(&self, client_id: Option<ClientId>, why: &str) {
        let mut entry = Entry::new(AuditAction::PinSet, AuditOutcome::Failure)
            .detail(format!("PIN link refused: {why}"));
        entry.client_id = client_id;
        if let Err(e) = audit::record(&self.db, self.clock.now(), entry).await {
            internal(e);
        } else if let Some(client) = client_id {
            // The refusal is on the client's activity list.
            self.announce(client, ClientChange::LinkRefused).await;
        }
    }
}
