//! The Enrollment Dashboard's reads: a searchable, paged list of clients and a lead card.

use std::collections::HashMap;

use janus_domain::AppError;
use janus_domain::contact::ContactRole;
use janus_domain::dashboard::{
    BeiaState, BrandView, ClientPage, ClientQuery, ClientRow, ContactView, EnrollmentStage,
    LeadCard, PAGE_SIZE, PinState, SyncEmployeesState,
};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{brand, client, contact};
use crate::{Store, internal};

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

fn stage_of(model: &client::Model) -> Result<EnrollmentStage, AppError> {
    EnrollmentStage::from_code(&model.stage).ok_or_else(|| {
        internal(format!(
            "client {} has unknown stage {:?}",
            model.id, model.stage
        ))
    })
}

fn brand_view(b: &brand::Model) -> BrandView {
    BrandView {
        slug: b.slug.clone(),
        name: b.name.clone(),
        color: b.color.clone(),
        support_phone: b.support_phone.clone(),
    }
}

impl Store {
    fn pin_state(&self, brand: &brand::Model, stage: EnrollmentStage) -> PinState {
        PinState::for_client(self.settings.brands.is_in_scope(&brand.slug), stage)
    }

    /// One page of clients for a dashboard tab, matching the search text against the
    /// business name, the brand name and the names of the client's contacts.
    pub async fn list_clients(&self, query: &ClientQuery) -> Result<ClientPage, AppError> {
        let mut select = client::Entity::find();
        if let Some(stage) = query.tab.stage() {
            select = select.filter(client::Column::Stage.eq(stage.code()));
        }
        if !query.search.is_empty() {
            let pattern = contains_pattern(&query.search);
            let business = Func::lower(Expr::col((client::Entity, client::Column::BusinessName)))
                .like(pattern.clone());
            let by_contact = Query::select()
                .column(contact::Column::ClientId)
                .from(contact::Entity)
                .and_where(
                    Func::lower(Expr::col((contact::Entity, contact::Column::Name)))
                        .like(pattern.clone()),
                )
                .to_owned();
            let by_brand = Query::select()
                .column(brand::Column::Id)
                .from(brand::Entity)
                .and_where(
                    Func::lower(Expr::col((brand::Entity, brand::Column::Name))).like(pattern),
                )
                .to_owned();
            select = select.filter(
                Condition::any()
                    .add(business)
                    .add(client::Column::Id.in_subquery(by_contact))
                    .add(client::Column::BrandId.in_subquery(by_brand)),
            );
        }
        let total = select.clone().count(&self.db).await.map_err(internal)?;
        let clients = select
            .order_by_asc(client::Column::BusinessName)
            .order_by_asc(client::Column::Id)
            .limit(PAGE_SIZE)
            .offset(query.offset())
            .all(&self.db)
            .await
            .map_err(internal)?;

        let brands = self.brands_by_id().await?;
        let ids: Vec<i32> = clients.iter().map(|c| c.id).collect();
        let owners: HashMap<i32, String> = contact::Entity::find()
            .filter(contact::Column::ClientId.is_in(ids))
            .filter(contact::Column::Role.eq(ContactRole::Owner.code()))
            .order_by_asc(contact::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .rev() // so the first owner of a client wins the insert below
            .map(|c| (c.client_id, c.name))
            .collect();

        let rows = clients
            .into_iter()
            .map(|c| {
                let brand = brands
                    .get(&c.brand_id)
                    .ok_or_else(|| internal(format!("client {} has no brand", c.id)))?;
                let stage = stage_of(&c)?;
                Ok(ClientRow {
                    id: c.id,
                    owner_name: owners.get(&c.id).cloned(),
                    business_name: c.business_name,
                    brand: brand_view(brand),
                    stage,
                    pin_state: self.pin_state(brand, stage),
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(ClientPage {
            query: query.clone(),
            rows,
            total,
        })
    }

    pub async fn lead_card(&self, client_id: i32) -> Result<LeadCard, AppError> {
        let (c, brand) = client::Entity::find_by_id(client_id)
            .find_also_related(brand::Entity)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound("Client".into()))?;
        let brand = brand.ok_or_else(|| internal(format!("client {client_id} has no brand")))?;
        let contacts = contact::Entity::find()
            .filter(contact::Column::ClientId.eq(client_id))
            .order_by_asc(contact::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|k| {
                let role = ContactRole::from_code(&k.role).ok_or_else(|| {
                    internal(format!("contact {} has unknown role {:?}", k.id, k.role))
                })?;
                Ok(ContactView {
                    id: k.id,
                    name: k.name,
                    role,
                    email: k.email,
                    mobile_phone: k.mobile_phone,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let mut contacts = contacts;
        // Those who can speak for the business first, as staff look for them first.
        contacts.sort_by_key(|k| ContactRole::ALL.iter().position(|r| *r == k.role));
        let stage = stage_of(&c)?;
        Ok(LeadCard {
            id: c.id,
            business_name: c.business_name,
            legal_name: c.legal_name,
            pin_state: self.pin_state(&brand, stage),
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

    async fn brands_by_id(&self) -> Result<HashMap<i32, brand::Model>, AppError> {
        Ok(brand::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|b| (b.id, b))
            .collect())
    }
}
