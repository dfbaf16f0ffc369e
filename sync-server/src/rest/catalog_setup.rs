//! The seller's catalog set-up over REST: categories, partner groups, territories, price
//! lists and catalog shares (each listed with `GET`, written whole by id with `PUT`, removed
//! with `DELETE`) and a product's units, sellable units and GST rates.
//!
//! Reading uses the `catalog_setup, read` rows and writing `catalog_setup, manage`: the
//! seller organisation's admin, as a member. Buyers see only their own view of the catalog,
//! through `GET /orgs/{org}/catalog` (see `docs/access-control.md`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dms_domain::{ProductId, TenantId};
use rusqlite::Connection;
use serde::Serialize;

use super::{ApiJson, blocking};
use crate::access::{Action, Kind, Resource, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::pricing::catalog_setup::{
    self, CatalogShare, Category, PartnerGroup, PriceList, ProductSetup, Target, Territory, check_id,
};
use crate::registry::Registry;

/// Reads one list of set-up records from the tenant's database.
async fn list<T, F>(state: AppState, acting: Acting, read: F) -> Result<Json<Vec<T>>>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Connection) -> Result<Vec<T>> + Send + 'static,
{
    let context = acting.context;
    authorize(&context, Action::Read, &Resource::kind(Kind::CatalogSetup))?;
    let records = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        read(guard.store().connection())
    })
    .await?;
    Ok(Json(records))
}

/// Runs one write on the tenant's database, under the tenant lock, and logs it.
async fn write<F>(state: AppState, acting: Acting, what: &'static str, id: String, work: F) -> Result<()>
where
    F: FnOnce(&mut Connection, &Registry, &TenantId) -> Result<()> + Send + 'static,
{
    let context = acting.context;
    authorize(&context, Action::Manage, &Resource::kind(Kind::CatalogSetup))?;
    blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        work(guard.store_mut().connection_mut(), &state.registry, &context.tenant_id)?;
        tracing::info!(
            tenant_id = %context.tenant_id, user_id = %context.user_id, record = what, record_id = %id,
            "changed catalog set-up"
        );
        Ok(())
    })
    .await
}

/// Checks that `party` buys from the tenant.
fn check_buyer(registry: &Registry, tenant: &TenantId, party: &str) -> Result<()> {
    if registry.is_linked(tenant, party)? {
        Ok(())
    } else {
        Err(ServerError::InvalidInput(format!(
            "party {party} does not buy from {tenant}: onboard it first"
        )))
    }
}

/// Checks that every partner or distributor a target names buys from the tenant and every
/// partner group exists.
fn check_targets(connection: &Connection, registry: &Registry, tenant: &TenantId, targets: &[&Target]) -> Result<()> {
    let groups = catalog_setup::partner_groups(connection)?;
    for target in targets {
        match target {
            Target::Partner(party) | Target::Distributor(party) => check_buyer(registry, tenant, party)?,
            Target::PartnerGroup(group) if !groups.iter().any(|known| &known.id == group) => {
                return Err(ServerError::InvalidInput(format!(
                    "partner group {group} does not exist"
                )));
            }
            Target::PartnerGroup(_) | Target::Everyone => {}
        }
    }
    Ok(())
}

