//! A tenant's own data: its catalog, the documents the caller may see, its order requests.

use axum::Json;
use axum::extract::{Query, State};
use dms_domain::catalog::Product;
use serde::{Deserialize, Serialize};

use super::blocking;
use crate::access::{self, Action, DocumentAccess, Kind, Resource, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::Result;
use crate::tenant::reconcile::OrderRequest;

#[derive(Serialize)]
pub struct CatalogResponse {
    pub version: i64,
    /// True when the caller already holds this version; `products` is then empty.
    pub unchanged: bool,
    pub products: Vec<Product>,
}

#[derive(Deserialize)]
pub struct CatalogQuery {
    /// The catalog version the device holds, to skip an unchanged download.
    pub since_version: Option<i64>,
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
    Query(query): Query<CatalogQuery>,
) -> Result<Json<CatalogResponse>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Catalog))?;
    let response = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let version = guard.store().catalog_version()?;
        let unchanged = query.since_version == Some(version);
        let products = if unchanged {
            Vec::new()
        } else {
            guard.store().products()?
        };
        Ok(CatalogResponse {
            version,
            unchanged,
            products,
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
                buyer_id: match &record.access {
                    DocumentAccess::Cart { buyer_id } => Some(buyer_id.to_string()),
                    DocumentAccess::Untyped { .. } => None,
                },
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
