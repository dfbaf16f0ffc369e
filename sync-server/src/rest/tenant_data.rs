//! A tenant's own data: its catalog, the documents the caller may see, its order requests.
//!
//! A buyer (a partner, or a distributor in its company's database) gets only the products
//! shared with it, at its own price and with its channel's sellable unit
//! ([`crate::pricing::buyer_view`]); the seller's staff get the whole catalog.
//!
//! The catalog download also carries what a device needs to price carts offline with the
//! server's engine: each product's pricing data and the caller's pricing terms
//! ([`crate::pricing::terms`]). Products follow `version`, the terms their own
//! `pricing_version`, so a device downloads each only when it changed.

use axum::Json;
use axum::extract::State;
use dms_domain::catalog::Product;
use dms_pricing::{PricingTerms, ProductPricing};
use serde::{Deserialize, Serialize};

use super::{ApiQuery, blocking};
use crate::access::{self, Action, Kind, Resource, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::Result;
use crate::pricing::buyer_view::{catalog_for, channel_of};
use crate::pricing::terms::{pricing_terms, terms_version};
use crate::tenant::reconcile::OrderRequest;

#[derive(Serialize)]
pub struct CatalogResponse {
    pub version: i64,
    /// True when the caller already holds this version; `products` is then empty.
    pub unchanged: bool,
    pub products: Vec<CatalogProduct>,
    /// Version of the caller's pricing terms.
    pub pricing_version: String,
    /// True when the caller already has `pricing_version`; `pricing_terms` is then `None`.
    pub pricing_unchanged: bool,
    pub pricing_terms: Option<PricingTerms>,
}

/// A catalog product with its pricing data. The product's own fields stay at the top level,
/// so clients that predate pricing data read it as before.
#[derive(Serialize)]
pub struct CatalogProduct {
    #[serde(flatten)]
    pub product: Product,
    pub pricing: ProductPricing,
}

#[derive(Deserialize)]
pub struct CatalogQuery {
    /// The catalog version the device holds, to skip an unchanged download.
    pub since_version: Option<i64>,
    /// The pricing terms version the device holds, to skip an unchanged download.
    pub since_pricing_version: Option<String>,
}

#[derive(Serialize)]
pub struct DocumentSummary {
    pub document_id: String,
    pub kind: &'static str,
    pub buyer_id: Option<String>,
    pub status: Option<String>,
}

pub async fn catalog(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiQuery(query): ApiQuery<CatalogQuery>,
) -> Result<Json<CatalogResponse>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Catalog))?;
    let response = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let version = guard.store().catalog_version()?;
        let unchanged = query.since_version == Some(version);
        let store = guard.store();
        let products = if unchanged {
            Vec::new()
        } else {
            let channel = channel_of(&state.registry, &context.tenant_id)?;
            catalog_for(
                store.connection(),
                store.products()?,
                context.party_id.as_ref(),
                channel,
            )?
            .into_values()
            .map(|(product, pricing)| CatalogProduct { product, pricing })
            .collect()
        };
        let terms = pricing_terms(
            store.connection(),
            &state.registry,
            &context.tenant_id,
            context.party_id.as_ref(),
        )?;
        let pricing_version = terms_version(&terms)?;
        let pricing_unchanged = query.since_pricing_version.as_deref() == Some(pricing_version.as_str());
        Ok(CatalogResponse {
            version,
            unchanged,
            products,
            pricing_version,
            pricing_unchanged,
            pricing_terms: (!pricing_unchanged).then_some(terms),
        })
    })
    .await?;
    Ok(Json(response))
}

pub async fn documents(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<DocumentSummary>>> {
    let summaries = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let records = tenant.lock().store().document_records()?;
        Ok(records
            .into_iter()
            .filter(|record| access::may_read(&context, &record.access))
            .map(|record| DocumentSummary {
                document_id: record.document_id.to_string(),
                kind: record.kind(),
                buyer_id: record.buyer().map(ToString::to_string),
                status: record.status,
            })
            .collect())
    })
    .await?;
    Ok(Json(summaries))
}

pub async fn order_requests(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<OrderRequest>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::OrderRequest))?;
    let orders = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let orders = tenant.lock().store().order_requests(None)?;
        Ok(orders
            .into_iter()
            .filter(|order| authorize(&context, Action::Read, &Resource::order_request(&order.buyer_id)).is_ok())
            .collect())
    })
    .await?;
    Ok(Json(orders))
}
