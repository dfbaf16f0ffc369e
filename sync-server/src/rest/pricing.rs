//! Pricing over REST: the catalog as CSV with its pricing columns, the tenant's scheme book,
//! and the scheme simulator for a draft order.
//!
//! Reading the catalog CSV and the scheme book uses the `catalog, read` rows, and replacing
//! the book `catalog, manage`. A user who buys for a party (a partner, or a distributor in its
//! company's database) reads only the schemes that can apply to that party's orders. A simulation uses `order_request, read` for the draft's buyer,
//! so a buyer may simulate only its own orders (see `docs/access-control.md`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use dms_pricing::{Order, Scheme, Simulation};

use super::blocking;
use crate::access::{Action, Kind, Resource, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::pricing::admin;
use crate::pricing::catalog_setup::{groups_of, territory_of};
use crate::pricing::order::seller_party;
use crate::pricing::terms::{BuyerRecord, may_apply};

pub async fn catalog_csv(State(state): State<AppState>, Acting { context, .. }: Acting) -> Result<impl IntoResponse> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Catalog))?;
    let csv = blocking(move || admin::export_catalog(&state, &context.tenant_id)).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}

pub async fn schemes(State(state): State<AppState>, Acting { context, .. }: Acting) -> Result<Json<Vec<Scheme>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Catalog))?;
    let tenant = context.tenant_id.clone();
    let buyer = context.party_id.clone();
    let (schemes, buyer_groups, territory) = blocking(move || {
        let schemes = admin::scheme_book(&state, &tenant)?;
        let Some(buyer) = &buyer else {
            return Ok((schemes, Vec::new(), None));
        };
        let tenant = state.hub.tenant(&tenant)?;
        let guard = tenant.lock();
        let connection = guard.store().connection();
        Ok((schemes, groups_of(connection, buyer)?, territory_of(connection, buyer)?))
    })
    .await?;
    let Some(buyer) = &context.party_id else {
        return Ok(Json(schemes));
    };
    let seller = seller_party(&context.tenant_id)?;
    let record = BuyerRecord {
        party: buyer,
        groups: &buyer_groups,
        territory: territory.as_deref(),
    };
    Ok(Json(
        schemes
            .into_iter()
            .filter(|scheme| may_apply(scheme, &seller, Some(&record)))
            .collect(),
    ))
}

/// Replaces the scheme book with the JSON list in the body and returns the stored book.
pub async fn replace_schemes(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    body: Bytes,
) -> Result<Json<Vec<Scheme>>> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Catalog))?;
    let schemes = parse_schemes(&body)?;
    let stored = blocking(move || admin::replace_scheme_book(&state, &context.tenant_id, schemes)).await?;
    Ok(Json(stored))
}

/// Prices the draft order in the body against the tenant's pricing data and explains it.
pub async fn simulate(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    body: Bytes,
) -> Result<Json<Simulation>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::OrderRequest))?;
    let order: Order = serde_json::from_slice(&body)
        .map_err(|error| ServerError::InvalidInput(format!("the body is not a valid draft order: {error}")))?;
    let buyer = order.parties.partner_id.clone().ok_or_else(|| {
        ServerError::InvalidInput("parties.partner_id is missing: name the buyer the draft order is for".to_owned())
    })?;
    authorize(&context, Action::Read, &Resource::order_request(&buyer))?;
    // A buyer simulates as the seller sees it; staff may try any groups and territory.
    let buyer_records = context.party_id.is_some();
    let simulation = blocking(move || admin::simulate(&state, &context.tenant_id, order, buyer_records)).await?;
    Ok(Json(simulation))
}

/// Reads a JSON list of schemes, naming the scheme (by id, else by position) that cannot be read.
fn parse_schemes(body: &[u8]) -> Result<Vec<Scheme>> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(body)
        .map_err(|error| ServerError::InvalidInput(format!("the body must be a JSON list of schemes: {error}")))?;
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let name = item["id"]
                .as_str()
                .map(|id| format!("scheme {id}"))
                .unwrap_or_else(|| format!("scheme at position {index}"));
            serde_json::from_value(item)
                .map_err(|error| ServerError::InvalidInput(format!("{name} is invalid: {error}")))
        })
        .collect()
}
