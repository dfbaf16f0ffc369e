//! The HTTP application: routes, shared state, and serving on a listener.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::error::Result;
use crate::registry::Registry;
use crate::tenant::TenantHub;
use crate::{rest, sync};

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub hub: Arc<TenantHub>,
}

impl AppState {
    /// Opens the registry in `data_dir`; tenant databases open on first use.
    pub fn open(data_dir: PathBuf) -> Result<AppState> {
        let registry = Arc::new(Registry::open(&data_dir)?);
        let hub = Arc::new(TenantHub::new(data_dir, registry.clone()));
        Ok(AppState { registry, hub })
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/sync", get(sync::upgrade))
        .route("/api/v1/me", get(rest::me))
        .route("/api/v1/catalog", get(rest::catalog))
        .route("/api/v1/documents", get(rest::documents))
        .route("/api/v1/order-requests", get(rest::order_requests))
        .with_state(state)
}

/// Serves until the future `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, "sync server listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
