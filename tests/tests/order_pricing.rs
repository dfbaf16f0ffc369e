//! Order requests priced by the server with the pricing engine, against a real server. The
//! tests cover schemes, GST and round-off, the device's figure against the server's, and the
//! fallback for products without pricing data. They also cover the simulation endpoint and
//! the scheme book over REST.
//!
//! The tenant is in Maharashtra (27) and the partner has no GSTIN on record, so every supply
//! here is intra-state: CGST and SGST at half the rate each.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, EditContext};
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, TenantId, Timestamp};
use dms_server::pricing::admin as pricing_admin;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use serde_json::{Value, json};

/// DM-001 (172.50) at 5 % and DM-012 (110.00) at 18 %, prices without GST. DM-002 keeps no
/// pricing data.
const PRICING_CSV: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
DM-012,Detergent Powder,Ujala Home,120.00,110.00,1 kg,Cleaning & Household,Detergent Powder,3402,18,false
";

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

/// 10 % off DM-001, in force for any date a test runs on.
fn dal_ten_percent() -> Value {
    json!({
        "id": "PCT10",
        "name": "Dal 10% off",
        "valid_from": "2000-01-01",
        "valid_to": "2099-12-31",
        "priority": 1,
        "kind": {
            "type": "discount",
            "products": ["DM-001"],
            "benefit": { "type": "percent_off", "percent": "10" }
        }
    })
}

/// A server with tenant `acme-dist` (built-in catalog, pricing data for DM-001 and DM-012,
/// supplier state 27) and the tokens of its admin and of partner `kirana-12`.
struct Setup {
    server: TestServer,
    tenant: TenantId,
    admin_token: String,
    partner: dms_server::access::Principal,
    partner_token: String,
}

async fn setup() -> Setup {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let import = dms_server::admin::import_catalog(&server.state, &tenant, PRICING_CSV.as_bytes()).unwrap();
    assert_eq!(import.imported, 2);
    assert_eq!(import.priced, 2);
    let settings = serde_json::from_value(json!({ "supplier_state": "27" })).unwrap();
    pricing_admin::set_settings(&server.state, &tenant, &settings).unwrap();
    let (_, admin_token) = server.token_for(&tenant, "acme-admin", "distributor_admin", None);
    let (partner, partner_token) = server.partner_token(&tenant, "asha", "kirana-12");
    Setup {
        server,
        tenant,
        admin_token,
        partner,
        partner_token,
    }
}

