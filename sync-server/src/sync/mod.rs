//! The WebSocket sync endpoint: authentication at the upgrade, then one session per socket.

mod session;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use dms_documents::wire::MAX_MESSAGE_BYTES;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::error::Result;
use crate::rest::blocking;

/// Upgrades an authenticated request to a sync session. A missing or bad token is refused
/// with 401 here, before the socket exists, so no document can move without a principal.
pub async fn upgrade(
    State(state): State<AppState>,
    Authenticated(principal): Authenticated,
    upgrade: WebSocketUpgrade,
) -> Result<Response> {
    let hub = state.hub.clone();
    let tenant_id = principal.tenant_id.clone();
    let tenant = blocking(move || hub.tenant(&tenant_id)).await?;

    Ok(upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| session::run(socket, principal, tenant)))
}
