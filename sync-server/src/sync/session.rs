//! One device's sync session over a WebSocket.
//!
//! The session reads frames, enforces the handshake (`join` first, answered by `peer`), and
//! hands document messages to the tenant's sync engine on the blocking pool, one at a time
//! and in arrival order. A writer task drains the peer's outbox onto the socket. Any protocol
//! fault is reported to the device as an `error` message naming the problem, and the
//! connection closes; nothing the faulty message carried is stored. Revoking the session's
//! user, grant or device (see [`super::live`]) closes it the same way, with the error
//! "access revoked".

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message as Frame, WebSocket};
use dms_documents::wire::{Message, PROTOCOL_VERSION};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tracing::Instrument;

use crate::access::Principal;
use crate::tenant::sync_engine::SERVER_PEER_ID;
use crate::tenant::{Outbound, PeerKey, SyncFault, Tenant};

/// Frames queued for one peer before it counts as too slow and is dropped.
const OUTBOX_CAPACITY: usize = 1024;

/// Time a device has to send `join` after connecting.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The protocol error text a revoked session gets before it closes.
pub const REVOKED: &str = "access revoked: this login or device may no longer sync";

pub async fn run(socket: WebSocket, principal: Principal, tenant: Arc<Tenant>, revoked: watch::Receiver<bool>) {
    let span = tracing::info_span!(
        "sync_session",
        tenant_id = %principal.tenant_id,
        user_id = %principal.user_id,
    );
    session(socket, principal, tenant, revoked).instrument(span).await
}

async fn session(socket: WebSocket, principal: Principal, tenant: Arc<Tenant>, mut revoked: watch::Receiver<bool>) {
    let (mut sink, mut stream) = socket.split();
    let (outbox, mut outbox_receiver) = mpsc::channel::<Outbound>(OUTBOX_CAPACITY);

    let writer = tokio::spawn(async move {
        while let Some(outbound) = outbox_receiver.recv().await {
            match outbound {
                Outbound::Frame(bytes) => {
                    if sink.send(Frame::Binary(bytes.into())).await.is_err() {
                        break;
                    }
                }
                Outbound::Fault(text) => {
                    let error = Message::Error { message: text };
                    let _ = sink.send(Frame::Binary(error.encode().into())).await;
                    let _ = sink.send(Frame::Close(None)).await;
                    break;
                }
            }
        }
    });

    let peer_key = match handshake(&mut stream, &principal, &tenant, outbox.clone()).await {
        Ok(key) => key,
        Err(reason) => {
            tracing::warn!(%reason, "handshake failed");
            let _ = outbox.send(Outbound::Fault(reason)).await;
            drop(outbox);
            let _ = writer.await;
            return;
        }
    };
    tracing::info!(peer_key, "device joined");

    let outcome = tokio::select! {
        outcome = receive_loop(&mut stream, &tenant, peer_key) => outcome,
        _ = revoked.wait_for(|revoked| *revoked) => {
            tracing::info!("closing session: access revoked");
            Err(REVOKED.to_owned())
        }
    };
    if let Err(reason) = &outcome {
        tracing::warn!(%reason, "closing session after a protocol fault");
        let _ = outbox.send(Outbound::Fault(reason.clone())).await;
    }

    let detach = tenant.clone();
    let _ = tokio::task::spawn_blocking(move || detach.lock().remove_peer(peer_key)).await;
    drop(outbox);
    let _ = writer.await;
    tracing::info!(peer_key, "device left");
}

/// Waits for `join`, registers the peer and answers `peer`.
async fn handshake(
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    principal: &Principal,
    tenant: &Arc<Tenant>,
    outbox: mpsc::Sender<Outbound>,
) -> Result<PeerKey, String> {
    let frame = tokio::time::timeout(HANDSHAKE_TIMEOUT, next_message(stream))
        .await
        .map_err(|_| "no join message within 10 seconds".to_owned())??
        .ok_or_else(|| "connection closed before join".to_owned())?;

    let Message::Join {
        sender_id,
        supported_protocol_versions,
        ..
    } = frame
    else {
        return Err(format!(
            "expected join as the first message, got {}",
            frame.message_type()
        ));
    };
    if !supported_protocol_versions
        .iter()
        .any(|version| version == PROTOCOL_VERSION)
    {
        return Err(format!(
            "unsupported protocol versions {supported_protocol_versions:?}; this server speaks version 1"
        ));
    }

    let tenant = tenant.clone();
    let principal = principal.clone();
    let remote_peer_id = sender_id.clone();
    let reply_outbox = outbox.clone();
    let peer_key = tokio::task::spawn_blocking(move || tenant.lock().add_peer(principal, remote_peer_id, outbox))
        .await
        .map_err(|error| format!("internal error: {error}"))?;

    let peer = Message::Peer {
        sender_id: SERVER_PEER_ID.to_owned(),
        selected_protocol_version: PROTOCOL_VERSION.to_owned(),
        target_id: sender_id,
        metadata: None,
    };
    reply_outbox
        .send(Outbound::Frame(peer.encode()))
        .await
        .map_err(|_| "connection closed during the handshake".to_owned())?;
    Ok(peer_key)
}

/// Handles messages until the device leaves or breaks the protocol.
async fn receive_loop(
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    tenant: &Arc<Tenant>,
    peer_key: PeerKey,
) -> Result<(), String> {
    while let Some(message) = next_message(stream).await? {
        let (document_id, data, is_request) = match message {
            Message::Request { document_id, data, .. } => (document_id, data, true),
            Message::Sync { document_id, data, .. } => (document_id, data, false),
            Message::Leave { .. } => return Ok(()),
            Message::Join { .. } => return Err("join was already received on this connection".to_owned()),
            Message::Peer { .. } => return Err("peer is sent by the server, not by a device".to_owned()),
            Message::Error { message } => {
                tracing::warn!(device_error = %message, "device reported a protocol error");
                return Ok(());
            }
            // Not relayed in this version: documents are kept, presence is not.
            Message::Ephemeral { .. } | Message::DocUnavailable { .. } | Message::Unsupported { .. } => continue,
        };

        let tenant = tenant.clone();
        let outcome =
            tokio::task::spawn_blocking(move || tenant.lock().receive(peer_key, document_id, &data, is_request))
                .await
                .map_err(|error| format!("internal error: {error}"))?;
        match outcome {
            Ok(()) => {}
            Err(SyncFault::Refused(reason)) => return Err(reason),
            Err(fault @ SyncFault::Internal { .. }) => {
                tracing::error!(error = ?fault, "sync failed");
                return Err(fault.to_string());
            }
        }
    }
    Ok(())
}

/// Reads the next protocol message. `Ok(None)` means the socket closed.
async fn next_message(stream: &mut futures_util::stream::SplitStream<WebSocket>) -> Result<Option<Message>, String> {
    loop {
        let Some(frame) = stream.next().await else {
            return Ok(None);
        };
        let frame = frame.map_err(|error| format!("WebSocket error: {error}"))?;
        match frame {
            Frame::Binary(bytes) => return Message::decode(&bytes).map(Some).map_err(|error| error.to_string()),
            Frame::Text(_) => {
                return Err("text frames are not part of the protocol; send CBOR in binary frames".to_owned());
            }
            Frame::Close(_) => return Ok(None),
            Frame::Ping(_) | Frame::Pong(_) => continue,
        }
    }
}
