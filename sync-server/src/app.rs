//! The HTTP application: shared state, and serving on a listener.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::error::Result;
use crate::registry::Registry;
use crate::sync::live::LiveSessions;
use crate::tenant::TenantHub;
use crate::throttle::LoginThrottle;

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub hub: Arc<TenantHub>,
    /// Open sync sessions, so that revocation can close them.
    pub live: Arc<LiveSessions>,
    pub throttle: Arc<LoginThrottle>,
}

impl AppState {
    /// Opens the registry in `data_dir`; tenant databases open on first use.
    pub fn open(data_dir: PathBuf) -> Result<AppState> {
        let registry = Arc::new(Registry::open(&data_dir)?);
        let hub = Arc::new(TenantHub::new(data_dir, registry.clone()));
        Ok(AppState {
            registry,
            hub,
            live: Arc::new(LiveSessions::default()),
            throttle: Arc::new(LoginThrottle::default()),
        })
    }
}

pub fn router(state: AppState) -> Router {
    crate::routes::router(state)
}

/// Serves until the future `shutdown` completes. The client address reaches handlers for
/// login rate limiting.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, "sync server listening");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
