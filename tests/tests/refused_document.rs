//! A document the server refuses does not stop the device's other documents from syncing,
//! keeps its edits on the device, and is offered again after a local edit.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_documents::DocumentId;
use dms_documents::cart::CartView;
use dms_domain::{ProductId, Quantity};
use dms_server::registry::LicenceStatus;
use dms_tests::TestServer;

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_cart_does_not_block_the_other_carts() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let phone = server.device("phone-a", &owner, &token);
    phone.sync_now().await.unwrap();
    let old_cart = phone.create_cart(None).unwrap();
    phone.set_line(old_cart, &product("DM-001"), quantity("2")).unwrap();
    phone.sync_now().await.unwrap();

    // The licence lapses: new carts are refused, edits to a draft are not.
    server
        .state
        .registry
        .set_licence_status(&tenant, LicenceStatus::Suspended)
        .unwrap();
    let new_cart = phone.create_cart(None).unwrap();
    phone.set_line(new_cart, &product("DM-004"), quantity("1")).unwrap();
    phone.set_line(old_cart, &product("DM-002"), quantity("3")).unwrap();

    // The refusal names the new cart and the round fails; its edits stay on the phone.
    let error = phone.sync_now().await.unwrap_err().to_string();
    assert!(error.contains(&DocumentId::for_cart(new_cart).to_string()), "{error}");
    let status = phone.sync_status().unwrap();
    assert_eq!(status.refused_documents.len(), 1);
    assert_eq!(
        status.refused_documents[0].document_id,
        DocumentId::for_cart(new_cart).to_string()
    );
    assert_eq!(phone.cart(new_cart).unwrap().lines.len(), 1);

    // The next round skips the refused cart and delivers the old cart's edit.
    phone.sync_now().await.unwrap();
    let handle = server.state.hub.tenant(&tenant).unwrap();
    let old_on_server = CartView::read(handle.lock().document(&DocumentId::for_cart(old_cart)).unwrap()).unwrap();
    assert_eq!(old_on_server.lines[&product("DM-002")].quantity, quantity("3"));
    let status = phone.sync_status().unwrap();
    assert_eq!(status.pending_documents, 1, "only the refused cart is still pending");

    // Once the licence is back, a local edit offers the cart again and it is accepted.
    server
        .state
        .registry
        .set_licence_status(&tenant, LicenceStatus::Active)
        .unwrap();
    phone.set_line(new_cart, &product("DM-004"), quantity("2")).unwrap();
    phone.sync_now().await.unwrap();
    let status = phone.sync_status().unwrap();
    assert!(status.refused_documents.is_empty());
    assert_eq!(status.pending_documents, 0);
    let new_on_server = CartView::read(handle.lock().document(&DocumentId::for_cart(new_cart)).unwrap()).unwrap();
    assert_eq!(new_on_server.lines[&product("DM-004")].quantity, quantity("2"));
}
