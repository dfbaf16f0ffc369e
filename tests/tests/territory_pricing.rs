//! Schemes aimed at a sales territory apply to the territory's members, on the device offline
//! and on the server. A sales rep's device prices a buyer's cart at that buyer's price list,
//! so its figures match the order request the server prices.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_device::Device;
use dms_domain::{CartId, PartyId, ProductId, Quantity};
use dms_tests::back_office::{BackOffice, DAL_PRICES, pune_scheme, send_json};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Sends a request as the seller's admin and returns the status and JSON body.
async fn admin_call(setup: &BackOffice, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    call(method, &setup.url(path), &setup.admin_token, body).await
}

/// Reads the order request made from `cart`, as the seller's admin sees it.
async fn order_request(setup: &BackOffice, cart: CartId) -> Value {
    let (status, orders) = admin_call(setup, Method::GET, "order-requests", None).await;
    assert_eq!(status, StatusCode::OK);
    orders
        .as_array()
        .unwrap()
        .iter()
        .find(|order| order["cart_id"] == cart.to_string())
        .cloned()
        .unwrap()
}

async fn call(method: Method, url: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (status, body) = send_json(method, url, token, body).await;
    (StatusCode::from_u16(status).unwrap(), body)
}

fn dal() -> ProductId {
    ProductId::new("DM-001").unwrap()
}

