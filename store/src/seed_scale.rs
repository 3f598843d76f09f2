//! A large generated dataset for load tests and benchmarks: `server seed-scale --clients N`
//! adds N clients to the demo data (each with three contacts), PIN states for the clients
//! in the PIN workflow, and audit rows, so queries meet the sizes a real CRM reaches.
//!
//! Rows go in with multi-row INSERTs, a batch per transaction, so 100,000 clients take
//! seconds rather than the hours one INSERT per row would.

use chrono::Duration;
use janus_domain::audit::{AuditAction, AuditOutcome};
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::EnrollmentStage;
use janus_domain::ids::ClientId;
use janus_domain::{AppError, Secret};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use crate::entity::{audit_event, brand, client, client_pin, contact, staff_user};
use crate::seed::{FIRST, LAST, PLACES, SeedOutcome, TRADES};
use crate::{OrInternal, Store, internal};
use strum::IntoEnumIterator;

/// Clients written per transaction. Each client row binds 9 values, so a batch stays far
/// under SQLite's 32,766 bound variables per statement.
const BATCH: usize = 1000;

/// The PIN every generated client with a PIN has; benchmarks verify with it.
pub const SCALE_PIN: &str = "246813";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleOutcome {
    pub clients: u64,
    pub contacts: u64,
    pub pins: u64,
    pub audit_events: u64,
}

