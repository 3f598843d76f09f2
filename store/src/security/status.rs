//! Everything the Security Verification modal shows about one client, read in one go.
//!
//! The modal's status is read on every check and every change, and during a PIN check
//! while the hash is compared: its ten queries go to the database as one read transaction
//! (`db::read_together`), one call instead of nine on SQLite (docs/PERFORMANCE.md). Parts
//! that depend on another part (the deliveries of the open link, say) find it with a
//! subquery of their own, so every part comes from the same moment (on PostgreSQL after a
//! PIN check's count, each part from the moment it is read).

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::contact::{mask_email, mask_phone};
use janus_domain::dashboard::{PinFacts, PinState};
use janus_domain::ids::{ClientId, ContactId, StaffId};
use janus_domain::messages::Channel;
use janus_domain::security::{CodeView, DeliveryView, LinkView, SecurityStatus};
use sea_orm::sea_query::{Expr, Func, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait, Select, Statement,
};
use std::collections::HashMap;

use super::in_workflow;
use super::verifications::verification_views;
use crate::clients::{contact_views, contacts_of};
use crate::db::read_together;
use crate::entity::{
    brand, client, client_pin, contact, message, pin_link, staff_user, two_step_code, verification,
};
use crate::{OrInternal, Store};

impl Store {
    /// Everything the Security Verification modal shows, from one moment of the database.
    pub async fn security_status(&self, client_id: ClientId) -> Result<SecurityStatus, AppError> {
        let now = self.clock.now();
        let queries = self.status_queries(client_id, now);
        let answers = read_together(&self.db, queries).await.or_internal()?;
        match self.status_from(client_id, answers, now)? {
            Some(status) => Ok(status),
            None => Err(self.pin_not_applicable().await),
        }
    }

    /// The queries of the modal's status, for [`read_together`] or to follow a write in
    /// its transaction; [`Self::status_from`] reads their answers.
    pub(super) fn status_queries(&self, client_id: ClientId, now: DateTime<Utc>) -> Vec<Statement> {
        let max_checks = self.settings.two_step.max_checks as i32;
        let backend = self.db.get_database_backend();
        // Each newest one is found by max() rather than ORDER BY … LIMIT ?: SQLite compiles a
        // statement whose LIMIT is a bound value again every time it runs, and that was a
        // third of the database threads' work during PIN checks (docs/PERFORMANCE.md).
        let link_id = newest(open_links(client_id, now), pin_link::Column::Id);
        // The verifications in force, and the one that lasts longest (the latest of those
        // if several do), which is the last one when none is in force.
        let verifications =
            verification::Entity::find().filter(verification::Column::ClientId.eq(client_id));
        let latest_id = newest(
            verifications.clone().filter(
                verification::Column::Until
                    .in_subquery(newest(verifications.clone(), verification::Column::Until)),
            ),
            verification::Column::Id,
        );
        let shown = verifications.filter(
            Condition::any()
                .add(verification::Column::Until.gt(now))
                .add(verification::Column::Id.in_subquery(latest_id)),
        );
        let code_id = newest(
            two_step_code::Entity::find()
                .filter(two_step_code::Column::ClientId.eq(client_id))
                .filter(two_step_code::Column::UsedAt.is_null())
                .filter(two_step_code::Column::VoidedAt.is_null())
                .filter(two_step_code::Column::ExpiresAt.gt(now))
                .filter(two_step_code::Column::ChecksUsed.lt(max_checks)),
            two_step_code::Column::Id,
        );
        // In the order `Parts::read` takes the answers.
        vec![
            client::Entity::find_by_id(client_id).build(backend),
            brand::Entity::find()
                .filter(
                    brand::Column::Id.in_subquery(
                        client::Entity::find_by_id(client_id)
                            .select_only()
                            .column(client::Column::BrandId)
                            .into_query(),
                    ),
                )
                .build(backend),
            client_pin::Entity::find_by_id(client_id).build(backend),
            contacts_of(client_id).build(backend),
            pin_link::Entity::find()
                .filter(pin_link::Column::Id.in_subquery(link_id.clone()))
                .build(backend),
            deliveries_of(message::Column::PinLinkId, link_id).build(backend),
            shown.clone().build(backend),
            // Only the names: the rest of a staff row (its password hash) stays in the database.
            staff_user::Entity::find()
                .select_only()
                .column(staff_user::Column::Id)
                .column(staff_user::Column::Name)
                .filter(
                    staff_user::Column::Id.in_subquery(
                        shown
                            .select_only()
                            .column(verification::Column::StaffUserId)
                            .into_query(),
                    ),
                )
                .build(backend),
            two_step_code::Entity::find()
                .filter(two_step_code::Column::Id.in_subquery(code_id.clone()))
                .build(backend),
            deliveries_of(message::Column::TwoStepCodeId, code_id).build(backend),
        ]
    }

