//! 2-step verification codes: 6 digits from a CSPRNG, sent by SMS and email, valid 10
//! minutes, 5 checks each, 5 sends per contact per 10 minutes, a new code voiding the old,
//! stored only as a peppered argon2id hash (Twilio Verify defaults; docs/SECURITY.md).

use janus_domain::ids::{ClientId, ContactId};
use janus_domain::live::ClientChange;
use janus_domain::messages::{Blanks, Template};
use janus_domain::security::{
    CheckResult, CodeCheckOutcome, SecurityStatus, SendLimit, VerifyMethod, check_typed_digits,
    code_expires_at,
};
use janus_domain::staff::StaffView;
use janus_domain::{AppError, Secret};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::pin_locks::lift_pin_lock;
use super::send_limits::SendsOf;
use super::{SendTo, client_contact, deliverable, pin_client, window_row};
use crate::audit::{self, Entry};
use crate::db::begin_writing;
use crate::entity::{contact, two_step_code};
use crate::mailbox::{self, Carries, Recipient};
use crate::{OrInternal, Store};
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::messages::MessageKind;

fn new_code() -> Secret {
    // rand's thread generator is a CSPRNG seeded from the operating system.
    Secret::new(format!("{:06}", rand::rng().random_range(0..1_000_000u32)))
}

impl Store {
    pub async fn send_code(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        let result = self
            .send_code_unannounced(client_id, contact_id, staff)
            .await;
        self.announced(client_id, result, |_| ClientChange::CodeSent)
            .await
    }