impl Store {
    /// Adds `count` generated clients to the database (seeding the demo data first when
    /// it is empty). Of the clients in the PIN workflow (brands in scope, currently
    /// enrolling), two in three get a PIN ([`SCALE_PIN`]).
    pub async fn seed_scale(&self, count: u64) -> Result<ScaleOutcome, AppError> {
        self.refuse_demo_data_in_production().await?;
        if let SeedOutcome::Seeded { .. } = self.seed_demo().await? {
            tracing::info!("demo data seeded first");
        }
        let brands = brand::Entity::find()
            .order_by_asc(brand::Column::Id)
            .all(&self.db)
            .await
            .or_internal()?;
        let staff_id = staff_user::Entity::find()
            .order_by_asc(staff_user::Column::Id)
            .one(&self.db)
            .await
            .or_internal()?
            .map(|s| s.id);
        // Every generated PIN is the same, so one (costly) hash serves them all.
        let pin_hash = self.hasher.hash(Secret::new(SCALE_PIN)).await?;
        let first_id = client::Entity::find()
            .select_only()
            .column_as(Expr::col(client::Column::Id).max(), "max")
            .into_tuple::<Option<i32>>()
            .one(&self.db)
            .await
            .or_internal()?
            .flatten()
            .unwrap_or(0)
            + 1;
        let first_number = client::Entity::find().count(&self.db).await.or_internal()?;
        let now = self.clock.now();
        let mut outcome = ScaleOutcome {
            clients: 0,
            contacts: 0,
            pins: 0,
            audit_events: 0,
        };
        let count = i32::try_from(count).map_err(|_| internal("too many clients"))?;
        let stages: Vec<EnrollmentStage> = EnrollmentStage::iter().collect();
        let mut start = 0;
        while start < count {
            let end = Ord::min(start + BATCH as i32, count);
            let mut clients = Vec::with_capacity(BATCH);
            let mut contacts = Vec::with_capacity(3 * BATCH);
            let mut pins = Vec::new();
            let mut audit = Vec::with_capacity(2 * BATCH);
            for n in start..end {
                let id = ClientId(first_id + n);
                let number = first_number as i32 + n;
                let b = &brands[n as usize % brands.len()];
                let stage = stages[(n as usize / brands.len()) % stages.len()];
                let place = PLACES[n as usize % PLACES.len()];
                let (trade, suffix) = TRADES[(n as usize / PLACES.len()) % TRADES.len()];
                let business = format!("{place} {trade} {number}");
                let created = now - Duration::minutes(i64::from(n));
                clients.push(client::ActiveModel {
                    id: Set(id),
                    brand_id: Set(b.id),
                    business_name: Set(business.clone()),
                    legal_name: Set(format!("{business} {suffix}")),
                    stage: Set(stage),
                    address: Set(format!(
                        "{} Main Street, Springfield, IL 62701",
                        10 + n % 9000
                    )),
                    employee_count: Set(3 + n % 180),
                    last_synced_at: Set(None),
                    beia_sent_at: Set(None),
                    created_at: Set(created),
                });
                for (k, role) in [
                    ContactRole::Owner,
                    ContactRole::AuthorizedRepresentative,
                    ContactRole::HrContact,
                ]
                .into_iter()
                .enumerate()
                {
                    let first = FIRST[(n as usize * 3 + k) % FIRST.len()];
                    let last = LAST[(n as usize * 7 + k) % LAST.len()];
                    contacts.push(contact::ActiveModel {
                        client_id: Set(id),
                        name: Set(format!("{first} {last}")),
                        role: Set(role),
                        email: Set(format!(
                            "{}.{}.{id}@scale.example",
                            first.to_lowercase(),
                            last.to_lowercase().replace('\'', "")
                        )),
                        mobile_phone: Set(Some(format!("+1312555{:04}", n % 10_000))),
                        ..Default::default()
                    });
                }
                let in_workflow = self.settings.brands.in_scope.contains(&b.slug)
                    && stage == EnrollmentStage::CurrentlyEnrolling;
                if in_workflow && n % 3 != 0 {
                    pins.push(client_pin::ActiveModel {
                        client_id: Set(id),
                        pin_hash: Set(Some(pin_hash.clone())),
                        pin_set_at: Set(Some(created)),
                        reset_started_at: Set(None),
                        consecutive_failures: Set(0),
                        locked_until: Set(None),
                        updated_at: Set(created),
                        checks_in_flight: Set(0),
                        checks_reserved_until: Set(None),
                        held_since: Set(None),
                    });
                }
                for (action, detail) in [
                    (AuditAction::PinLinkSent, "Setup link sent by email and SMS"),
                    (AuditAction::SyncEmployees, "Employees synced"),
                ] {
                    audit.push(audit_event::ActiveModel {
                        at: Set(created),
                        staff_user_id: Set(staff_id),
                        client_id: Set(Some(id)),
                        contact_id: Set(None),
                        action: Set(action),
                        outcome: Set(AuditOutcome::Success),
                        detail: Set(detail.into()),
                        ..Default::default()
                    });
                }
            }
            outcome.clients += clients.len() as u64;
            outcome.contacts += contacts.len() as u64;
            outcome.pins += pins.len() as u64;
            outcome.audit_events += audit.len() as u64;
            let txn = self.db.begin().await.or_internal()?;
            client::Entity::insert_many(clients)
                .exec(&txn)
                .await
                .or_internal()?;
            // Contacts bind 6 values each: two statements keep each under SQLite's bound.
            for part in contacts.chunks(1500) {
                contact::Entity::insert_many(part.to_vec())
                    .exec(&txn)
                    .await
                    .or_internal()?;
            }
            if !pins.is_empty() {
                client_pin::Entity::insert_many(pins)
                    .exec(&txn)
                    .await
                    .or_internal()?;
            }
            for part in audit.chunks(1500) {
                audit_event::Entity::insert_many(part.to_vec())
                    .exec(&txn)
                    .await
                    .or_internal()?;
            }
            txn.commit().await.or_internal()?;
            start = end;
        }
        // Ids were given explicitly; PostgreSQL's sequence must move past them.
        if self.db.get_database_backend() == DbBackend::Postgres {
            self.db
                .execute_unprepared(
                    "SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT MAX(id) FROM clients))",
                )
                .await
                .or_internal()?;
        }
        // A bulk load leaves the search index in many small segments, which every search
        // then reads side by side; merging them, as FTS5 advises after a bulk insert, made
        // its counts at 100,000 clients 12–34% faster. Everyday writes are kept merged by
        // FTS5's own automerge.
        if self.db.get_database_backend() == DbBackend::Sqlite {
            self.db
                .execute_unprepared("INSERT INTO client_search(client_search) VALUES ('optimize')")
                .await
                .or_internal()?;
        }
        Ok(outcome)
    }
}