    /// The modal's status from the answers of [`Self::status_queries`]: `NotFound` for an
    /// unknown client, `None` for one outside the workflow (see
    /// [`Store::pin_not_applicable`]).
    pub(super) fn status_from(
        &self,
        client_id: ClientId,
        answers: Vec<Vec<QueryResult>>,
        now: DateTime<Utc>,
    ) -> Result<Option<SecurityStatus>, AppError> {
        let parts = Parts::read(answers).or_internal()?;
        let Some(pc) = in_workflow(self, client_id, parts.client)? else {
            return Ok(None);
        };
        let pin = parts.pin;
        let contacts = contact_views(
            parts.contacts,
            self.settings.contacts.cooling_off_hours,
            now,
        );
        let contact_name = |id: ContactId| {
            contacts
                .iter()
                .find(|k| k.id == id)
                .map(|k| k.name.clone())
                .unwrap_or_else(|| "a former contact".into())
        };

        let link = match parts.link {
            Some(l) => Some(LinkView {
                purpose: l.purpose,
                contact_id: l.contact_id,
                contact_name: contact_name(l.contact_id),
                sent_at: l.sent_at,
                expires_at: l.expires_at,
                deliveries: delivery_views(parts.link_deliveries)?,
            }),
            None => None,
        };

        let (current, last) =
            verification_views(parts.verifications, &parts.staff_names, &contacts, now);

        let max_checks = self.settings.two_step.max_checks as i32;
        let code = match parts.code {
            Some(c) => Some(CodeView {
                contact_id: c.contact_id,
                contact_name: contact_name(c.contact_id),
                sent_at: c.sent_at,
                expires_at: c.expires_at,
                checks_left: (max_checks - c.checks_used).max(0) as u32,
                deliveries: delivery_views(parts.code_deliveries)?,
            }),
            None => None,
        };

        let facts = PinFacts {
            has_pin: pin.as_ref().is_some_and(|p| p.pin_hash.is_some()),
            reset_started: pin.as_ref().is_some_and(|p| p.reset_started_at.is_some()),
            link_out: link.is_some(),
        };
        let stage = pc.client.stage;
        Ok(Some(SecurityStatus {
            client_id,
            business_name: pc.client.business_name.clone(),
            brand: pc.brand_view(),
            pin_state: PinState::for_client(true, stage, facts),
            pin_set_at: pin
                .as_ref()
                .filter(|p| p.pin_hash.is_some())
                .and_then(|p| p.pin_set_at),
            link,
            current,
            last,
            locked_until: pin
                .as_ref()
                .and_then(|p| p.locked_until)
                .filter(|until| *until > now),
            held_since: pin.as_ref().and_then(|p| p.held_since),
            hold_rule: (
                self.settings.pin.escalate_after_locks,
                self.settings.pin.escalation_window_hours,
            ),
            consecutive_failures: pin
                .as_ref()
                .map_or(0, |p| p.consecutive_failures.max(0) as u32),
            max_failures: self.settings.pin.max_failures,
            code,
            contacts,
        }))
    }
}