impl Setup {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}/{path}", self.server.url, self.tenant)
    }

    async fn put_schemes(&self, token: &str, body: &Value) -> reqwest::Response {
        reqwest::Client::new()
            .put(self.url("schemes"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Ids of the schemes in the book, read back over REST.
    async fn scheme_ids(&self) -> Vec<String> {
        let response = reqwest::Client::new()
            .get(self.url("schemes"))
            .bearer_auth(&self.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let schemes: Value = response.json().await.unwrap();
        schemes
            .as_array()
            .unwrap()
            .iter()
            .map(|scheme| scheme["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Fetches the partner's order requests over REST, newest first.
    async fn order_requests(&self) -> Vec<Value> {
        let response = reqwest::Client::new()
            .get(self.url("order-requests"))
            .bearer_auth(&self.partner_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let orders: Value = response.json().await.unwrap();
        orders.as_array().unwrap().clone()
    }

    /// Builds, submits and syncs a cart with `lines` on a partner phone.
    async fn submit_from_phone(&self, lines: &[(&str, &str)]) -> CartId {
        let phone = self.server.device("phone-a", &self.partner, &self.partner_token);
        phone.sync_now().await.unwrap();
        let cart = phone.create_cart(None).unwrap();
        for (id, count) in lines {
            phone.set_line(cart, &product(id), quantity(count)).unwrap();
        }
        phone.submit(cart).unwrap();
        phone.sync_now().await.unwrap();
        cart
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn percentage_scheme_and_gst_exact_figures() {
    let setup = setup().await;
    assert_eq!(
        setup
            .put_schemes(&setup.admin_token, &json!([dal_ten_percent()]))
            .await
            .status(),
        200
    );

    let cart = setup.submit_from_phone(&[("DM-001", "2"), ("DM-012", "3")]).await;

    let orders = setup.order_requests().await;
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    assert_eq!(order["cart_id"], cart.to_string());
    assert_eq!(order["pricing_method"], "engine");
    // DM-001: 2 × 172.50 = 345.00, PCT10 takes 34.50, net 310.50; 5 %: CGST 2.5 % of 310.50
    // = 7.7625 → 7.76, SGST the same; line 326.02.
    // DM-012: 3 × 110.00 = 330.00; 18 %: CGST 9 % = 29.70, SGST 29.70; line 389.40.
    // Taxable 640.50, tax 74.92, total 715.42, rounded to 715 with round-off −0.42.
    let tax = &order["tax"];
    assert_eq!(tax["taxable_value"], "640.50");
    assert_eq!(tax["cgst"], "37.46");
    assert_eq!(tax["sgst"], "37.46");
    assert_eq!(tax["igst"], "0.00");
    assert_eq!(tax["round_off"], "-0.42");
    assert_eq!(tax["grand_total"], "715.00");
    assert_eq!(order["total"], "715.00");
    // The phone priced the cart with the same engine and recorded its grand total.
    assert_eq!(order["total_seen"], "715.00");
    assert_eq!(order["figures_differ"], false);
    assert_eq!(order["note"], Value::Null);

    let lines = order["lines"].as_array().unwrap();
    assert_eq!(lines[0]["product_id"], "DM-001");
    assert_eq!(lines[0]["unit_price"], "172.50");
    assert_eq!(lines[0]["line_total"], "326.02");
    assert_eq!(lines[1]["product_id"], "DM-012");
    assert_eq!(lines[1]["line_total"], "389.40");

    let priced = &order["priced"];
    assert_eq!(priced["lines"][0]["applied"][0]["scheme_id"], "PCT10");
    assert_eq!(priced["lines"][0]["applied"][0]["amount"], "34.50");
    assert_eq!(priced["tax"]["supply_type"], "intra_state");
    let explanation = order["explanation"].as_array().unwrap();
    assert!(explanation[0].as_str().unwrap().contains("PCT10"), "{explanation:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheme_removed_while_offline_records_both_figures() {
    let setup = setup().await;
    assert_eq!(
        setup
            .put_schemes(&setup.admin_token, &json!([dal_ten_percent()]))
            .await
            .status(),
        200
    );

    // A phone that prices with the engine builds the cart while PCT10 is in the book and
    // records the price it showed: DM-001 × 2 at 326.02 with GST, so 163.01 each.
    let cart_id = CartId::generate();
    let header = CartHeader {
        cart_id,
        tenant_id: setup.tenant.clone(),
        buyer_id: PartyId::new("kirana-12").unwrap(),
        created_by: setup.partner.user_id.clone(),
        created_at: Timestamp::now(),
    };
    let context = EditContext {
        user_id: setup.partner.user_id.clone(),
        device_id: "engine-phone".to_owned(),
        at: Timestamp::now(),
    };
    let mut doc = Automerge::new();
    cart::create_cart(&mut doc, &header).unwrap();
    let seen = Money::parse_price("163.01").unwrap();
    cart::set_line(&mut doc, &product("DM-001"), quantity("2"), Some(seen), &context).unwrap();

    // While the phone is offline the seller withdraws PCT10.
    assert_eq!(setup.put_schemes(&setup.admin_token, &json!([])).await.status(), 200);
    assert!(setup.scheme_ids().await.is_empty());

    cart::submit(&mut doc, &context).unwrap();
    let mut peer = RawPeer::joined(&setup.server.sync_url(), &setup.partner_token).await;
    let outcome = peer.push(DocumentId::for_cart(cart_id), &mut doc).await;
    assert_eq!(outcome, PushOutcome::Accepted);

    let orders = setup.order_requests().await;
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    // Without PCT10: 345.00 + CGST 8.63 + SGST 8.63 = 362.26, rounded to 362.
    assert_eq!(order["total_seen"], "326.02");
    assert_eq!(order["total"], "362.00");
    assert_eq!(order["tax"]["round_off"], "-0.26");
    assert_eq!(order["figures_differ"], true);
    let note = order["note"].as_str().unwrap();
    assert!(
        note.contains("The device showed 326.02; the server priced this order at 362.00"),
        "{note}"
    );
    assert!(note.contains("scheme PCT10 (Dal 10% off) was withdrawn at"), "{note}");
    assert!(order["priced"]["lines"][0]["applied"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_without_pricing_data_falls_back() {
    let setup = setup().await;
    assert_eq!(
        setup
            .put_schemes(&setup.admin_token, &json!([dal_ten_percent()]))
            .await
            .status(),
        200
    );

    // DM-002 (499.00) has no HSN code or GST rate, so the whole order is priced at selling
    // price: 2 × 172.50 + 499.00, without PCT10 or GST.
    setup.submit_from_phone(&[("DM-001", "2"), ("DM-002", "1")]).await;

    let orders = setup.order_requests().await;
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    assert_eq!(order["pricing_method"], "selling_price");
    assert_eq!(order["total"], "844.00");
    assert_eq!(order["total_seen"], "844.00");
    assert_eq!(order["figures_differ"], false);
    assert_eq!(order["tax"], Value::Null);
    assert_eq!(order["priced"], Value::Null);
    let note = order["note"].as_str().unwrap();
    assert!(note.contains("without schemes or GST"), "{note}");
    assert!(note.contains("DM-002 (no HSN code and GST rate)"), "{note}");
    assert!(!note.contains("DM-001"), "{note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulation_matches_the_order_request() {
    let setup = setup().await;
    assert_eq!(
        setup
            .put_schemes(&setup.admin_token, &json!([dal_ten_percent()]))
            .await
            .status(),
        200
    );
    setup.submit_from_phone(&[("DM-001", "2"), ("DM-012", "3")]).await;
    let orders = setup.order_requests().await;
    let order = &orders[0];

    // The same cart as a draft order, with the order request's id and date.
    let draft = json!({
        "id": order["priced"]["order_id"],
        "date": order["priced"]["date"],
        "parties": { "distributor_id": "anyone", "partner_id": "kirana-12" },
        "supply": { "supplier_state": "29", "bill_to_state": "27", "ship_to_state": "27" },
        "lines": [
            { "line_id": "DM-001", "product_id": "DM-001", "quantity": "2" },
            { "line_id": "DM-012", "product_id": "DM-012", "quantity": "3" }
        ]
    });
    let response = reqwest::Client::new()
        .post(setup.url("price-simulations"))
        .bearer_auth(&setup.partner_token)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let simulation: Value = response.json().await.unwrap();
    // The server replaced the seller and the supplier state, so the figures are the same.
    assert_eq!(simulation["priced"], order["priced"]);
    assert_eq!(simulation["explanation"], order["explanation"]);
    assert_eq!(simulation["priced"]["tax"]["grand_total"], "715.00");

    // A partner may not simulate another partner's order.
    let mut other = draft.clone();
    other["parties"]["partner_id"] = json!("kirana-99");
    let response = reqwest::Client::new()
        .post(setup.url("price-simulations"))
        .bearer_auth(&setup.partner_token)
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // A product without pricing data cannot be simulated.
    let mut unpriced = draft.clone();
    unpriced["lines"][0]["product_id"] = json!("DM-002");
    let response = reqwest::Client::new()
        .post(setup.url("price-simulations"))
        .bearer_auth(&setup.partner_token)
        .json(&unpriced)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("DM-002"), "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_scheme_book_is_rejected_and_old_kept() {
    let setup = setup().await;
    assert_eq!(
        setup
            .put_schemes(&setup.admin_token, &json!([dal_ten_percent()]))
            .await
            .status(),
        200
    );

    let mut too_much = dal_ten_percent();
    too_much["id"] = json!("PCT150");
    too_much["kind"]["benefit"]["percent"] = json!("150");
    let response = setup
        .put_schemes(&setup.admin_token, &json!([dal_ten_percent(), too_much]))
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "invalid_input");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("PCT150"), "{detail}");
    assert!(detail.contains("percent"), "{detail}");

    let mut unreadable = dal_ten_percent();
    unreadable["id"] = json!("NO-KIND");
    unreadable.as_object_mut().unwrap().remove("kind");
    let response = setup.put_schemes(&setup.admin_token, &json!([unreadable])).await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("scheme NO-KIND is invalid"), "{detail}");
    assert!(detail.contains("kind"), "{detail}");

    assert_eq!(setup.scheme_ids().await, ["PCT10"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_and_salesperson_cannot_replace_schemes() {
    let setup = setup().await;
    let response = setup
        .put_schemes(&setup.partner_token, &json!([dal_ten_percent()]))
        .await;
    assert_eq!(response.status(), 403);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "forbidden");

    let (_, salesperson_token) = setup.server.staff_token(&setup.tenant, "rep-ravi");
    let response = setup.put_schemes(&salesperson_token, &json!([dal_ten_percent()])).await;
    assert_eq!(response.status(), 403);

    assert!(setup.scheme_ids().await.is_empty());
    // The partner may read the book: its phone needs it to price offline.
    let response = reqwest::Client::new()
        .get(setup.url("schemes"))
        .bearer_auth(&setup.partner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
