//! A token for one tenant can neither read nor write another tenant's documents, and a
//! partner cannot reach another partner's cart in the same tenant.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, CartView};
use dms_documents::wire::Message;
use dms_domain::{PartyId, ProductId, Quantity, TenantId, UserId};
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_for_tenant_a_cannot_read_or_write_tenant_b_cart() {
    let server = TestServer::start().await;
    let tenant_a = server.tenant_with_catalog("tenant-a");
    let tenant_b = server.tenant_with_catalog("tenant-b");
    let (_, token_a) = server.partner_token(&tenant_a, "asha", "kirana-12");
    let (owner_b, token_b) = server.partner_token(&tenant_b, "asha", "kirana-12");

    // Tenant B's partner makes a cart.
    let phone_b = server.device("phone-b", &owner_b, &token_b);
    phone_b.sync_now().await.unwrap();
    let cart_id = phone_b.create_cart(None).unwrap();
    phone_b
        .set_line(
            cart_id,
            &ProductId::new("DM-001").unwrap(),
            Quantity::new(2.into()).unwrap(),
        )
        .unwrap();
    phone_b.sync_now().await.unwrap();
    let document_id = DocumentId::for_cart(cart_id);
    let handle_b = server.state.hub.tenant(&tenant_b).unwrap();
    let heads_before = handle_b.lock().document(&document_id).unwrap().get_heads();

    // Same user and party names, other tenant's token: the cart does not exist for it.
    let mut peer = RawPeer::joined(&server.sync_url(), &token_a).await;
    match peer.request(document_id).await {
        Some(Message::DocUnavailable { document_id: id, .. }) => assert_eq!(id, document_id),
        other => panic!("expected doc-unavailable, got {other:?}"),
    }

    // Writing a cart under that id that claims tenant B is refused.
    let mut forged = Automerge::new();
    let header = CartHeader {
        cart_id,
        tenant_id: TenantId::new("tenant-b").unwrap(),
        buyer_id: PartyId::new("kirana-12").unwrap(),
        created_by: UserId::new("asha").unwrap(),
        created_at: "2026-12-04T10:00:00+05:30".parse().unwrap(),
    };
    cart::create_cart(&mut forged, &header).unwrap();
    match peer.push(document_id, &mut forged).await {
        PushOutcome::Refused(message) => {
            assert!(
                message.contains("names tenant tenant-b, but this connection is for tenant tenant-a"),
                "{message}"
            )
        }
        PushOutcome::Accepted => panic!("cross-tenant write accepted"),
    }

    // Tenant B's copy is untouched and tenant A stored nothing; REST agrees.
    assert_eq!(
        handle_b.lock().document(&document_id).unwrap().get_heads(),
        heads_before
    );
    let handle_a = server.state.hub.tenant(&tenant_a).unwrap();
    assert!(handle_a.lock().store().document_record(&document_id).unwrap().is_none());
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/documents", server.url))
        .bearer_auth(&token_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_cannot_read_or_write_another_partners_cart() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, owner_token) = server.partner_token(&tenant, "asha", "kirana-12");
    let (_, other_token) = server.partner_token(&tenant, "mohan", "kirana-99");

    let phone = server.device("phone-a", &owner, &owner_token);
    phone.sync_now().await.unwrap();
    let cart_id = phone.create_cart(None).unwrap();
    phone
        .set_line(
            cart_id,
            &ProductId::new("DM-002").unwrap(),
            Quantity::new(1.into()).unwrap(),
        )
        .unwrap();
    phone.sync_now().await.unwrap();
    let document_id = DocumentId::for_cart(cart_id);

    let mut peer = RawPeer::joined(&server.sync_url(), &other_token).await;
    match peer.request(document_id).await {
        Some(Message::DocUnavailable { .. }) => {}
        other => panic!("expected doc-unavailable, got {other:?}"),
    }

    // Offering changes to it is refused and changes nothing.
    let mut copy = Automerge::new();
    let handle = server.state.hub.tenant(&tenant).unwrap();
    let stored = handle.lock().document(&document_id).unwrap().save();
    copy.load_incremental(&stored).unwrap();
    let mut peer = RawPeer::joined(&server.sync_url(), &other_token).await;
    match peer.push(document_id, &mut copy).await {
        PushOutcome::Refused(message) => {
            assert!(message.contains("cannot be written by user mohan"), "{message}")
        }
        PushOutcome::Accepted => panic!("another partner's write accepted"),
    }
    let view = CartView::read(handle.lock().document(&document_id).unwrap()).unwrap();
    assert_eq!(view.lines.len(), 1);
}
