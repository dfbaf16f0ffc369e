//! Carts edited offline on field devices, synced through a real server over WebSockets, and
//! reconciled into the tenant's database.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_documents::cart::CartStatus;
use dms_domain::{ProductId, Quantity};
use dms_tests::TestServer;
use rust_decimal_macros::dec;

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_from_two_devices_merge_without_loss() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, owner_token) = server.partner_token(&tenant, "asha", "kirana-12");
    let (clerk, clerk_token) = server.partner_token(&tenant, "vijay", "kirana-12");
    let phone_a = server.device("phone-a", &owner, &owner_token);
    let phone_b = server.device("phone-b", &clerk, &clerk_token);

    // Phone A starts the cart online; phone B picks it up.
    phone_a.sync_now().await.unwrap();
    let cart = phone_a.create_cart(None).unwrap();
    phone_a.set_line(cart, &product("DM-001"), quantity("2")).unwrap();
    phone_a.set_line(cart, &product("DM-003"), quantity("1")).unwrap();
    phone_a.sync_now().await.unwrap();
    phone_b.sync_now().await.unwrap();
    assert_eq!(phone_b.cart(cart).unwrap().lines.len(), 2);

    // Offline on both: different products added, one line set on both, one removed on A
    // while B changes it.
    phone_a.set_line(cart, &product("DM-002"), quantity("4")).unwrap();
    phone_b.set_line(cart, &product("DM-008"), quantity("3")).unwrap();
    phone_a.set_line(cart, &product("DM-001"), quantity("5")).unwrap();
    phone_b.set_line(cart, &product("DM-001"), quantity("7")).unwrap();
    phone_a.remove_line(cart, &product("DM-003")).unwrap();
    phone_b.set_line(cart, &product("DM-003"), quantity("6")).unwrap();
    assert_eq!(phone_a.sync_status().unwrap().pending_documents, 1);

    for _ in 0..2 {
        phone_a.sync_now().await.unwrap();
        phone_b.sync_now().await.unwrap();
    }

    let view_a = phone_a.cart(cart).unwrap();
    let view_b = phone_b.cart(cart).unwrap();
    assert_eq!(view_a, view_b);
    let quantities: Vec<(String, String)> = view_a
        .lines
        .values()
        .map(|line| (line.product_id.to_string(), line.quantity.to_string()))
        .collect();
    // DM-001: both set it concurrently; one deterministic winner, the other kept as a conflict.
    let dm001 = &view_a.lines[&product("DM-001")];
    let winner = dm001.quantity.to_string();
    assert!(winner == "5" || winner == "7", "DM-001 is {winner}");
    assert_eq!(dm001.conflicting_quantities.len(), 1);
    assert_eq!(
        quantities,
        vec![
            ("DM-001".to_owned(), winner),
            ("DM-002".to_owned(), "4".to_owned()),
            ("DM-003".to_owned(), "6".to_owned()), // the change beat the concurrent removal
            ("DM-008".to_owned(), "3".to_owned()),
        ]
    );
    assert_eq!(phone_a.sync_status().unwrap().pending_documents, 0);
    assert_eq!(phone_b.sync_status().unwrap().pending_documents, 0);

    // The server holds the same heads as both phones.
    let tenant_handle = server.state.hub.tenant(&tenant).unwrap();
    let document_id = dms_documents::DocumentId::for_cart(cart);
    let server_heads = tenant_handle.lock().document(&document_id).unwrap().get_heads();
    assert_eq!(phone_a.document_heads(&document_id), server_heads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_from_two_devices_makes_one_order_request() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, owner_token) = server.partner_token(&tenant, "asha", "kirana-12");
    let (clerk, clerk_token) = server.partner_token(&tenant, "vijay", "kirana-12");
    let phone_a = server.device("phone-a", &owner, &owner_token);
    let phone_b = server.device("phone-b", &clerk, &clerk_token);

    phone_a.sync_now().await.unwrap();
    let cart = phone_a.create_cart(None).unwrap();
    phone_a.set_line(cart, &product("DM-001"), quantity("2")).unwrap(); // 172.50 each
    phone_a.set_line(cart, &product("DM-004"), quantity("1.5")).unwrap(); // 362.25 each
    phone_a.sync_now().await.unwrap();
    phone_b.sync_now().await.unwrap();

    // Both phones submit while offline, then both sync, then sync again as a retry would.
    phone_a.submit(cart).unwrap();
    phone_b.submit(cart).unwrap();
    for _ in 0..2 {
        phone_a.sync_now().await.unwrap();
        phone_b.sync_now().await.unwrap();
    }

    let tenant_handle = server.state.hub.tenant(&tenant).unwrap();
    let orders = tenant_handle.lock().store().order_requests(None).unwrap();
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    assert_eq!(order.cart_id, cart);
    assert_eq!(order.buyer_id.as_str(), "kirana-12");
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].line_total.rupees(), dec!(345.00));
    assert_eq!(order.lines[1].line_total.rupees(), dec!(543.38)); // 543.375 rounded half up
    assert_eq!(order.total.rupees(), dec!(888.38));
    assert_eq!(order.total_seen.rupees(), dec!(888.38));
    assert_eq!(tenant_handle.lock().store().duplicate_order_requests().unwrap(), 0);
    assert_eq!(phone_b.cart(cart).unwrap().status, CartStatus::Submitted);

    // The partner reads its order request over REST.
    let response: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/order-requests", server.url))
        .bearer_auth(&clerk_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(response.as_array().unwrap().len(), 1);
    assert_eq!(response[0]["total"], "888.38");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_rep_cart_for_a_partner_is_visible_to_that_partner_only() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (rep, rep_token) = server.staff_token(&tenant, "rep-ravi");
    let (partner, partner_token) = server.partner_token(&tenant, "asha", "kirana-12");
    let (other, other_token) = server.partner_token(&tenant, "mohan", "kirana-99");
    let rep_phone = server.device("rep-phone", &rep, &rep_token);
    let partner_phone = server.device("partner-phone", &partner, &partner_token);
    let other_phone = server.device("other-phone", &other, &other_token);

    rep_phone.sync_now().await.unwrap();
    let cart = rep_phone
        .create_cart(Some(dms_domain::PartyId::new("kirana-12").unwrap()))
        .unwrap();
    rep_phone.set_line(cart, &product("DM-010"), quantity("24")).unwrap();
    rep_phone.sync_now().await.unwrap();

    partner_phone.sync_now().await.unwrap();
    other_phone.sync_now().await.unwrap();
    assert_eq!(
        partner_phone.cart(cart).unwrap().lines[&product("DM-010")].quantity,
        quantity("24")
    );
    assert!(other_phone.cart(cart).is_err());
    assert!(other_phone.carts().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restart_keeps_documents_and_order_requests() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let devices_folder = server.folder.path().join("devices");
    let phone = dms_tests::open_device(&devices_folder, "phone-a", &server.url, &owner, &token);
    phone.sync_now().await.unwrap();
    let cart = phone.create_cart(None).unwrap();
    phone.set_line(cart, &product("DM-002"), quantity("3")).unwrap();
    phone.submit(cart).unwrap();
    phone.sync_now().await.unwrap();
    drop(phone);

    // Restart the server over the same folder; the device reconnects to the new address.
    let folder = server.stop().await;
    let server = TestServer::start_in(folder).await;
    let phone = dms_tests::open_device(&devices_folder, "phone-a", &server.url, &owner, &token);
    let report = phone.sync_now().await.unwrap();
    assert_eq!(report.documents_synced, 1);
    assert_eq!(report.changes_received, 0);

    let tenant_handle = server.state.hub.tenant(&tenant).unwrap();
    let orders = tenant_handle.lock().store().order_requests(None).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].total.rupees(), dec!(1497.00));
    let document_id = dms_documents::DocumentId::for_cart(cart);
    let server_heads = tenant_handle.lock().document(&document_id).unwrap().get_heads();
    assert_eq!(phone.document_heads(&document_id), server_heads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_edits_offline_rejects_bad_input_and_changes_nothing() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let phone = server.device("phone-a", &owner, &token);
    phone.sync_now().await.unwrap();
    let cart = phone.create_cart(None).unwrap();
    phone.set_line(cart, &product("DM-001"), quantity("2")).unwrap();
    let heads = phone.document_heads(&dms_documents::DocumentId::for_cart(cart));

    assert!("-3".parse::<Quantity>().is_err());
    assert!("0".parse::<Quantity>().is_err());
    let unknown = phone
        .set_line(cart, &product("NOT-IN-CATALOG"), quantity("1"))
        .unwrap_err();
    assert!(
        unknown
            .to_string()
            .contains("NOT-IN-CATALOG is not in this device's catalog"),
        "{unknown}"
    );
    let missing = phone.remove_line(cart, &product("DM-009")).unwrap_err();
    assert!(missing.to_string().contains("no line for product DM-009"), "{missing}");
    let other_cart = phone.set_line(dms_domain::CartId::generate(), &product("DM-001"), quantity("1"));
    assert!(matches!(other_cart, Err(dms_device::DeviceError::CartNotFound(_))));
    let foreign_buyer = phone.create_cart(Some(dms_domain::PartyId::new("kirana-99").unwrap()));
    assert!(matches!(foreign_buyer, Err(dms_device::DeviceError::InvalidInput(_))));

    assert_eq!(phone.document_heads(&dms_documents::DocumentId::for_cart(cart)), heads);
    assert_eq!(phone.carts().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_search_works_offline_after_one_sync() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, token) = server.partner_token(&tenant, "asha", "kirana-12");
    let phone = server.device("phone-a", &owner, &token);
    let report = phone.sync_now().await.unwrap();
    assert!(report.catalog_updated);
    let again = phone.sync_now().await.unwrap();
    assert!(!again.catalog_updated, "an unchanged catalog is not downloaded twice");

    let folder = server.stop().await; // no server from here on
    // Name matches first, then products in a matching category ("Foodgrains, Oil & Masala").
    let found = phone.search_catalog("masala", 5).unwrap();
    let names: Vec<&str> = found.iter().map(|product| product.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Garam Masala",
            "Instant Noodles Masala",
            "Basmati Rice Classic",
            "Cold Pressed Groundnut Oil",
            "Jaggery Cubes"
        ]
    );
    let both_words = phone.search_catalog("oil mustard", 10).unwrap();
    assert_eq!(both_words.len(), 1);
    assert_eq!(both_words[0].id.as_str(), "DM-005");
    assert_eq!(phone.sync_status().unwrap().catalog_products, 24);

    let offline = phone.sync_now().await.unwrap_err();
    assert!(matches!(offline, dms_device::DeviceError::Network(_)), "{offline}");
    assert!(phone.sync_status().unwrap().last_sync_error.is_some());
    drop(folder);
}
