//! The security PIN workflow's use cases (docs/SECURITY.md): setup and reset links, the
//! client's PIN, PIN checks with lockout, 2-step codes, and the one-hour verification that
//! sensitive workflows wait for.
//!
//! Every refusal a person can act on is an [`AppError`] with a specific message; every
//! action and attempt is audited; no secret is stored or logged in clear.

mod codes;
mod links;
mod pin_checks;
mod pin_locks;
mod proofs;
mod send_limits;
mod status;
mod verifications;

pub use pin_checks::CHECK_LEASE_SECONDS;
pub(crate) use verifications::{end_verifications, ended_detail, window_row};

use janus_domain::ids::{ClientId, ContactId};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use janus_domain::AppError;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::contact::ContactRole;
use janus_domain::cooling_off::DestinationChanges;
use janus_domain::dashboard::PinFacts;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::entity::{brand, client, client_pin, contact, pin_link, verification};
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
pub(crate) async fn pin_client(store: &Store, client_id: ClientId) -> Result<PinClient, AppError> {
    let found = client::Entity::find_by_id(client_id)
        .find_also_related(brand::Entity)
        .one(&store.db)
        .await
        .or_internal()?;
    match in_workflow(store, client_id, found)? {
        Some(pc) => Ok(pc),
        None => Err(store.pin_not_applicable().await),
    }
}

/// The client `found` (with its brand) if the PIN workflow applies to it, `None` for one
/// outside the workflow (see [`Store::pin_not_applicable`]); `NotFound` for none.
fn in_workflow(
    store: &Store,
    client_id: ClientId,
    found: Option<(client::Model, Option<brand::Model>)>,
) -> Result<Option<PinClient>, AppError> {
    let (c, b) = found.ok_or_else(|| AppError::NotFound("Client".into()))?;
    let b = b.ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
    Ok(store.pin_applies(&b, &c).then_some(PinClient {
        client: c,
        brand: b,
    }))
}

