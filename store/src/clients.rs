//! The Enrollment Dashboard's reads: a searchable, paged list of clients and a lead card.

use chrono::{DateTime, Utc};
use janus_domain::ids::ClientId;
use std::collections::HashMap;

use janus_domain::AppError;
use janus_domain::authority::SensitiveAction;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::{
    BeiaState, BrandView, ClientPage, ClientQuery, ClientRow, ContactView, EnrollmentStage,
    LeadCard, PAGE_SIZE, PinFacts, PinState, SyncEmployeesState,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, Values};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, IdenStatic,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, SelectA, SelectB, Statement,
};
use strum::IntoEnumIterator;

use crate::entity::{brand, client, contact};
use crate::{OrInternal, Store, internal};

/// `%text%` with LIKE's own wildcards escaped, so a search for `50%` means the characters.
fn contains_pattern(search: &str) -> LikeExpr {
    let mut escaped = String::with_capacity(search.len() + 2);
    escaped.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    LikeExpr::new(escaped).escape('\\')
}

/// Up to this many matches (counted first, from the index), a SQLite search starts from the
/// matches and sorts them; beyond it, it walks the stage's clients in name order and stops
/// after one page. Walking costs the same however few clients match: at 100,000 clients a
/// name with 5 matches took 3.6 ms that way and 0.1 ms from the matches, while a term with
/// 5,560 matches took 4.3 ms walking and 12.5 ms sorting (docs/PERFORMANCE.md).
const FEW_MATCHES: u64 = 200;

/// How a search runs on SQLite, through the trigram index of migration 15.
enum SqliteSearch {
    /// Three characters or more: an FTS5 query (the stage and the text as phrases), which
    /// the index answers, count included, without reading a client.
    Indexed(String),
    /// Shorter text, which no trigram can match: compared row by row.
    Scan(LikeExpr),
}

impl SqliteSearch {
    fn new(search: &str, stage: Option<EnrollmentStage>) -> Self {
        if search.chars().count() < 3 {
            return Self::Scan(contains_pattern(search));
        }
        // FTS5 strings are in double quotes, with their own quotes doubled; inside one,
        // nothing else is special. A stage is its code's first three letters (one trigram).
        let phrase = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        let text = format!("search_text : {}", phrase(search));
        Self::Indexed(match stage {
            Some(stage) => format!("stage : {} AND {text}", phrase(&<&str>::from(stage)[..3])),
            None => text,
        })
    }

    /// The clients whose text contains the short search text, compared row by row.
    fn scanned_ids(pattern: &LikeExpr) -> sea_orm::sea_query::SelectStatement {
        Query::select()
            .expr(Expr::cust("rowid"))
            .from(sea_orm::sea_query::Alias::new("client_search"))
            .and_where(Expr::cust("lower(search_text)").like(pattern.clone()))
            .to_owned()
    }
}

/// What an indexed search matched: how many clients, and their ids as a JSON array.
struct IndexedMatches {
    count: u64,
    ids_json: String,
}

/// On PostgreSQL: the business name, the brand name or a contact's name contains `search`.
fn plain_search(search: &str) -> Condition {
    let pattern = contains_pattern(search);
    let business = Func::lower(Expr::col((client::Entity, client::Column::BusinessName)))
        .like(pattern.clone());
    let by_contact = Query::select()
        .column(contact::Column::ClientId)
        .from(contact::Entity)
        .and_where(
            Func::lower(Expr::col((contact::Entity, contact::Column::Name))).like(pattern.clone()),
        )
        .to_owned();
    let by_brand = Query::select()
        .column(brand::Column::Id)
        .from(brand::Entity)
        .and_where(Func::lower(Expr::col((brand::Entity, brand::Column::Name))).like(pattern))
        .to_owned();
    Condition::any()
        .add(business)
        .add(client::Column::Id.in_subquery(by_contact))
        .add(client::Column::BrandId.in_subquery(by_brand))
}

pub(crate) fn brand_view(b: &brand::Model) -> BrandView {
    BrandView {
        slug: b.slug.clone(),
        name: b.name.clone(),
        color: b.color.clone(),
        support_phone: b.support_phone.clone(),
    }
}