/// Syncs, builds a cart of 4 × DM-001 for `buyer` (`None`: the phone's own party), submits
/// it and syncs again. Returns the cart and the total the device showed.
async fn submit_dal(phone: &Device, buyer: Option<PartyId>) -> (CartId, String) {
    phone.sync_now().await.unwrap();
    let cart = phone.create_cart(buyer).unwrap();
    phone.set_line(cart, &dal(), "4".parse::<Quantity>().unwrap()).unwrap();
    let total = phone.cart_totals(cart).unwrap().total.to_string();
    phone.submit(cart).unwrap();
    phone.sync_now().await.unwrap();
    (cart, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn territory_scheme_applies_to_members_only() {
    let setup = BackOffice::start(DAL_PRICES).await;
    let (member, member_token) = setup.server.partner_token(&setup.tenant, "asha", "kirana-pune");
    let (outsider, outsider_token) = setup.server.partner_token(&setup.tenant, "mohan", "kirana-nashik");
    setup
        .put_ok(
            &setup.admin_token,
            "territories/pune",
            json!({ "name": "Pune", "members": ["kirana-pune"] }),
        )
        .await;
    setup.put_ok(&setup.admin_token, "schemes", pune_scheme()).await;

    // 4 × 172.50 = 690.00; 10 % off = 621.00; GST 5 % = 31.05; 652.05 rounds to 652.00.
    let member_phone = setup.server.device("pune-phone", &member, &member_token);
    let (cart, device_total) = submit_dal(&member_phone, None).await;
    assert_eq!(device_total, "652.00");
    let order = order_request(&setup, cart).await;
    assert_eq!(order["total"], "652.00");
    assert_eq!(order["figures_differ"], false);
    assert!(
        order["explanation"].to_string().contains("PUNE10"),
        "{}",
        order["explanation"]
    );

    // 690.00 + 5 % = 724.50, which rounds half up to 725.00.
    let outsider_phone = setup.server.device("nashik-phone", &outsider, &outsider_token);
    let (cart, device_total) = submit_dal(&outsider_phone, None).await;
    assert_eq!(device_total, "725.00");
    let order = order_request(&setup, cart).await;
    assert_eq!(order["total"], "725.00");
    assert!(!order["explanation"].to_string().contains("PUNE10"));

    // Each partner's scheme list holds only what can apply to it.
    let (_, listed) = call(Method::GET, &setup.url("schemes"), &member_token, None).await;
    assert_eq!(listed[0]["id"], "PUNE10");
    let (_, listed) = call(Method::GET, &setup.url("schemes"), &outsider_token, None).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn territory_membership_refuses_bad_input() {
    let setup = BackOffice::start(DAL_PRICES).await;
    setup.server.partner_token(&setup.tenant, "asha", "kirana-pune");
    setup
        .put_ok(
            &setup.admin_token,
            "territories/pune",
            json!({ "name": "Pune", "members": ["kirana-pune"] }),
        )
        .await;

    let (status, problem) = admin_call(
        &setup,
        Method::PUT,
        "territories/nashik",
        Some(json!({ "name": "Nashik", "members": ["kirana-pune"] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("already in territory pune"),
        "{problem}"
    );

    let (status, problem) = admin_call(
        &setup,
        Method::PUT,
        "territories/north",
        Some(json!({ "name": "North", "members": ["kirana-unknown"] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("kirana-unknown"),
        "{problem}"
    );

    let (status, _) = admin_call(&setup, Method::PUT, "territories/blank", Some(json!({ "name": "  " }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, listed) = admin_call(&setup, Method::GET, "territories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        listed,
        json!([{ "id": "pune", "name": "Pune", "members": ["kirana-pune"] }])
    );

    // Leaving one territory lets the buyer join another.
    setup
        .put_ok(
            &setup.admin_token,
            "territories/pune",
            json!({ "name": "Pune", "members": [] }),
        )
        .await;
    setup
        .put_ok(
            &setup.admin_token,
            "territories/nashik",
            json!({ "name": "Nashik", "members": ["kirana-pune"] }),
        )
        .await;
    let (status, _) = admin_call(&setup, Method::DELETE, "territories/pune", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin_call(&setup, Method::DELETE, "territories/pune", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = admin_call(&setup, Method::GET, "territories", None).await;
    assert_eq!(
        listed,
        json!([{ "id": "nashik", "name": "Nashik", "members": ["kirana-pune"] }])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rep_device_uses_buyer_price_list() {
    let setup = BackOffice::start(DAL_PRICES).await;
    setup.server.partner_token(&setup.tenant, "gita", "kirana-gold");
    setup.server.partner_token(&setup.tenant, "mohan", "kirana-plain");
    setup.server.partner_token(&setup.tenant, "asha", "kirana-pune");
    setup
        .put_ok(
            &setup.admin_token,
            "price-lists/pl-gold",
            json!({
                "name": "Gold",
                "items": [{ "product_id": "DM-001", "price": "160.00" }],
                "assignments": [{ "kind": "partner", "id": "kirana-gold" }]
            }),
        )
        .await;
    setup
        .put_ok(
            &setup.admin_token,
            "territories/pune",
            json!({ "name": "Pune", "members": ["kirana-pune"] }),
        )
        .await;
    setup.put_ok(&setup.admin_token, "schemes", pune_scheme()).await;

    let (rep, rep_token) = setup.server.staff_token(&setup.tenant, "rep-ravi");
    let rep_phone = setup.server.device("rep-phone", &rep, &rep_token);

    // Gold list: 4 × 160.00 = 640.00; GST 5 % = 32.00; total 672.00.
    let gold = PartyId::new("kirana-gold").unwrap();
    let (cart, device_total) = submit_dal(&rep_phone, Some(gold)).await;
    assert_eq!(device_total, "672.00");
    let line = &rep_phone.cart(cart).unwrap().lines[&dal()];
    assert_eq!(line.unit_price_seen.unwrap().to_string(), "160.00");
    let order = order_request(&setup, cart).await;
    assert_eq!(order["total"], "672.00");
    assert_eq!(order["total_seen"], "672.00");
    assert_eq!(order["figures_differ"], false);
    assert_eq!(order["lines"][0]["unit_price"], "160.00");

    // No list: the catalog price, 690.00 + 5 % = 724.50, rounded to 725.00.
    let plain = PartyId::new("kirana-plain").unwrap();
    let (cart, device_total) = submit_dal(&rep_phone, Some(plain)).await;
    assert_eq!(device_total, "725.00");
    assert_eq!(order_request(&setup, cart).await["total"], "725.00");

    // The rep's terms carry the buyer's territory, so the Pune scheme applies: 652.00.
    let pune = PartyId::new("kirana-pune").unwrap();
    let (cart, device_total) = submit_dal(&rep_phone, Some(pune)).await;
    assert_eq!(device_total, "652.00");
    let order = order_request(&setup, cart).await;
    assert_eq!(order["total"], "652.00");
    assert_eq!(order["figures_differ"], false);
}