    async fn send_code_unannounced(
        &self,
        client_id: ClientId,
        contact_id: ContactId,
        staff: &StaffView,
    ) -> Result<SecurityStatus, AppError> {
        let pc = pin_client(self, client_id).await?;
        let (k, _) = client_contact(self, client_id, contact_id).await?;
        deliverable(&k)?;
        self.past_cooling_off(&k, SendTo::Code, staff).await?;
        let rules = &self.settings.two_step;
        let now = self.clock.now();
        let sends = SendsOf {
            limit: SendLimit::codes(rules),
            client_id,
            contact_id,
        };
        self.precheck_send(sends, staff).await?;

        let code = new_code();
        let brand = pc.brand_view();
        let blanks = Blanks::new(&brand, &pc.client.business_name, &k.name)
            .with_code(code.expose(), rules.valid_minutes);
        let email = self
            .templates
            .email(Template::CodeEmail, &blanks)
            .or_internal()?;
        let sms = self
            .templates
            .sms(Template::CodeSms, &blanks)
            .or_internal()?;
        let code_hash = self.hasher.hash(code).await?;

        let code_expiry = code_expires_at(now, rules);
        let txn = begin_writing(&self.db).await.or_internal()?;
        if let Err(refusal) = self.check_send_in(&txn, sends).await? {
            txn.rollback().await.or_internal()?;
            return Err(self.refuse_send(sends, staff, refusal).await);
        }
        let txn = self.still_as_read(txn, &k, SendTo::Code, staff).await?;
        two_step_code::Entity::update_many()
            .col_expr(two_step_code::Column::VoidedAt, Expr::value(now))
            .filter(two_step_code::Column::ClientId.eq(client_id))
            .filter(two_step_code::Column::UsedAt.is_null())
            .filter(two_step_code::Column::VoidedAt.is_null())
            .exec(&txn)
            .await
            .or_internal()?;
        let code_row = two_step_code::ActiveModel {
            client_id: Set(client_id),
            contact_id: Set(contact_id),
            staff_user_id: Set(staff.id),
            code_hash: Set(code_hash),
            sent_at: Set(now),
            expires_at: Set(code_expiry),
            checks_used: Set(0),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .or_internal()?;
        let to = |address| Recipient {
            client_id: Some(client_id),
            contact_id: Some(contact_id),
            address,
            carries: Carries::Code(code_row.id),
            deliver_by: Some(code_expiry),
        };
        mailbox::queue_email(
            &txn,
            &self.sealer,
            now,
            MessageKind::TwoStepCode,
            to(&k.email),
            email,
        )
        .await
        .or_internal()?;
        let channels = match &k.mobile_phone {
            Some(mobile) => {
                mailbox::queue_sms(
                    &txn,
                    &self.sealer,
                    now,
                    MessageKind::TwoStepCode,
                    to(mobile),
                    sms,
                )
                .await
                .or_internal()?;
                "SMS and email"
            }
            None => "email (no mobile number)",
        };
        audit::record(
            &txn,
            now,
            Entry::new(AuditAction::CodeSent, AuditOutcome::Success)
                .staff(staff.id)
                .client(client_id)
                .contact(contact_id)
                .detail(format!("2-step code sent to {} by {channels}", k.name)),
        )
        .await
        .or_internal()?;
        txn.commit().await.or_internal()?;
        self.security_status(client_id).await
    }

    pub async fn verify_code(
        &self,
        client_id: ClientId,
        code: Secret,
        staff: &StaffView,
    ) -> Result<CheckResult<CodeCheckOutcome>, AppError> {
        let result = self.verify_code_unannounced(client_id, code, staff).await;
        self.announced(client_id, result, |r| match r.outcome {
            CodeCheckOutcome::Verified => ClientChange::VerificationStarted,
            CodeCheckOutcome::Mismatch { .. } => ClientChange::CheckFailed,
        })
        .await
    }

    async fn verify_code_unannounced(
        &self,
        client_id: ClientId,
        code: Secret,
        staff: &StaffView,
    ) -> Result<CheckResult<CodeCheckOutcome>, AppError> {
        check_typed_digits("code", code.expose())?;
        pin_client(self, client_id).await?;
        let now = self.clock.now();
        let max = self.settings.two_step.max_checks as i32;
        let latest = two_step_code::Entity::find()
            .filter(two_step_code::Column::ClientId.eq(client_id))
            .filter(two_step_code::Column::VoidedAt.is_null())
            .filter(two_step_code::Column::UsedAt.is_null())
            .order_by_desc(two_step_code::Column::Id)
            .one(&self.db)
            .await
            .or_internal()?;
        let refuse = |error: AppError, detail: &'static str| async move {
            audit::record(
                &self.db,
                now,
                Entry::new(AuditAction::CodeCheck, AuditOutcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .detail(detail),
            )
            .await
            .or_internal()?;
            Err(error)
        };
        let Some(sent) = latest else {
            return refuse(
                AppError::invalid(
                    "code",
                    "No 2-step code is waiting for this client. Send one first.",
                ),
                "refused: no code waiting",
            )
            .await;
        };
        if sent.expires_at <= now {
            return refuse(
                AppError::invalid(
                    "code",
                    format!(
                        "That code expired at {}. Send a new one.",
                        sent.expires_at.format("%H:%M UTC")
                    ),
                ),
                "refused: code expired",
            )
            .await;
        }
        let reserved = two_step_code::Entity::update_many()
            .col_expr(
                two_step_code::Column::ChecksUsed,
                Expr::col(two_step_code::Column::ChecksUsed).add(1),
            )
            .filter(two_step_code::Column::Id.eq(sent.id))
            .filter(two_step_code::Column::ChecksUsed.lt(max))
            .filter(two_step_code::Column::UsedAt.is_null())
            .filter(two_step_code::Column::VoidedAt.is_null())
            .exec(&self.db)
            .await
            .or_internal()?;
        if reserved.rows_affected != 1 {
            return refuse(
                AppError::TooManyAttempts(format!(
                    "This code was checked {max} times and can no longer be used. Send a new one."
                )),
                "refused: code has no checks left",
            )
            .await;
        }

        let matches = self.hasher.verify(code, sent.code_hash.clone()).await?;
        let txn = begin_writing(&self.db).await.or_internal()?;
        let outcome = if matches {
            let used = two_step_code::Entity::update_many()
                .col_expr(two_step_code::Column::UsedAt, Expr::value(now))
                .filter(two_step_code::Column::Id.eq(sent.id))
                .filter(two_step_code::Column::UsedAt.is_null())
                .exec(&txn)
                .await
                .or_internal()?;
            if used.rows_affected != 1 {
                txn.rollback().await.or_internal()?;
                return refuse(
                    AppError::invalid("code", "That code was just used. Send a new one."),
                    "refused: code already used",
                )
                .await;
            }
            // The code verifies the person it was sent to, in the role they hold now.
            let caller = contact::Entity::find_by_id(sent.contact_id)
                .one(&txn)
                .await
                .or_internal()?
                .ok_or_else(|| {
                    AppError::invalid("code", "That code's contact was removed. Send a new code.")
                })?;
            let (window, row) = window_row(
                self,
                client_id,
                staff,
                VerifyMethod::TwoStepCode,
                (caller.id, &caller.name, caller.role),
            );
            row.insert(&txn).await.or_internal()?;
            // A proven caller ends any lock on PIN checks, including a hold after repeated
            // lockouts, which nothing else but an admin lifts.
            if lift_pin_lock(&txn, client_id, now).await.or_internal()? {
                audit::record(
                    &txn,
                    now,
                    Entry::new(AuditAction::PinUnlocked, AuditOutcome::Success)
                        .staff(staff.id)
                        .client(client_id)
                        .contact(sent.contact_id)
                        .detail("PIN checks unlocked by a verified 2-step code"),
                )
                .await
                .or_internal()?;
            }
            audit::record(
                &txn,
                now,
                Entry::new(AuditAction::CodeCheck, AuditOutcome::Success)
                    .staff(staff.id)
                    .client(client_id)
                    .contact(sent.contact_id)
                    .detail(format!(
                        "2-step code verified: {} ({}) verified until {}",
                        caller.name,
                        caller.role.label(),
                        window.until.format("%H:%M UTC")
                    )),
            )
            .await
            .or_internal()?;
            CodeCheckOutcome::Verified
        } else {
            let checks_left = Ord::max(max - sent.checks_used - 1, 0) as u32;
            audit::record(
                &txn,
                now,
                Entry::new(AuditAction::CodeCheck, AuditOutcome::Failure)
                    .staff(staff.id)
                    .client(client_id)
                    .contact(sent.contact_id)
                    .detail(format!("2-step code mismatch ({checks_left} checks left)")),
            )
            .await
            .or_internal()?;
            CodeCheckOutcome::Mismatch { checks_left }
        };
        txn.commit().await.or_internal()?;
        Ok(CheckResult {
            outcome,
            status: self.security_status(client_id).await?,
        })
    }
}
