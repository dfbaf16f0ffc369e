//! REST handlers for devices and back-office tools. Each one authenticates, runs its blocking
//! database work off the async threads, and filters by [`crate::access`].

use axum::Json;
use axum::extract::{Query, State};
use dms_domain::catalog::Product;
use serde::{Deserialize, Serialize};

use crate::access::{self, Principal, Role};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::{Result, ServerError};
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

pub async fn me(Authenticated(principal): Authenticated) -> Json<Principal> {
    Json(principal)
}

pub async fn catalog(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    Query(query): Query<CatalogQuery>,
) -> Result<Json<CatalogResponse>> {
    let response = blocking(move || {
        let tenant = state.hub.tenant(&principal.tenant_id)?;
        let guard = tenant.lock();
        let version = guard.store().catalog_version()?;
        let unchanged = query.since_version == Some(version);
        let products = if unchanged { Vec::new() } else { guard.store().products()? };
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
    Authenticated(principal): Authenticated,
) -> Result<Json<Vec<DocumentSummary>>> {
    let summaries = blocking(move || {
        let tenant = state.hub.tenant(&principal.tenant_id)?;
        let records = tenant.lock().store().document_records()?;
        Ok(records
            .into_iter()
            .filter(|record| access::may_read(&principal, &record.access))
            .map(|record| DocumentSummary {
                document_id: record.document_id.to_string(),
                kind: record.kind(),
                buyer_id: match &record.access {
                    access::DocumentAccess::Cart { buyer_id } => Some(buyer_id.to_string()),
                    access::DocumentAccess::Untyped { .. } => None,
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
    Authenticated(principal): Authenticated,
) -> Result<Json<Vec<OrderRequest>>> {
    let orders = blocking(move || {
        let tenant = state.hub.tenant(&principal.tenant_id)?;
        let buyer = match principal.role {
            Role::Staff => None,
            Role::Partner => principal.party_id.clone(),
        };
        let guard = tenant.lock();
        guard.store().order_requests(buyer.as_ref())
    })
    .await?;
    Ok(Json(orders))
}

/// Runs blocking work (SQLite, the tenant lock) on the blocking pool.
pub async fn blocking<T, F>(work: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ServerError::Task(error.to_string()))?
}
