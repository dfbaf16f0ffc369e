//! A device's change that reaches the server before the change it depends on.
//!
//! A device leaves out a change when its bloom filter test wrongly reports that the server
//! already has it. The server must request the missing change and apply both once it arrives.
//! A server that forgot the waiting change between messages would exchange the same two
//! messages with the device until the sync round timed out.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use automerge::sync::{BloomFilter, Have, Message as SyncMessage, MessageVersion, State as SyncState, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ROOT, ReadDoc};
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, EditContext};
use dms_documents::wire::Message;
use dms_domain::{CartId, PartyId, ProductId, TenantId, UserId};
use dms_server::tenant::waiting_changes::MAX_WAITING_BYTES;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};

fn new_cart() -> (DocumentId, Automerge) {
    let cart_id = CartId::generate();
    let mut doc = Automerge::new();
    let header = CartHeader {
        cart_id,
        tenant_id: TenantId::new("acme-dist").unwrap(),
        buyer_id: PartyId::new("kirana-12").unwrap(),
        created_by: UserId::new("asha").unwrap(),
        created_at: "2026-12-04T10:00:00+05:30".parse().unwrap(),
    };
    cart::create_cart(&mut doc, &header).unwrap();
    (DocumentId::for_cart(cart_id), doc)
}

fn edit() -> EditContext {
    EditContext {
        user_id: UserId::new("asha").unwrap(),
        device_id: "raw".to_owned(),
        at: "2026-12-04T10:05:00+05:30".parse().unwrap(),
    }
}

/// Writes `key` in one change and returns its hash.
fn put_note(doc: &mut Automerge, key: &str, value: String) -> ChangeHash {
    doc.transact::<_, _, automerge::AutomergeError>(|transaction| transaction.put(ROOT, key, value))
        .unwrap();
    doc.get_heads()[0]
}

fn sync(peer: &RawPeer, document_id: DocumentId, message: SyncMessage) -> Message {
    Message::Sync {
        sender_id: peer.peer_id.clone(),
        target_id: "dms-sync-server".to_owned(),
        document_id,
        data: message.encode(),
    }
}

async fn next_sync(peer: &mut RawPeer) -> SyncMessage {
    match peer.receive().await {
        Some(Message::Sync { data, .. }) => SyncMessage::decode(&data).unwrap(),
        other => panic!("expected a sync message, got {other:?}"),
    }
}

fn stored_heads(server: &TestServer, document_id: DocumentId) -> Vec<ChangeHash> {
    let tenant = server.state.hub.tenant(&TenantId::new("acme-dist").unwrap()).unwrap();
    let records = tenant.lock().store().document_records().unwrap();
    records
        .into_iter()
        .find(|record| record.document_id == document_id)
        .unwrap()
        .heads
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_requests_withheld_dependency() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let (document_id, mut doc) = new_cart();
    let mut first_peer = RawPeer::joined(&server.sync_url(), &token).await;
    assert_eq!(first_peer.push(document_id, &mut doc).await, PushOutcome::Accepted);
    let created = doc.get_heads();

    // Two edits offline; the second depends on the first.
    let dal = ProductId::new("DM-001").unwrap();
    cart::set_line(&mut doc, &dal, "2".parse().unwrap(), None, &edit()).unwrap();
    let first = doc.get_heads()[0];
    cart::set_line(&mut doc, &dal, "5".parse().unwrap(), None, &edit()).unwrap();
    let second = doc.get_heads()[0];

    // A new connection. The server's reply to the opening tells the device its heads; the
    // device's filter test then wrongly reports that the server has the first edit.
    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let mut state = SyncState::new();
    let opening = doc.generate_sync_message(&mut state).unwrap();
    peer.send(&sync(&peer, document_id, opening)).await;
    let answer = next_sync(&mut peer).await;
    assert_eq!(answer.heads, created);
    doc.receive_sync_message(&mut state, answer).unwrap();
    state.their_have = Some(vec![Have {
        last_sync: created.clone(),
        bloom: BloomFilter::from_hashes([first].iter()),
    }]);
    let only_second = doc.generate_sync_message(&mut state).unwrap();
    assert_eq!(only_second.changes.len(), 1);
    peer.send(&sync(&peer, document_id, only_second)).await;

    // The server keeps the second edit waiting and requests the first.
    let answer = next_sync(&mut peer).await;
    assert_eq!(answer.heads, created);
    assert_eq!(answer.need, vec![first]);
    assert_eq!(stored_heads(&server, document_id), created);

    // Given the first edit, it commits both.
    doc.receive_sync_message(&mut state, answer).unwrap();
    let with_first = doc.generate_sync_message(&mut state).unwrap();
    peer.send(&sync(&peer, document_id, with_first)).await;
    let answer = next_sync(&mut peer).await;
    assert_eq!(answer.heads, vec![second]);
    assert_eq!(stored_heads(&server, document_id), vec![second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piling_up_waiting_changes_is_refused() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let (document_id, mut doc) = new_cart();
    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    assert_eq!(peer.push(document_id, &mut doc).await, PushOutcome::Accepted);
    let created = doc.get_heads();

    // A change the server will never get, then large changes that depend on it.
    put_note(&mut doc, "withheld", "x".to_owned());
    let filler = "x".repeat(1_000_000);
    let mut refused = None;
    for round in 0..12 {
        let hash = put_note(&mut doc, "note", format!("{round}{filler}"));
        let change = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
        let message = SyncMessage {
            heads: vec![hash],
            need: Vec::new(),
            have: Vec::new(),
            changes: vec![change].into(),
            flags: None,
            version: MessageVersion::V1,
        };
        peer.send(&sync(&peer, document_id, message)).await;
        match peer.receive().await {
            Some(Message::Sync { .. }) => {}
            Some(Message::Error { message }) => {
                refused = Some((round, message));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    let (round, message) = refused.expect("the server must refuse changes piling up");
    // Each message is a little over 1,000,000 bytes: eight fit in 8 MiB, the ninth does not.
    assert_eq!(MAX_WAITING_BYTES, 8 * 1024 * 1024);
    assert_eq!(round, 8);
    assert!(message.contains("wait for changes they depend on"), "{message}");
    assert_eq!(stored_heads(&server, document_id), created);
    assert!(peer.closed().await);
}
