//! Hostile and malformed input on the sync endpoint: each gets a specific error, changes
//! nothing stored, and leaves the server serving others.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use automerge::Automerge;
use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc};
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, EditContext};
use dms_documents::wire::{MAX_MESSAGE_BYTES, Message};
use dms_domain::{CartId, PartyId, ProductId, TenantId, UserId};
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use tokio_tungstenite::tungstenite::Message as Frame;

fn new_cart(tenant: &str, buyer: &str, user: &str) -> (DocumentId, Automerge) {
    let cart_id = CartId::generate();
    let mut doc = Automerge::new();
    let header = CartHeader {
        cart_id,
        tenant_id: TenantId::new(tenant).unwrap(),
        buyer_id: PartyId::new(buyer).unwrap(),
        created_by: UserId::new(user).unwrap(),
        created_at: "2026-12-04T10:00:00+05:30".parse().unwrap(),
    };
    cart::create_cart(&mut doc, &header).unwrap();
    (DocumentId::for_cart(cart_id), doc)
}

fn edit(user: &str) -> EditContext {
    EditContext {
        user_id: UserId::new(user).unwrap(),
        device_id: "raw".to_owned(),
        at: "2026-12-04T10:05:00+05:30".parse().unwrap(),
    }
}

fn stored_documents(server: &TestServer, tenant: &TenantId) -> usize {
    let handle = server.state.hub.tenant(tenant).unwrap();
    handle.lock().store().document_records().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_bad_token_is_refused_before_upgrade() {
    let server = TestServer::start().await;
    server.tenant_with_catalog("acme-dist");

    assert_eq!(RawPeer::connect(&server.sync_url(), None).await.err(), Some(401));
    assert_eq!(
        RawPeer::connect(&server.sync_url(), Some("not-a-token")).await.err(),
        Some(401)
    );

    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/catalog", server.url))
        .bearer_auth("0".repeat(64))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_before_join_gets_an_error() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let mut peer = RawPeer::connect(&server.sync_url(), Some(&token)).await.unwrap();

    let (document_id, _) = new_cart("acme-dist", "kirana-12", "asha");
    peer.send(&Message::Sync {
        sender_id: "x".into(),
        target_id: "y".into(),
        document_id,
        data: vec![0x42],
    })
    .await;

    match peer.receive().await {
        Some(Message::Error { message }) => assert!(
            message.contains("expected join as the first message, got sync"),
            "{message}"
        ),
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(peer.closed().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_cbor_and_text_frames_get_specific_errors() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    peer.send_frame(Frame::Binary(vec![0xff, 0x00, 0x13].into())).await;
    match peer.receive().await {
        Some(Message::Error { message }) => assert!(message.contains("not valid CBOR"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    peer.send_frame(Frame::Text("{\"type\":\"join\"}".into())).await;
    match peer.receive().await {
        Some(Message::Error { message }) => assert!(
            message.contains("text frames are not part of the protocol"),
            "{message}"
        ),
        other => panic!("expected an error, got {other:?}"),
    }

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, _) = new_cart("acme-dist", "kirana-12", "asha");
    peer.send(&Message::Sync {
        sender_id: peer.peer_id.clone(),
        target_id: "dms-sync-server".into(),
        document_id,
        data: b"not an automerge message".to_vec(),
    })
    .await;
    match peer.receive().await {
        Some(Message::Error { message }) => assert!(message.contains("invalid automerge sync message"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(stored_documents(&server, &tenant), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frame_closes_the_connection_and_the_server_keeps_serving() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    peer.send_frame(Frame::Binary(vec![0u8; MAX_MESSAGE_BYTES + 1].into()))
        .await;
    assert!(peer.closed().await);

    // Another device still syncs.
    let mut other = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, mut doc) = new_cart("acme-dist", "kirana-12", "asha");
    assert_eq!(other.push(document_id, &mut doc).await, PushOutcome::Accepted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_product_and_bad_quantity_are_refused_and_not_stored() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");

    // A product the catalog lacks.
    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, mut doc) = new_cart("acme-dist", "kirana-12", "asha");
    let unknown = ProductId::new("NOPE-1").unwrap();
    cart::set_line(&mut doc, &unknown, "2".parse().unwrap(), None, &edit("asha")).unwrap();
    match peer.push(document_id, &mut doc).await {
        PushOutcome::Refused(message) => assert!(message.contains("product NOPE-1 is not in the catalog"), "{message}"),
        PushOutcome::Accepted => panic!("unknown product accepted"),
    }

    // A negative quantity written by a client that skips the domain checks.
    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, mut doc) = new_cart("acme-dist", "kirana-12", "asha");
    let (_, lines) = doc.get(ROOT, "lines").unwrap().unwrap();
    let mut transaction = doc.transaction();
    let line = transaction.put_object(&lines, "DM-001", ObjType::Map).unwrap();
    transaction.put(&line, "quantity", "-3").unwrap();
    transaction.put(&line, "updated_by", "asha").unwrap();
    transaction
        .put(&line, "updated_at", "2026-12-04T10:00:00+05:30")
        .unwrap();
    transaction.commit();
    match peer.push(document_id, &mut doc).await {
        PushOutcome::Refused(message) => {
            assert!(
                message.contains("invalid quantity \"-3\": must be greater than zero"),
                "{message}"
            )
        }
        PushOutcome::Accepted => panic!("negative quantity accepted"),
    }

    assert_eq!(stored_documents(&server, &tenant), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_creator_and_foreign_buyer_are_refused() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, mut doc) = new_cart("acme-dist", "kirana-99", "asha");
    match peer.push(document_id, &mut doc).await {
        PushOutcome::Refused(message) => {
            assert!(
                message.contains("is for buyer kirana-99, which user asha does not act for"),
                "{message}"
            )
        }
        PushOutcome::Accepted => panic!("foreign buyer accepted"),
    }

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, mut doc) = new_cart("acme-dist", "kirana-12", "someone-else");
    match peer.push(document_id, &mut doc).await {
        PushOutcome::Refused(message) => {
            assert!(
                message.contains("claims to be created by someone-else, but was sent by asha"),
                "{message}"
            )
        }
        PushOutcome::Accepted => panic!("forged creator accepted"),
    }
    assert_eq!(stored_documents(&server, &tenant), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_cart_cannot_return_to_draft() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (document_id, mut doc) = new_cart("acme-dist", "kirana-12", "asha");
    cart::set_line(
        &mut doc,
        &ProductId::new("DM-001").unwrap(),
        "1".parse().unwrap(),
        None,
        &edit("asha"),
    )
    .unwrap();
    cart::submit(&mut doc, &edit("asha")).unwrap();
    assert_eq!(peer.push(document_id, &mut doc).await, PushOutcome::Accepted);

    let mut transaction = doc.transaction();
    transaction.put(ROOT, "status", "draft").unwrap();
    transaction.commit();
    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    match peer.push(document_id, &mut doc).await {
        PushOutcome::Refused(message) => {
            assert!(message.contains("is submitted and cannot return to draft"), "{message}")
        }
        PushOutcome::Accepted => panic!("reopened cart accepted"),
    }

    let handle = server.state.hub.tenant(&tenant).unwrap();
    let record = handle.lock().store().document_record(&document_id).unwrap().unwrap();
    assert_eq!(record.status.as_deref(), Some("submitted"));
    assert_eq!(handle.lock().store().order_requests(None).unwrap().len(), 1);
}
