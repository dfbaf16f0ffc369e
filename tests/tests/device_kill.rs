//! A device process killed right after its edit calls return keeps every edit, and syncs
//! them once reopened.
//!
//! The parent test starts this same test binary again as a child process that opens the
//! store, makes edits and prints a line after each call returns, then waits to be killed.
//! The parent kills it with SIGKILL (no destructors, no flush) and reopens the store.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use dms_domain::{CartId, PartyId, ProductId, Quantity, TenantId, UserId};
use dms_tests::TestServer;
use rust_decimal_macros::dec;

const CHILD_STORE: &str = "DMS_KILL_TEST_STORE";
const CHILD_CART: &str = "DMS_KILL_TEST_CART";
const EDITS: [(&str, &str); 4] = [("DM-002", "3"), ("DM-006", "12"), ("DM-011", "0.5"), ("DM-002", "4")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_killed_after_edits_keeps_them_and_syncs_them() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let devices = server.folder.path().join("devices");

    // Online once: catalog and an empty cart on the server.
    let phone = dms_tests::open_device(&devices, "phone-a", &server.url, &owner, &token);
    phone.sync_now().await.unwrap();
    let cart = phone.create_cart(None).unwrap();
    phone.sync_now().await.unwrap();
    drop(phone);

    // The child edits offline and is killed mid-run.
    let store = dms_tests::device_path(&devices, "phone-a");
    let cart_text = cart.to_string();
    let mut child = dms_tests::spawn_child_test(
        "child_edits_until_killed",
        &[
            (CHILD_STORE, store.as_os_str()),
            (CHILD_CART, cart_text.as_ref()),
            ("DMS_KILL_TEST_URL", server.url.as_ref()),
            ("DMS_KILL_TEST_TOKEN", token.as_ref()),
        ],
    );
    let confirmed = dms_tests::read_markers(&mut child, "edit-returned", EDITS.len()).len();
    dms_tests::kill_child(child);
    assert_eq!(confirmed, EDITS.len());

    // Reopened: every confirmed edit is there and unsynced.
    let phone = dms_tests::open_device(&devices, "phone-a", &server.url, &owner, &token);
    let view = phone.cart(cart).unwrap();
    let lines: Vec<(String, String)> = view
        .lines
        .values()
        .map(|line| (line.product_id.to_string(), line.quantity.to_string()))
        .collect();
    let expected = vec![
        ("DM-002".to_owned(), "4".to_owned()),
        ("DM-006".to_owned(), "12".to_owned()),
        ("DM-011".to_owned(), "0.5".to_owned()),
    ];
    assert_eq!(lines, expected);
    assert_eq!(phone.sync_status().unwrap().pending_documents, 1);

    // And they reach the server.
    phone.sync_now().await.unwrap();
    assert_eq!(phone.sync_status().unwrap().pending_documents, 0);
    let handle = server.state.hub.tenant(&tenant).unwrap();
    let document_id = dms_documents::DocumentId::for_cart(cart);
    let server_view = dms_documents::cart::CartView::read(handle.lock().document(&document_id).unwrap()).unwrap();
    assert_eq!(server_view.lines.len(), 3);
    assert_eq!(
        server_view.lines[&ProductId::new("DM-011").unwrap()].quantity.value(),
        dec!(0.5)
    );
}

/// Runs only as the child process of the test above.
#[test]
#[ignore = "runs as a child process of device_killed_after_edits_keeps_them_and_syncs_them"]
fn child_edits_until_killed() {
    let store = std::env::var(CHILD_STORE).expect("started by the parent test");
    let cart: CartId = std::env::var(CHILD_CART).unwrap().parse().unwrap();
    let url = std::env::var("DMS_KILL_TEST_URL").unwrap();
    let token = std::env::var("DMS_KILL_TEST_TOKEN").unwrap();
    let path = std::path::PathBuf::from(store);
    let phone = dms_tests::open_device_as(
        path.parent().unwrap(),
        "phone-a",
        &url,
        &TenantId::new("acme-dist").unwrap(),
        &UserId::new("asha").unwrap(),
        Some(&PartyId::new("kirana-12").unwrap()),
        &token,
    );

    let mut stdout = std::io::stdout();
    for (product, quantity) in EDITS {
        let quantity: Quantity = quantity.parse().unwrap();
        phone
            .set_line(cart, &ProductId::new(product).unwrap(), quantity)
            .unwrap();
        writeln!(stdout, "edit-returned {product}").unwrap();
        stdout.flush().unwrap();
    }
    std::thread::sleep(std::time::Duration::from_secs(60));
}
