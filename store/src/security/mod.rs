//! The security PIN workflow's use cases (DESIGN.md §1–2): setup and reset links, the
//! client's PIN, PIN checks with lockout, 2-step codes, and the one-hour verification that
//! sensitive workflows wait for.
//!
//! Every refusal a person can act on is an [`AppError`] with a specific message; every
//! action and attempt is audited; no secret is stored or logged in clear.

mod codes;
mod links;
mod pin_checks;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::contact::{ContactRole, mask_email, mask_phone};
use janus_domain::dashboard::{EnrollmentStage, PinFacts, PinState};
use janus_domain::security::{
    CodeView, DeliveryStatus, DeliveryView, LinkPurpose, LinkView, SecurityStatus,
    VerificationView, VerifyMethod,
};
use janus_domain::staff::StaffView;
use janus_domain::verification::VerifiedWindow;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};

use crate::entity::{
    brand, client, client_pin, contact, message, pin_link, staff_user, two_step_code, verification,
};
use crate::{OrInternal, Store, internal};

/// A client the PIN workflow applies to, with its brand.
pub(crate) struct PinClient {
    pub client: client::Model,
    pub brand: brand::Model,
}

impl PinClient {
    pub fn brand_view(&self) -> janus_domain::dashboard::BrandView {
        crate::clients::brand_view(&self.brand)
    }
}

/// `NotFound` for an unknown client, `PinNotApplicable` for one outside the workflow.
pub(crate) async fn pin_client(store: &Store, client_id: i32) -> Result<PinClient, AppError> {
    pin_client_in(&store.db, store, client_id).await
}

/// [`pin_client`], read through `db` (a transaction, say).
async fn pin_client_in(
    db: &impl ConnectionTrait,
    store: &Store,
    client_id: i32,
) -> Result<PinClient, AppError> {
    let (c, b) = client::Entity::find_by_id(client_id)
        .find_also_related(brand::Entity)
        .one(db)
        .await
        .or_internal()?
        .ok_or_else(|| AppError::NotFound("Client".into()))?;
    let b = b.ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
    if !store.pin_applies(&b, &c) {
        return Err(AppError::PinNotApplicable);
    }
    Ok(PinClient {
        client: c,
        brand: b,
    })
}

