//! A server message whose change arrives without the change it depends on.
//!
//! The server leaves out a change when its bloom filter test wrongly reports that the device
//! already has it. The device requests it, and must still have the change that waited for it
//! when it arrives. A device that forgot the waiting change would request it again, and the
//! round would never end, because a change is never sent twice on one connection.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use automerge::ReadDoc;
use automerge::sync::{BloomFilter, Have, Message as SyncMessage, State as SyncState, SyncDoc};
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartView, EditContext};
use dms_domain::{PartyId, ProductId, TenantId, UserId};

use crate::device::{Device, DeviceConfig, DeviceIdentity};
use crate::sync::apply_remote;

fn open_device(folder: &std::path::Path) -> Device {
    Device::open(
        &folder.join("phone.sqlite"),
        DeviceConfig {
            server_url: "http://127.0.0.1:9".to_owned(),
            access_token: "token".to_owned(),
            refresh_token: None,
            identity: DeviceIdentity {
                tenant_id: TenantId::new("acme-dist").unwrap(),
                user_id: UserId::new("asha").unwrap(),
                party_id: Some(PartyId::new("kirana-12").unwrap()),
                device_id: "phone".to_owned(),
            },
        },
    )
    .unwrap()
}

fn staff_edit() -> EditContext {
    EditContext {
        user_id: UserId::new("rep-ravi").unwrap(),
        device_id: "office".to_owned(),
        at: "2026-12-04T11:00:00+05:30".parse().unwrap(),
    }
}

#[test]
fn device_requests_withheld_dependency() {
    let folder = tempfile::tempdir().unwrap();
    let device = open_device(folder.path());
    let cart_id = device.create_cart(None).unwrap();
    let document_id = DocumentId::for_cart(cart_id);
    let created = device.shared.lock().documents[&document_id].clone();

    // The server has the cart and two later edits; the second depends on the first.
    let mut server = created.clone();
    let dal = ProductId::new("DM-001").unwrap();
    cart::set_line(&mut server, &dal, "2".parse().unwrap(), None, &staff_edit()).unwrap();
    let first = server.get_heads()[0];
    cart::set_line(&mut server, &dal, "5".parse().unwrap(), None, &staff_edit()).unwrap();
    let second = server.get_heads()[0];

    // The device opens; the server's filter test wrongly reports that the device has the first edit,
    // so its answer carries only the second.
    let mut device_state = SyncState::new();
    let opening = created.generate_sync_message(&mut device_state).unwrap();
    let mut server_state = SyncState::new();
    server.receive_sync_message(&mut server_state, opening).unwrap();
    server_state.their_have = Some(vec![Have {
        last_sync: created.get_heads(),
        bloom: BloomFilter::from_hashes([first].iter()),
    }]);
    let answer = server.generate_sync_message(&mut server_state).unwrap();
    assert_eq!(answer.changes.len(), 1);

    let applied = apply_remote(&device.shared, document_id, device_state, &answer.encode()).unwrap();
    assert_eq!(applied.changes_received, 0);
    assert!(!applied.settled);
    let reply = SyncMessage::decode(&applied.reply.unwrap()).unwrap();
    assert_eq!(reply.need, vec![first]);

    // Given the first edit, the device applies both and has the server's heads.
    server.receive_sync_message(&mut server_state, reply).unwrap();
    let resend = server.generate_sync_message(&mut server_state).unwrap();
    let applied = apply_remote(&device.shared, document_id, applied.state, &resend.encode()).unwrap();
    assert_eq!(applied.changes_received, 2);
    let held = device.shared.lock().documents[&document_id].clone();
    assert_eq!(held.get_heads(), vec![second]);
    let view = CartView::read(&held).unwrap();
    assert_eq!(view.lines[&dal].quantity.to_string(), "5");
    assert!(held.get_missing_deps(&[]).is_empty());
}

#[test]
fn waiting_change_is_not_stored() {
    let folder = tempfile::tempdir().unwrap();
    let device = open_device(folder.path());
    let cart_id = device.create_cart(None).unwrap();
    let document_id = DocumentId::for_cart(cart_id);
    let created = device.shared.lock().documents[&document_id].clone();

    let mut server = created.clone();
    let dal = ProductId::new("DM-001").unwrap();
    cart::set_line(&mut server, &dal, "2".parse().unwrap(), None, &staff_edit()).unwrap();
    let first = server.get_heads()[0];
    cart::set_line(&mut server, &dal, "5".parse().unwrap(), None, &staff_edit()).unwrap();

    let mut device_state = SyncState::new();
    let opening = created.generate_sync_message(&mut device_state).unwrap();
    let mut server_state = SyncState::new();
    server.receive_sync_message(&mut server_state, opening).unwrap();
    server_state.their_have = Some(vec![Have {
        last_sync: created.get_heads(),
        bloom: BloomFilter::from_hashes([first].iter()),
    }]);
    let answer = server.generate_sync_message(&mut server_state).unwrap();
    apply_remote(&device.shared, document_id, device_state, &answer.encode()).unwrap();

    // Reopened, the device has only the cart it made: the waiting change was never stored.
    drop(device);
    let reopened = open_device(folder.path());
    let held = reopened.shared.lock().documents[&document_id].clone();
    assert_eq!(held.get_heads(), created.get_heads());
    assert!(CartView::read(&held).unwrap().lines.is_empty());
}
