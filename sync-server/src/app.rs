//! The HTTP application: shared state, and serving on a listener.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_service::Service;

use crate::error::Result;
use crate::registry::Registry;
use crate::sync::live::LiveSessions;
use crate::tenant::TenantHub;
use crate::throttle::LoginThrottle;

/// Largest request body a handler reads: 2 MiB, axum's default, set explicitly so that a
/// larger body gets problem+json 413 `payload_too_large` on every route.
pub const MAX_REQUEST_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Default time a client has to send a request's headers, counted from when the server is
/// ready to read them, which on a kept-alive connection is right after the previous
/// response. A connection that does not finish its headers in time is closed, so slowly
/// sent headers cannot hold connections open and idle kept-alive connections close too.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// After a failed `accept` that is not about one connection (such as too many open files),
/// the listener waits this long before accepting again instead of spinning.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub hub: Arc<TenantHub>,
    /// Open sync sessions, so that revocation can close them.
    pub live: Arc<LiveSessions>,
    pub throttle: Arc<LoginThrottle>,
    /// Time a client has to send request headers (see [`HEADER_READ_TIMEOUT`]); read once
    /// when [`serve`] starts.
    pub header_read_timeout: Duration,
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
            header_read_timeout: HEADER_READ_TIMEOUT,
        })
    }
}

pub fn router(state: AppState) -> Router {
    crate::routes::router(state)
}

/// Serves HTTP/1 (and WebSocket upgrades) until the future `shutdown` completes, then stops
/// accepting, lets open requests finish and returns once every HTTP connection has closed.
/// Upgraded sync sockets run on their own tasks and are not waited for.
///
/// axum's `serve` sets no header-read timeout, so this runs hyper's connection builder
/// directly with [`AppState::header_read_timeout`]. Each request carries the client address
/// as `ConnectInfo<SocketAddr>`, which login rate limiting uses.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, header_read_timeout_ms = state.header_read_timeout.as_millis(), "sync server listening");

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.header_read_timeout);
    let router = router(state);

    // Each connection task keeps a receiver: a send asks them to shut down gracefully, and
    // `closed` resolves once the last one has dropped its receiver.
    let (stop_sender, stop_receiver) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                tokio::spawn(serve_connection(
                    &http,
                    stream,
                    peer,
                    router.clone(),
                    stop_receiver.clone(),
                ));
            }
            Err(error) if is_connection_error(&error) => {
                tracing::debug!(%error, "accepting a connection failed");
            }
            Err(error) => {
                tracing::error!(%error, "accepting connections failed; retrying in a second");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }

    drop(listener);
    drop(stop_receiver);
    tracing::info!(%address, "sync server stopping: waiting for open connections");
    // A send fails only when no connection is open, which leaves nothing to wait for.
    let _ = stop_sender.send(());
    stop_sender.closed().await;
    tracing::info!(%address, "sync server stopped");
    Ok(())
}

/// Builds the future serving one connection until it closes or `stop` fires, then lets the
/// request in progress finish.
fn serve_connection(
    http: &hyper::server::conn::http1::Builder,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    mut stop: watch::Receiver<()>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        // `Router` is always ready, so `call` needs no `poll_ready` first.
        router.clone().call(request)
    });
    let connection = http.serve_connection(TokioIo::new(stream), service).with_upgrades();
    async move {
        let mut connection = std::pin::pin!(connection);
        let result = tokio::select! {
            result = connection.as_mut() => result,
            _ = stop.changed() => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        // A header-read timeout or a client that went away ends here; neither is the
        // server's fault, so it is logged at debug level only.
        if let Err(error) = result {
            tracing::debug!(%peer, %error, "connection closed with an error");
        }
    }
}

/// Whether an `accept` error concerns only the connection being accepted.
fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