pub async fn categories(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<Category>>> {
    list(state, acting, catalog_setup::categories).await
}

pub async fn put_category(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
    ApiJson(mut category): ApiJson<Category>,
) -> Result<Json<Category>> {
    category.id = id.clone();
    let stored = category.clone();
    write(state, acting, "category", id, move |connection, _, _| {
        catalog_setup::put_category(connection, &category)
    })
    .await?;
    Ok(Json(stored))
}

pub async fn delete_category(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let target = id.clone();
    write(state, acting, "category", id, move |connection, _, _| {
        catalog_setup::delete_category(connection, &target)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn partner_groups(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<PartnerGroup>>> {
    list(state, acting, catalog_setup::partner_groups).await
}

pub async fn put_partner_group(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
    ApiJson(mut group): ApiJson<PartnerGroup>,
) -> Result<Json<PartnerGroup>> {
    group.id = id.clone();
    group.members.sort();
    group.members.dedup();
    let stored = group.clone();
    write(
        state,
        acting,
        "partner group",
        id,
        move |connection, registry, tenant| {
            for member in &group.members {
                check_buyer(registry, tenant, member.as_str())?;
            }
            catalog_setup::put_partner_group(connection, &group)
        },
    )
    .await?;
    Ok(Json(stored))
}

pub async fn delete_partner_group(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let target = id.clone();
    write(state, acting, "partner group", id, move |connection, _, _| {
        catalog_setup::delete_partner_group(connection, &target)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn price_lists(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<PriceList>>> {
    list(state, acting, catalog_setup::price_lists).await
}

pub async fn put_price_list(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
    ApiJson(mut price_list): ApiJson<PriceList>,
) -> Result<Json<PriceList>> {
    price_list.id = id.clone();
    let stored = price_list.clone();
    write(state, acting, "price list", id, move |connection, registry, tenant| {
        let targets: Vec<&Target> = price_list.assignments.iter().collect();
        check_targets(connection, registry, tenant, &targets)?;
        catalog_setup::put_price_list(connection, &price_list)
    })
    .await?;
    Ok(Json(stored))
}

pub async fn delete_price_list(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let target = id.clone();
    write(state, acting, "price list", id, move |connection, _, _| {
        catalog_setup::delete_price_list(connection, &target)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn catalog_shares(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<CatalogShare>>> {
    list(state, acting, catalog_setup::catalog_shares).await
}

pub async fn put_catalog_share(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
    ApiJson(mut share): ApiJson<CatalogShare>,
) -> Result<Json<CatalogShare>> {
    share.id = id.clone();
    let stored = share.clone();
    write(
        state,
        acting,
        "catalog share",
        id,
        move |connection, registry, tenant| {
            check_targets(connection, registry, tenant, &[&share.to])?;
            catalog_setup::put_catalog_share(connection, &share)
        },
    )
    .await?;
    Ok(Json(stored))
}

pub async fn delete_catalog_share(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let target = id.clone();
    write(state, acting, "catalog share", id, move |connection, _, _| {
        catalog_setup::delete_catalog_share(connection, &target)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a product's category, units, sellable unit per channel, HSN code and GST rates.
pub async fn put_product_setup(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, product)): Path<(String, String)>,
    ApiJson(setup): ApiJson<ProductSetup>,
) -> Result<Json<ProductSetup>> {
    check_id("product", &product)?;
    let product_id = ProductId::new(product.clone())?;
    let stored = setup.clone();
    write(state, acting, "product", product, move |connection, _, _| {
        catalog_setup::put_product_setup(connection, &product_id, &setup)
    })
    .await?;
    Ok(Json(stored))
}

pub async fn territories(State(state): State<AppState>, acting: Acting) -> Result<Json<Vec<Territory>>> {
    list(state, acting, catalog_setup::territories).await
}

/// Creates or replaces a territory. Every member must buy from the tenant and be in no other
/// territory.
pub async fn put_territory(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
    ApiJson(mut territory): ApiJson<Territory>,
) -> Result<Json<Territory>> {
    territory.id = id.clone();
    territory.name = territory.name.trim().to_owned();
    territory.members.sort();
    territory.members.dedup();
    let stored = territory.clone();
    write(state, acting, "territory", id, move |connection, registry, tenant| {
        for member in &territory.members {
            check_buyer(registry, tenant, member.as_str())?;
        }
        catalog_setup::put_territory(connection, &territory)
    })
    .await?;
    Ok(Json(stored))
}

pub async fn delete_territory(
    State(state): State<AppState>,
    acting: Acting,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let target = id.clone();
    write(state, acting, "territory", id, move |connection, _, _| {
        catalog_setup::delete_territory(connection, &target)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