/// The client's PIN row, created on first use so every later change is a plain UPDATE.
pub(crate) async fn pin_row(
    db: &impl ConnectionTrait,
    client_id: ClientId,
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
        checks_in_flight: Set(0),
        checks_reserved_until: Set(None),
        held_since: Set(None),
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
    client_id: ClientId,
    contact_id: ContactId,
) -> Result<(contact::Model, ContactRole), AppError> {
    let k = contact::Entity::find_by_id(contact_id)
        .one(&store.db)
        .await
        .or_internal()?
        .filter(|k| k.client_id == client_id)
        .ok_or_else(|| AppError::invalid("contact", "Choose one of this client's contacts."))?;
    let role = k.role;
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

/// What a refused send was, for its audit entry.
#[derive(Clone, Copy)]
pub(crate) enum SendTo {
    Link,
    Code,
    Proof,
}

impl Store {
    /// Refuses a send to a contact whose new email or mobile still cools off
    /// (`janus_domain::cooling_off`), and audits the refusal: an attempt to reach a new
    /// destination at once is what a takeover looks like. Called before the send's
    /// transaction; [`Self::still_as_read`] catches a change committed after that.
    pub(crate) async fn past_cooling_off(
        &self,
        k: &contact::Model,
        what: SendTo,
        staff: &janus_domain::staff::StaffView,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let hours = self.settings.contacts.cooling_off_hours;
        let Some(wait) = destination_changes(k).cooling_off(hours, now) else {
            return Ok(());
        };
        let why = wait.explain(&k.name, now);
        let action = match what {
            SendTo::Link => AuditAction::PinLinkSent,
            SendTo::Code => AuditAction::CodeSent,
            SendTo::Proof => AuditAction::ProveItsUs,
        };
        let entry = crate::audit::Entry::new(action, AuditOutcome::Failure)
            .staff(staff.id)
            .client(k.client_id)
            .contact(k.id)
            .detail(format!(
                "refused: {}'s new {} is cooling off until {}",
                k.name,
                wait.what(),
                wait.until.format("%b %-d, %H:%M UTC")
            ));
        crate::audit::record(&self.db, now, entry)
            .await
            .or_internal()?;
        Err(AppError::invalid("contact", why))
    }
}

/// What the cooling-off rule reads of a contact.
pub(crate) fn destination_changes(k: &contact::Model) -> DestinationChanges {
    DestinationChanges {
        email_changed_at: k.email_changed_at,
        mobile_changed_at: k.mobile_changed_at,
        approved_at: k.cooling_off_approved_at,
    }
}

impl Store {
    /// Inside a send's transaction, after its lock: whether the contact is still the one
    /// the send was prepared for (`k`, read before). A change committed in between (a new
    /// address, a new role, a removal) rolls the send back, and the refusal says why: the
    /// cooling-off the change started, audited, or that the contact just changed.
    pub(crate) async fn still_as_read(
        &self,
        txn: sea_orm::DatabaseTransaction,
        k: &contact::Model,
        what: SendTo,
        staff: &janus_domain::staff::StaffView,
    ) -> Result<sea_orm::DatabaseTransaction, AppError> {
        let fresh = contact::Entity::find_by_id(k.id)
            .one(&txn)
            .await
            .or_internal()?;
        if fresh.as_ref() == Some(k) {
            return Ok(txn);
        }
        // Judged again outside the transaction, which is dropped first: on SQLite the
        // refusal's audit entry would wait for the lock it holds.
        txn.rollback().await.or_internal()?;
        if let Some(fresh) = &fresh {
            self.past_cooling_off(fresh, what, staff).await?;
        }
        Err(AppError::invalid(
            "contact",
            "This contact was just changed; check the details and send again.",
        ))
    }
}

/// PIN state and time left verified for a page of clients, read in one statement.
pub(crate) struct PinOverview {
    facts: HashMap<ClientId, PinFacts>,
    verified_until: HashMap<ClientId, DateTime<Utc>>,
}

impl PinOverview {
    pub fn facts(&self, client_id: ClientId) -> PinFacts {
        self.facts.get(&client_id).copied().unwrap_or_default()
    }

    pub fn seconds_left(&self, client_id: ClientId, now: DateTime<Utc>) -> i64 {
        self.verified_until
            .get(&client_id)
            .map_or(0, |until| (*until - now).num_seconds().max(0))
    }
}

impl Store {
    /// The refusal for a client outside the workflow. It names the brands the workflow
    /// covers, in the settings' order, by the names their rows carry now (a slug with no
    /// row is named by its slug). Read only when refusing, which staff rarely meet.
    pub(crate) async fn pin_not_applicable(&self) -> AppError {
        let in_scope = &self.settings.brands.in_scope;
        let rows = match brand::Entity::find()
            .filter(brand::Column::Slug.is_in(in_scope.iter().cloned()))
            .all(&self.db)
            .await
        {
            Ok(rows) => rows,
            Err(e) => return internal(e),
        };
        let names: Vec<&str> = in_scope
            .iter()
            .map(|slug| {
                rows.iter()
                    .find(|b| &b.slug == slug)
                    .map_or(slug.as_str(), |b| b.name.as_str())
            })
            .collect();
        AppError::PinNotApplicable {
            brands: janus_domain::words::and_list(&names),
        }
    }

    pub(crate) fn pin_applies(&self, b: &brand::Model, c: &client::Model) -> bool {
        janus_domain::dashboard::in_pin_workflow(self.settings.brands.is_in_scope(&b.slug), c.stage)
    }

    pub(crate) async fn pin_overview(
        &self,
        client_ids: &[ClientId],
    ) -> Result<PinOverview, AppError> {
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
            let id: ClientId = row.try_get("", "id").or_internal()?;
            let has_pin: bool = row.try_get("", "has_pin").or_internal()?;
            let reset_started: bool = row.try_get("", "reset_started").or_internal()?;
            facts.insert(
                id,
                PinFacts {
                    has_pin,
                    reset_started,
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
    pub async fn is_verified(&self, client_id: ClientId) -> Result<bool, AppError> {
        let now = self.clock.now();
        Ok(verification::Entity::find()
            .filter(verification::Column::ClientId.eq(client_id))
            .filter(verification::Column::Until.gt(now))
            .one(&self.db)
            .await
            .or_internal()?
            .is_some())
    }
}