/// The client's PIN row, created on first use so every later change is a plain UPDATE.
pub(crate) async fn pin_row(
    db: &impl ConnectionTrait,
    client_id: i32,
    now: DateTime<Utc>,
) -> Result<client_pin::Model, DbErr> {
    client_pin::Entity::insert(client_pin::ActiveModel {
        client_id: Set(client_id),
        pin_hash: Set(None),
        pin_set_at: Set(None),
        reset_started_at: Set(None),
        consecutive_failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([client_pin::Column::ClientId])
    .exec(db)
    .await?;
    client_pin::Entity::find_by_id(client_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("client_pins row of client {client_id}")))
}

/// A contact of this client, or an input error naming the `contact` field.
pub(crate) async fn client_contact(
    store: &Store,
    client_id: i32,
    contact_id: i32,
) -> Result<(contact::Model, ContactRole), AppError> {
    let k = contact::Entity::find_by_id(contact_id)
        .one(&store.db)
        .await
        .or_internal()?
        .filter(|k| k.client_id == client_id)
        .ok_or_else(|| AppError::invalid("contact", "Choose one of this client's contacts."))?;
    let role = ContactRole::from_code(&k.role)
        .ok_or_else(|| internal(format!("contact {} has unknown role {:?}", k.id, k.role)))?;
    Ok((k, role))
}

/// Refuses a contact whose email address or mobile number no transport would accept,
/// before anything is created or queued.
pub(crate) fn deliverable(k: &contact::Model) -> Result<(), AppError> {
    match janus_domain::contact::address_problem(&k.name, &k.email, k.mobile_phone.as_deref()) {
        Some(why) => Err(AppError::invalid("contact", why)),
        None => Ok(()),
    }
}

/// Records a verification and returns the window it opened.
pub(crate) async fn open_window(
    db: &impl ConnectionTrait,
    store: &Store,
    client_id: i32,
    staff: &StaffView,
    method: VerifyMethod,
    contact_id: Option<i32>,
) -> Result<VerifiedWindow, DbErr> {
    let (window, row) = window_row(store, client_id, staff, method, contact_id);
    row.insert(db).await?;
    Ok(window)
}

/// The window [`open_window`] opens and the row that records it, for a change that sends
/// its statements together (`db::write_atomically`).
pub(crate) fn window_row(
    store: &Store,
    client_id: i32,
    staff: &StaffView,
    method: VerifyMethod,
    contact_id: Option<i32>,
) -> (VerifiedWindow, verification::ActiveModel) {
    let window = VerifiedWindow::starting(store.clock.now(), &store.settings.verification);
    let row = verification::ActiveModel {
        client_id: Set(client_id),
        staff_user_id: Set(staff.id),
        method: Set(method.code().to_owned()),
        contact_id: Set(contact_id),
        verified_at: Set(window.verified_at),
        until: Set(window.until),
        ..Default::default()
    };
    (window, row)
}

/// PIN state and time left verified for a page of clients, read in one statement.
pub(crate) struct PinOverview {
    facts: HashMap<i32, PinFacts>,
    verified_until: HashMap<i32, DateTime<Utc>>,
}

impl PinOverview {
    pub fn facts(&self, client_id: i32) -> PinFacts {
        self.facts.get(&client_id).copied().unwrap_or_default()
    }

    pub fn seconds_left(&self, client_id: i32, now: DateTime<Utc>) -> i64 {
        self.verified_until
            .get(&client_id)
            .map_or(0, |until| (*until - now).num_seconds().max(0))
    }
}

impl Store {
    pub(crate) fn pin_applies(&self, b: &brand::Model, c: &client::Model) -> bool {
        self.settings.brands.is_in_scope(&b.slug)
            && EnrollmentStage::from_code(&c.stage).is_some_and(EnrollmentStage::in_enrollment)
    }

    pub(crate) async fn pin_overview(&self, client_ids: &[i32]) -> Result<PinOverview, AppError> {
        use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
        let now = self.clock.now();
        // One statement for the whole page: its PIN rows, whether an open link is out, and
        // how long each stays verified. A dashboard request waits on every statement's
        // hand-off to the database thread, which cost more than these lookups themselves.
        let pin = |column: client_pin::Column| Expr::col((client_pin::Entity, column));
        let link_out = Query::select()
            .expr(Expr::val(1))
            .from(pin_link::Entity)
            .and_where(
                Expr::col((pin_link::Entity, pin_link::Column::ClientId))
                    .equals((client::Entity, client::Column::Id)),
            )
            .and_where(Expr::col((pin_link::Entity, pin_link::Column::UsedAt)).is_null())
            .and_where(Expr::col((pin_link::Entity, pin_link::Column::CancelledAt)).is_null())
            .and_where(Expr::col((pin_link::Entity, pin_link::Column::ExpiresAt)).gt(now))
            .to_owned();
        let verified_until = Query::select()
            .expr(Func::max(Expr::col((
                verification::Entity,
                verification::Column::Until,
            ))))
            .from(verification::Entity)
            .and_where(
                Expr::col((verification::Entity, verification::Column::ClientId))
                    .equals((client::Entity, client::Column::Id)),
            )
            .and_where(Expr::col((verification::Entity, verification::Column::Until)).gt(now))
            .to_owned();
        let query = Query::select()
            .expr_as(
                Expr::col((client::Entity, client::Column::Id)),
                Alias::new("id"),
            )
            .expr_as(
                pin(client_pin::Column::PinHash).is_not_null(),
                Alias::new("has_pin"),
            )
            .expr_as(
                pin(client_pin::Column::ResetStartedAt).is_not_null(),
                Alias::new("reset_started"),
            )
            .expr_as(Expr::exists(link_out), Alias::new("link_out"))
            .expr_as(
                Expr::SubQuery(None, Box::new(verified_until.into())),
                Alias::new("until"),
            )
            .from(client::Entity)
            .left_join(
                client_pin::Entity,
                pin(client_pin::Column::ClientId).equals((client::Entity, client::Column::Id)),
            )
            .and_where(Expr::col((client::Entity, client::Column::Id)).is_in(client_ids.to_vec()))
            .to_owned();
        let backend = self.db.get_database_backend();
        let mut facts = HashMap::new();
        let mut verified_until = HashMap::new();
        for row in self
            .db
            .query_all_raw(backend.build(&query))
            .await
            .or_internal()?
        {
            let id: i32 = row.try_get("", "id").or_internal()?;
            let has_pin: bool = row.try_get("", "has_pin").or_internal()?;
            let reset_started: bool = row.try_get("", "reset_started").or_internal()?;
            facts.insert(
                id,
                PinFacts {
                    has_pin,
                    reset_pending: !has_pin && reset_started,
                    link_out: row.try_get("", "link_out").or_internal()?,
                },
            );
            if let Some(until) = row
                .try_get::<Option<DateTime<Utc>>>("", "until")
                .or_internal()?
            {
                verified_until.insert(id, until);
            }
        }
        Ok(PinOverview {
            facts,
            verified_until,
        })
    }

    /// Whether the client is verified right now, by the server's clock.
    pub async fn is_verified(&self, client_id: i32) -> Result<bool, AppError> {
        let now = self.clock.now();
        Ok(verification::Entity::find()
            .filter(verification::Column::ClientId.eq(client_id))
            .filter(verification::Column::Until.gt(now))
            .one(&self.db)
            .await
            .or_internal()?
            .is_some())
    }

    /// Everything the Security Verification modal shows.
    pub async fn security_status(&self, client_id: i32) -> Result<SecurityStatus, AppError> {
        // One read transaction: every part of the status comes from the same moment, and
        // the connection is checked out once instead of once per part (sqlx tests each
        // connection it gets back with a round trip to its thread; docs/PERFORMANCE.md).
        let txn = self.db.begin().await.or_internal()?;
        let status = self.security_status_in(&txn, client_id).await?;
        txn.commit().await.or_internal()?;
        Ok(status)
    }

    async fn security_status_in(
        &self,
        db: &impl ConnectionTrait,
        client_id: i32,
    ) -> Result<SecurityStatus, AppError> {
        let pc = pin_client_in(db, self, client_id).await?;
        let now = self.clock.now();
        let pin = client_pin::Entity::find_by_id(client_id)
            .one(db)
            .await
            .or_internal()?;
        let contacts = self.contact_views(db, client_id).await?;
        let contact_name = |id: i32| {
            contacts
                .iter()
                .find(|k| k.id == id)
                .map(|k| k.name.clone())
                .unwrap_or_else(|| "a former contact".into())
        };

        let link = open_links(&[client_id], now)
            .order_by_desc(pin_link::Column::Id)
            .one(db)
            .await
            .or_internal()?;
        let link = match link {
            Some(l) => Some(LinkView {
                purpose: LinkPurpose::from_code(&l.purpose).ok_or_else(|| {
                    internal(format!("pin link {} has purpose {:?}", l.id, l.purpose))
                })?,
                contact_id: l.contact_id,
                contact_name: contact_name(l.contact_id),
                sent_at: l.sent_at,
                expires_at: l.expires_at,
                deliveries: deliveries(db, message::Column::PinLinkId.eq(l.id)).await?,
            }),
            None => None,
        };

        let latest = verification::Entity::find()
            .filter(verification::Column::ClientId.eq(client_id))
            .order_by_desc(verification::Column::Until)
            .order_by_desc(verification::Column::Id)
            .one(db)
            .await
            .or_internal()?;
        let latest = match latest {
            Some(v) => {
                let staff_name = staff_user::Entity::find_by_id(v.staff_user_id)
                    .one(db)
                    .await
                    .or_internal()?
                    .map_or_else(|| "a former staff user".into(), |s| s.name);
                Some(VerificationView {
                    staff_name,
                    method: VerifyMethod::from_code(&v.method).ok_or_else(|| {
                        internal(format!("verification {} has method {:?}", v.id, v.method))
                    })?,
                    at: v.verified_at,
                    until: v.until,
                    seconds_left: (v.until - now).num_seconds().max(0),
                })
            }
            None => None,
        };
        let (current, last) = match latest {
            Some(v) if v.until > now => (Some(v), None),
            other => (None, other),
        };

        let max_checks = self.settings.two_step.max_checks as i32;
        let code = two_step_code::Entity::find()
            .filter(two_step_code::Column::ClientId.eq(client_id))
            .filter(two_step_code::Column::UsedAt.is_null())
            .filter(two_step_code::Column::VoidedAt.is_null())
            .filter(two_step_code::Column::ExpiresAt.gt(now))
            .filter(two_step_code::Column::ChecksUsed.lt(max_checks))
            .order_by_desc(two_step_code::Column::Id)
            .one(db)
            .await
            .or_internal()?;
        let code = match code {
            Some(c) => Some(CodeView {
                contact_id: c.contact_id,
                contact_name: contact_name(c.contact_id),
                sent_at: c.sent_at,
                expires_at: c.expires_at,
                checks_left: (max_checks - c.checks_used).max(0) as u32,
                deliveries: deliveries(db, message::Column::TwoStepCodeId.eq(c.id)).await?,
            }),
            None => None,
        };

        let facts = PinFacts {
            has_pin: pin.as_ref().is_some_and(|p| p.pin_hash.is_some()),
            reset_pending: pin
                .as_ref()
                .is_some_and(|p| p.pin_hash.is_none() && p.reset_started_at.is_some()),
            link_out: link.is_some(),
        };
        let stage = EnrollmentStage::from_code(&pc.client.stage)
            .ok_or_else(|| internal(format!("client {client_id} has an unknown stage")))?;
        Ok(SecurityStatus {
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
            consecutive_failures: pin
                .as_ref()
                .map_or(0, |p| p.consecutive_failures.max(0) as u32),
            max_failures: self.settings.pin.max_failures,
            code,
            contacts,
        })
    }
}

/// The messages that carry one link or code, email first, for the modal's status list.
async fn deliveries(
    db: &impl ConnectionTrait,
    carrying: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<DeliveryView>, AppError> {
    let rows = message::Entity::find()
        .filter(carrying)
        .order_by_asc(message::Column::Channel)
        .order_by_asc(message::Column::Id)
        .all(db)
        .await
        .or_internal()?;
    rows.into_iter()
        .map(|m| {
            let status = DeliveryStatus::from_code(&m.status)
                .ok_or_else(|| internal(format!("message {} has status {:?}", m.id, m.status)))?;
            let (channel, destination) = match m.channel.as_str() {
                "sms" => ("SMS", mask_phone(&m.recipient)),
                _ => ("Email", mask_email(&m.recipient)),
            };
            Ok(DeliveryView {
                channel: channel.into(),
                destination,
                status,
                error: m.last_error,
                attempts: m.attempts.max(0) as u32,
                at: m.sent_at.unwrap_or(m.created_at),
            })
        })
        .collect()
}

/// Links that can still be used: not used, not replaced, not expired.
fn open_links(client_ids: &[i32], now: DateTime<Utc>) -> sea_orm::Select<pin_link::Entity> {
    pin_link::Entity::find()
        .filter(pin_link::Column::ClientId.is_in(client_ids.to_vec()))
        .filter(pin_link::Column::UsedAt.is_null())
        .filter(pin_link::Column::CancelledAt.is_null())
        .filter(pin_link::Column::ExpiresAt.gt(now))
}