impl Store {
    /// What an indexed search matches, in one pass over the index: the count, and the ids
    /// as a JSON array that the page query reads back through `json_each`. Asking the
    /// index twice (once to count, once inside the page query's `IN`) cost about a third
    /// of a common search's time at 100,000 clients (docs/PERFORMANCE.md). The array is as
    /// long as the matches: ~7 bytes per client, bounded by the table.
    async fn indexed_matches(&self, fts: &str) -> Result<IndexedMatches, AppError> {
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT count(*) AS n, json_group_array(rowid) AS ids \
                 FROM client_search WHERE client_search MATCH ?",
                [fts.into()],
            ))
            .await
            .or_internal()?
            .ok_or_else(|| internal("count(*) returned no row"))?;
        let n: i64 = row.try_get("", "n").or_internal()?;
        Ok(IndexedMatches {
            count: u64::try_from(n).or_internal()?,
            ids_json: row.try_get("", "ids").or_internal()?,
        })
    }

    fn pin_state(&self, brand: &brand::Model, stage: EnrollmentStage, facts: PinFacts) -> PinState {
        PinState::for_client(self.settings.brands.is_in_scope(&brand.slug), stage, facts)
    }

    /// One page of clients for a dashboard tab, matching the search text against the
    /// business name, the brand name and the names of the client's contacts.
    pub async fn list_clients(&self, query: &ClientQuery) -> Result<ClientPage, AppError> {
        let mut select = client::Entity::find();
        let mut indexed_count = None;
        if !query.search.is_empty() {
            select = match self.db.get_database_backend() {
                DbBackend::Sqlite => match SqliteSearch::new(&query.search, query.tab.stage()) {
                    SqliteSearch::Indexed(fts) => {
                        let matches = self.indexed_matches(&fts).await?;
                        indexed_count = Some(matches.count);
                        select.filter(Expr::cust_with_values(
                            "\"clients\".\"id\" IN (SELECT value FROM json_each(?))",
                            [matches.ids_json],
                        ))
                    }
                    SqliteSearch::Scan(pattern) => select.filter(
                        client::Column::Id.in_subquery(SqliteSearch::scanned_ids(&pattern)),
                    ),
                },
                _ => select.filter(plain_search(&query.search)),
            };
        }
        if let Some(stage) = query.tab.stage() {
            select = if indexed_count.is_some_and(|n| n <= FEW_MATCHES) {
                // The `+` keeps SQLite off the stage's name index, so it starts from the
                // few matches and sorts them.
                select.filter(Expr::cust_with_values(
                    "+\"clients\".\"stage\" = ?",
                    [stage],
                ))
            } else {
                select.filter(client::Column::Stage.eq(stage))
            };
        }
        let total = match indexed_count {
            Some(n) => n,
            None => select.clone().count(&self.db).await.or_internal()?,
        };
        let page = select
            .find_also_related(brand::Entity)
            .order_by_asc(client::Column::BusinessName)
            .order_by_asc(client::Column::Id)
            .build(self.db.get_database_backend());
        let clients = self
            .db
            .query_all_raw(one_page(page, query.offset()))
            .await
            .or_internal()?
            .iter()
            .map(|row| {
                Ok((
                    client::Model::from_query_result(row, SelectA.as_str())?,
                    brand::Model::from_query_result_optional(row, SelectB.as_str())?,
                ))
            })
            .collect::<Result<Vec<_>, sea_orm::DbErr>>()
            .or_internal()?;

        let ids: Vec<ClientId> = clients.iter().map(|(c, _)| c.id).collect();
        let pins = self.pin_overview(&ids).await?;
        let now = self.clock.now();
        let owners: HashMap<ClientId, String> = contact::Entity::find()
            .filter(contact::Column::ClientId.is_in(ids))
            .filter(contact::Column::Role.eq(ContactRole::Owner))
            .order_by_asc(contact::Column::Id)
            .all(&self.db)
            .await
            .or_internal()?
            .into_iter()
            .rev() // so the first owner of a client wins the insert below
            .map(|c| (c.client_id, c.name))
            .collect();

        let rows = clients
            .into_iter()
            .map(|(c, brand)| {
                let brand =
                    brand.ok_or_else(|| internal(format!("client {} has no brand", c.id)))?;
                let stage = c.stage;
                let pin_state = self.pin_state(&brand, stage, pins.facts(c.id));
                Ok(ClientRow {
                    id: c.id,
                    owner_name: owners.get(&c.id).cloned(),
                    business_name: c.business_name,
                    brand: brand_view(&brand),
                    stage,
                    pin_state,
                    verified_seconds_left: if pin_state.is_applicable() {
                        pins.seconds_left(c.id, now)
                    } else {
                        0
                    },
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(ClientPage {
            query: query.clone(),
            rows,
            total,
            // The least any viewer may do; the server function names who asked.
            viewer: janus_domain::staff::StaffRole::Verifier,
        })
    }

    pub async fn lead_card(&self, client_id: ClientId) -> Result<LeadCard, AppError> {
        let (c, brand) = client::Entity::find_by_id(client_id)
            .find_also_related(brand::Entity)
            .one(&self.db)
            .await
            .or_internal()?
            .ok_or_else(|| AppError::NotFound("Client".into()))?;
        let brand = brand.ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
        let contacts = self.contact_views(client_id).await?;
        let stage = c.stage;
        let pins = self.pin_overview(&[c.id]).await?;
        let pin_state = self.pin_state(&brand, stage, pins.facts(c.id));
        let verifications = if pin_state.is_applicable() {
            self.current_verifications(c.id).await?
        } else {
            Vec::new()
        };
        let needs_of = |a: SensitiveAction| {
            format!(
                "{} needs {}.",
                a.label(),
                self.settings.authority(a).needs()
            )
        };
        let needs = if pin_state.is_applicable() {
            SensitiveAction::iter().map(needs_of).collect()
        } else {
            Vec::new()
        };
        // Guarded for every client of an in-scope brand, whatever its stage.
        let contact_change_needs = self
            .settings
            .brands
            .is_in_scope(&brand.slug)
            .then(|| needs_of(SensitiveAction::ChangeAuthorizedContact));
        Ok(LeadCard {
            id: c.id,
            verifications,
            needs,
            contact_change_needs,
            audit: self.client_audit(c.id).await?,
            business_name: c.business_name,
            legal_name: c.legal_name,
            pin_state,
            brand: brand_view(&brand),
            stage,
            address: c.address,
            employee_count: c.employee_count,
            contacts,
            sync_employees: if c.last_synced_at.is_some() {
                SyncEmployeesState::Synced
            } else {
                SyncEmployeesState::NeverSynced
            },
            last_synced_at: c.last_synced_at,
            beia: if c.beia_sent_at.is_some() {
                BeiaState::Sent
            } else {
                BeiaState::NotSent
            },
            beia_sent_at: c.beia_sent_at,
        })
    }

    /// A client's contacts, in the order of [`contact_views`].
    pub(crate) async fn contact_views(
        &self,
        client_id: ClientId,
    ) -> Result<Vec<ContactView>, AppError> {
        Ok(contact_views(
            contacts_of(client_id).all(&self.db).await.or_internal()?,
            self.settings.contacts.cooling_off_hours,
            self.clock.now(),
        ))
    }

    /// A brand's public face (name, colour, support phone) by its slug.
    pub async fn brand_view(&self, slug: &str) -> Result<BrandView, AppError> {
        brand::Entity::find()
            .filter(brand::Column::Slug.eq(slug))
            .one(&self.db)
            .await
            .or_internal()?
            .map(|b| brand_view(&b))
            .ok_or_else(|| AppError::NotFound("Brand".into()))
    }
}

/// The client and its brand, read in the writing transaction `txn` with the client row
/// locked (FOR NO KEY UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction already holds
/// the only write lock, and its query builder leaves the clause out), so changes to one
/// client that judge its state first happen one after the other.
pub(crate) async fn client_for_update(
    txn: &impl ConnectionTrait,
    client_id: ClientId,
) -> Result<(client::Model, brand::Model), AppError> {
    let c = client::Entity::find_by_id(client_id)
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .one(txn)
        .await
        .or_internal()?
        .ok_or_else(|| AppError::NotFound("Client".into()))?;
    let b = brand::Entity::find_by_id(c.brand_id)
        .one(txn)
        .await
        .or_internal()?
        .ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
    Ok((c, b))
}

/// The query for a client's contacts, for [`contact_views`].
pub(crate) fn contacts_of(client_id: ClientId) -> sea_orm::Select<contact::Entity> {
    contact::Entity::find()
        .filter(contact::Column::ClientId.eq(client_id))
        .order_by_asc(contact::Column::Id)
}

/// A client's contacts as staff see them: those who can speak for the business (Owner,
/// Authorized Representative) first, as staff look for them first.
/// Each says whether its destinations still cool off after a change, by `now`.
pub(crate) fn contact_views(
    rows: Vec<contact::Model>,
    cooling_off_hours: u32,
    now: DateTime<Utc>,
) -> Vec<ContactView> {
    let mut contacts: Vec<ContactView> = rows
        .into_iter()
        .map(|k| {
            let cooling_off = crate::security::destination_changes(&k)
                .cooling_off(cooling_off_hours, now)
                .map(|wait| wait.explain(&k.name, now));
            ContactView {
                id: k.id,
                name: k.name,
                role: k.role,
                email: k.email,
                mobile_phone: k.mobile_phone,
                cooling_off,
            }
        })
        .collect();
    contacts.sort_by_key(|k| k.role);
    contacts
}

/// `statement` (a query without LIMIT) limited to one page from `offset`. The page size is
/// written into the SQL, the offset bound: SQLite plans with a bound LIMIT's value and so
/// compiles the statement again every time it runs, and this is the dashboard's largest
/// statement (docs/PERFORMANCE.md). A constant keeps the plan that knows the page is small.
fn one_page(mut statement: Statement, offset: u64) -> Statement {
    let mut values = statement.values.take().map_or_else(Vec::new, |v| v.0);
    values.push(offset.into());
    let offset_placeholder = match statement.db_backend {
        DbBackend::Postgres => format!("${}", values.len()),
        _ => "?".to_owned(),
    };
    statement.sql = format!(
        "{} LIMIT {PAGE_SIZE} OFFSET {offset_placeholder}",
        statement.sql
    );
    statement.values = Some(Values(values));
    statement
}
