//! Schemes aimed at a sales territory apply to the territory's members, on the device offline
//! and on the server. A sales rep's device prices a buyer's cart at that buyer's price list,
//! so its figures match the order request the server prices.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_device::Device;
use dms_domain::{CartId, PartyId, ProductId, Quantity, TenantId};
use dms_server::pricing::admin as pricing_admin;
use dms_tests::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// DM-001 (172.50) at 5 % GST, price without GST.
const PRICING_CSV: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
";

struct Setup {
    server: TestServer,
    tenant: TenantId,
    admin: String,
}

impl Setup {
    async fn start() -> Setup {
        let server = TestServer::start().await;
        let tenant = server.tenant_with_catalog("acme-dist");
        dms_server::admin::import_catalog(&server.state, &tenant, PRICING_CSV.as_bytes()).unwrap();
        let settings = serde_json::from_value(json!({ "supplier_state": "27" })).unwrap();
        pricing_admin::set_settings(&server.state, &tenant, &settings).unwrap();
        let (_, admin) = server.token_for(&tenant, "acme-admin", "distributor_admin", None);
        Setup { server, tenant, admin }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}/{path}", self.server.url, self.tenant)
    }

    /// Sends a request as the seller's admin and returns the status and JSON body.
    async fn admin_call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        call(method, &self.url(path), &self.admin, body).await
    }

    async fn put_ok(&self, path: &str, body: Value) {
        let (status, answer) = self.admin_call(Method::PUT, path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "PUT {path}: {answer}");
    }

    /// The order request made from `cart`, as the seller's admin reads it.
    async fn order_request(&self, cart: CartId) -> Value {
        let (status, orders) = self.admin_call(Method::GET, "order-requests", None).await;
        assert_eq!(status, StatusCode::OK);
        orders
            .as_array()
            .unwrap()
            .iter()
            .find(|order| order["cart_id"] == cart.to_string())
            .cloned()
            .unwrap()
    }
}

async fn call(method: Method, url: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn dal() -> ProductId {
    ProductId::new("DM-001").unwrap()
}

/// A 10 % discount on DM-001 for the members of territory `pune`.
fn pune_scheme() -> Value {
    json!([{
        "id": "PUNE10", "name": "Pune dal 10% off",
        "valid_from": "2000-01-01", "valid_to": "2099-12-31", "priority": 1,
        "targeting": { "territories": ["pune"] },
        "kind": { "type": "discount", "products": ["DM-001"],
                  "benefit": { "type": "percent_off", "percent": "10" } }
    }])
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
    let setup = Setup::start().await;
    let (member, member_token) = setup.server.partner_token(&setup.tenant, "asha", "kirana-pune");
    let (outsider, outsider_token) = setup.server.partner_token(&setup.tenant, "mohan", "kirana-nashik");
    setup
        .put_ok(
            "territories/pune",
            json!({ "name": "Pune", "members": ["kirana-pune"] }),
        )
        .await;
    setup.put_ok("schemes", pune_scheme()).await;

    // 4 × 172.50 = 690.00; 10 % off = 621.00; GST 5 % = 31.05; 652.05 rounds to 652.00.
    let member_phone = setup.server.device("pune-phone", &member, &member_token);
    let (cart, device_total) = submit_dal(&member_phone, None).await;
    assert_eq!(device_total, "652.00");
    let order = setup.order_request(cart).await;
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
    let order = setup.order_request(cart).await;
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
    let setup = Setup::start().await;
    setup.server.partner_token(&setup.tenant, "asha", "kirana-pune");
    setup
        .put_ok(
            "territories/pune",
            json!({ "name": "Pune", "members": ["kirana-pune"] }),
        )
        .await;

    let (status, problem) = setup
        .admin_call(
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

    let (status, problem) = setup
        .admin_call(
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

    let (status, _) = setup
        .admin_call(Method::PUT, "territories/blank", Some(json!({ "name": "  " })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, listed) = setup.admin_call(Method::GET, "territories", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        listed,
        json!([{ "id": "pune", "name": "Pune", "members": ["kirana-pune"] }])
    );

    // Leaving one territory lets the buyer join another.
    setup
        .put_ok("territories/pune", json!({ "name": "Pune", "members": [] }))
        .await;
    setup
        .put_ok(
            "territories/nashik",
            json!({ "name": "Nashik", "members": ["kirana-pune"] }),
        )
        .await;
    let (status, _) = setup.admin_call(Method::DELETE, "territories/pune", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = setup.admin_call(Method::DELETE, "territories/pune", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = setup.admin_call(Method::GET, "territories", None).await;
    assert_eq!(
        listed,
        json!([{ "id": "nashik", "name": "Nashik", "members": ["kirana-pune"] }])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rep_device_uses_buyer_price_list() {
    let setup = Setup::start().await;
    setup.server.partner_token(&setup.tenant, "gita", "kirana-gold");
    setup.server.partner_token(&setup.tenant, "mohan", "kirana-plain");
    setup.server.partner_token(&setup.tenant, "asha", "kirana-pune");
    setup
        .put_ok(
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
            "territories/pune",
            json!({ "name": "Pune", "members": ["kirana-pune"] }),
        )
        .await;
    setup.put_ok("schemes", pune_scheme()).await;

    let (rep, rep_token) = setup.server.staff_token(&setup.tenant, "rep-ravi");
    let rep_phone = setup.server.device("rep-phone", &rep, &rep_token);

    // Gold list: 4 × 160.00 = 640.00; GST 5 % = 32.00; total 672.00.
    let gold = PartyId::new("kirana-gold").unwrap();
    let (cart, device_total) = submit_dal(&rep_phone, Some(gold)).await;
    assert_eq!(device_total, "672.00");
    let line = &rep_phone.cart(cart).unwrap().lines[&dal()];
    assert_eq!(line.unit_price_seen.unwrap().to_string(), "160.00");
    let order = setup.order_request(cart).await;
    assert_eq!(order["total"], "672.00");
    assert_eq!(order["total_seen"], "672.00");
    assert_eq!(order["figures_differ"], false);
    assert_eq!(order["lines"][0]["unit_price"], "160.00");

    // No list: the catalog price, 690.00 + 5 % = 724.50, rounded to 725.00.
    let plain = PartyId::new("kirana-plain").unwrap();
    let (cart, device_total) = submit_dal(&rep_phone, Some(plain)).await;
    assert_eq!(device_total, "725.00");
    assert_eq!(setup.order_request(cart).await["total"], "725.00");

    // The rep's terms carry the buyer's territory, so the Pune scheme applies: 652.00.
    let pune = PartyId::new("kirana-pune").unwrap();
    let (cart, device_total) = submit_dal(&rep_phone, Some(pune)).await;
    assert_eq!(device_total, "652.00");
    let order = setup.order_request(cart).await;
    assert_eq!(order["total"], "652.00");
    assert_eq!(order["figures_differ"], false);
}