/// The answers of the status's queries, each as its rows.
struct Parts {
    client: Option<(client::Model, Option<brand::Model>)>,
    pin: Option<client_pin::Model>,
    contacts: Vec<contact::Model>,
    link: Option<pin_link::Model>,
    link_deliveries: Vec<message::Model>,
    verifications: Vec<verification::Model>,
    staff_names: HashMap<StaffId, String>,
    code: Option<two_step_code::Model>,
    code_deliveries: Vec<message::Model>,
}

impl Parts {
    /// The answers, in the order of [`Store::status_queries`].
    fn read(answers: Vec<Vec<QueryResult>>) -> Result<Self, sea_orm::DbErr> {
        let mut answers = answers.into_iter();
        // A missing answer would shift every later one into the wrong part.
        let mut next = || {
            answers.next().ok_or_else(|| {
                sea_orm::DbErr::Custom("the status got fewer answers than queries".into())
            })
        };
        let client = first::<client::Model>(next()?)?;
        let brand = first::<brand::Model>(next()?)?;
        let parts = Self {
            client: client.map(|c| (c, brand)),
            pin: first(next()?)?,
            contacts: all(next()?)?,
            link: first(next()?)?,
            link_deliveries: all(next()?)?,
            verifications: all(next()?)?,
            staff_names: next()?
                .iter()
                .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "name")?)))
                .collect::<Result<_, sea_orm::DbErr>>()?,
            code: first(next()?)?,
            code_deliveries: all(next()?)?,
        };
        match answers.next() {
            None => Ok(parts),
            Some(_) => Err(sea_orm::DbErr::Custom(
                "the status got more answers than queries".into(),
            )),
        }
    }
}

fn all<M: FromQueryResult>(rows: Vec<QueryResult>) -> Result<Vec<M>, sea_orm::DbErr> {
    rows.iter()
        .map(|row| M::from_query_result(row, ""))
        .collect()
}

fn first<M: FromQueryResult>(rows: Vec<QueryResult>) -> Result<Option<M>, sea_orm::DbErr> {
    rows.first()
        .map(|row| M::from_query_result(row, ""))
        .transpose()
}

/// The largest `column` among the rows `rows` selects, as a subquery (NULL for none).
fn newest<E: EntityTrait>(rows: Select<E>, column: E::Column) -> SelectStatement {
    rows.select_only()
        .expr(Func::max(Expr::col((E::default(), column))))
        .into_query()
}

/// The messages that carry the link or code whose id `carrier` selects (by the message's
/// `carrying` column), email first.
fn deliveries_of(carrying: message::Column, carrier: SelectStatement) -> Select<message::Entity> {
    message::Entity::find()
        .filter(carrying.in_subquery(carrier))
        .order_by_asc(message::Column::Channel)
        .order_by_asc(message::Column::Id)
}

/// The messages of one link or code as the modal's status list shows them.
fn delivery_views(rows: Vec<message::Model>) -> Result<Vec<DeliveryView>, AppError> {
    rows.into_iter()
        .map(|m| {
            let destination = match m.channel {
                Channel::Sms => mask_phone(&m.recipient),
                Channel::Email => mask_email(&m.recipient),
            };
            Ok(DeliveryView {
                channel: m.channel,
                destination,
                status: m.status,
                error: m.last_error,
                attempts: m.attempts.max(0) as u32,
                at: m.sent_at.unwrap_or(m.created_at),
            })
        })
        .collect()
}

/// The client's links that can still be used: not used, not replaced, not expired.
fn open_links(client_id: ClientId, now: DateTime<Utc>) -> Select<pin_link::Entity> {
    pin_link::Entity::find()
        .filter(pin_link::Column::ClientId.eq(client_id))
        .filter(pin_link::Column::UsedAt.is_null())
        .filter(pin_link::Column::CancelledAt.is_null())
        .filter(pin_link::Column::ExpiresAt.gt(now))
}
