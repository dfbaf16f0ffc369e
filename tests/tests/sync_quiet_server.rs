//! A server that completes the handshake and then stops answering must not hang a device's
//! sync round: the round ends, and the unconfirmed cart stays pending for the next round.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ws::{Message as Frame, WebSocketUpgrade};
use axum::routing::get;
use dms_documents::wire::Message;
use dms_domain::{PartyId, TenantId, UserId};
use dms_server::access::{LicenceState, Principal, Role, Standing};

/// Serves an empty catalog and document list, and a sync endpoint that answers `join` with
/// `peer` and then reads everything without replying.
fn quiet_server() -> Router {
    let catalog = serde_json::json!({ "version": 1, "unchanged": false, "products": [] });
    Router::new()
        .route(
            "/api/v1/catalog",
            get(move || async move { axum::Json(catalog.clone()) }),
        )
        .route("/api/v1/documents", get(|| async { axum::Json(serde_json::json!([])) }))
        .route(
            "/sync",
            get(|upgrade: WebSocketUpgrade| async move {
                upgrade.on_upgrade(|mut socket| async move {
                    while let Some(Ok(frame)) = socket.recv().await {
                        let Frame::Binary(bytes) = frame else { continue };
                        if let Ok(Message::Join { sender_id, .. }) = Message::decode(&bytes) {
                            let peer = Message::Peer {
                                sender_id: "quiet".to_owned(),
                                selected_protocol_version: "1".to_owned(),
                                target_id: sender_id,
                                metadata: None,
                            };
                            let _ = socket.send(Frame::Binary(peer.encode().into())).await;
                        }
                    }
                })
            }),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_server_ends_the_round_and_keeps_edits_pending() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, quiet_server()).await });

    let folder = tempfile::tempdir().unwrap();
    let principal = Principal {
        tenant_id: TenantId::new("acme-dist").unwrap(),
        user_id: UserId::new("asha").unwrap(),
        role: Role::PartnerUser,
        standing: Standing::Buyer,
        party_id: Some(PartyId::new("kirana-12").unwrap()),
        // Only the identity fields matter to the device opened with it.
        licence: LicenceState::Missing {
            organisation: TenantId::new("acme-dist").unwrap(),
        },
    };
    let phone = dms_tests::open_device(folder.path(), "phone-a", &url, &principal, "token");
    phone.create_cart(None).unwrap();

    let started = Instant::now();
    let report = phone.sync_now().await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(report.documents_unconfirmed, 1);
    assert_eq!(report.documents_synced, 0);
    assert!(elapsed < Duration::from_secs(20), "the round took {elapsed:?}");
    assert_eq!(phone.sync_status().unwrap().pending_documents, 1);
}
