//! A scheme aimed at a partner group applies to the group's members, on the device offline
//! and on the server, and to nobody else.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_device::Device;
use dms_domain::{CartId, ProductId, Quantity, TenantId};
use dms_server::pricing::admin as pricing_admin;
use dms_tests::TestServer;
use serde_json::{Value, json};

/// DM-001 (172.50) at 5 % GST, price without GST.
const PRICING_CSV: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
";

async fn send(method: reqwest::Method, url: &str, token: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new().request(method.clone(), url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{method} {url} answered {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn url(server: &TestServer, tenant: &TenantId, path: &str) -> String {
    format!("{}/api/v1/orgs/{tenant}/{path}", server.url)
}

/// Submits a cart of 4 × DM-001 from `phone` and returns the device's total and the server's.
async fn submit_dal(server: &TestServer, tenant: &TenantId, phone: &Device, token: &str) -> (String, Value) {
    phone.sync_now().await.unwrap();
    let cart: CartId = phone.create_cart(None).unwrap();
    let four: Quantity = "4".parse().unwrap();
    phone.set_line(cart, &ProductId::new("DM-001").unwrap(), four).unwrap();
    let device_total = phone.cart_totals(cart).unwrap().total.to_string();
    phone.submit(cart).unwrap();
    phone.sync_now().await.unwrap();
    let orders = send(
        reqwest::Method::GET,
        &url(server, tenant, "order-requests"),
        token,
        None,
    )
    .await;
    let order = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|order| order["cart_id"] == cart.to_string())
        .cloned()
        .unwrap();
    (device_total, order)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_scheme_applies_to_members_only() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    dms_server::admin::import_catalog(&server.state, &tenant, PRICING_CSV.as_bytes()).unwrap();
    let settings = serde_json::from_value(json!({ "supplier_state": "27" })).unwrap();
    pricing_admin::set_settings(&server.state, &tenant, &settings).unwrap();
    let (_, admin) = server.token_for(&tenant, "acme-admin", "distributor_admin", None);
    let (member, member_token) = server.partner_token(&tenant, "asha", "kirana-north");
    let (outsider, outsider_token) = server.partner_token(&tenant, "mohan", "kirana-south");

    let group = json!({ "name": "North", "members": ["kirana-north"] });
    send(
        reqwest::Method::PUT,
        &url(&server, &tenant, "partner-groups/grp-north"),
        &admin,
        Some(group),
    )
    .await;
    let scheme = json!([{
        "id": "NORTH10", "name": "North dal 10% off",
        "valid_from": "2000-01-01", "valid_to": "2099-12-31", "priority": 1,
        "targeting": { "partner_group_ids": ["grp-north"] },
        "kind": { "type": "discount", "products": ["DM-001"],
                  "benefit": { "type": "percent_off", "percent": "10" } }
    }]);
    send(
        reqwest::Method::PUT,
        &url(&server, &tenant, "schemes"),
        &admin,
        Some(scheme),
    )
    .await;

    // 4 × 172.50 = 690.00; 10 % off = 621.00; GST 5 % = 31.05; total 652.05, rounded 652.00.
    let member_phone = server.device("north-phone", &member, &member_token);
    let (device_total, order) = submit_dal(&server, &tenant, &member_phone, &member_token).await;
    assert_eq!(device_total, "652.00");
    assert_eq!(order["total"], "652.00");
    assert_eq!(order["figures_differ"], false);
    assert!(
        order["explanation"].to_string().contains("NORTH10"),
        "{}",
        order["explanation"]
    );

    // 690.00 + 5 % = 724.50, rounded 725.00 (half up).
    let outsider_phone = server.device("south-phone", &outsider, &outsider_token);
    let (device_total, order) = submit_dal(&server, &tenant, &outsider_phone, &outsider_token).await;
    assert_eq!(device_total, "725.00");
    assert_eq!(order["total"], "725.00");
    assert!(
        !order["explanation"].to_string().contains("NORTH10"),
        "{}",
        order["explanation"]
    );

    // The outsider's scheme list leaves the group's scheme out; the member's has it.
    let listed = send(
        reqwest::Method::GET,
        &url(&server, &tenant, "schemes"),
        &outsider_token,
        None,
    )
    .await;
    assert_eq!(listed, json!([]));
    let listed = send(
        reqwest::Method::GET,
        &url(&server, &tenant, "schemes"),
        &member_token,
        None,
    )
    .await;
    assert_eq!(listed[0]["id"], "NORTH10");
}
