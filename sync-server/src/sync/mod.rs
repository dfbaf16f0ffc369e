//! The WebSocket sync endpoint: authentication and context resolution at the upgrade, then
//! one session per socket.

pub mod live;
mod session;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use dms_documents::wire::MAX_MESSAGE_BYTES;

use crate::app::AppState;
use crate::auth::Acting;
use crate::error::Result;
use crate::rest::blocking;

/// Upgrades an authenticated request to a sync session in the organisation it names. A
/// missing or bad token is refused with 401 here, and an organisation the user cannot reach
/// with 404, before the socket exists, so no document can move without a context.
pub async fn upgrade(
    State(state): State<AppState>,
    Acting { context, session }: Acting,
    upgrade: WebSocketUpgrade,
) -> Result<Response> {
    let hub = state.hub.clone();
    let tenant_id = context.tenant_id.clone();
    let tenant = blocking(move || hub.tenant(&tenant_id)).await?;
    let live = state.live.clone();

    Ok(upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            let (_registration, revoked) = live.register(
                context.user_id.clone(),
                session.device_id.clone(),
                context.tenant_id.clone(),
            );
            session::run(socket, context, tenant, revoked).await
        }))
}
