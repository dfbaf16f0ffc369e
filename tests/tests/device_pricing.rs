//! Offline pricing on the device against the server's authoritative pricing, over a real
//! server: the device prices with the same engine and the same cart→order conversion, so its
//! figures equal the order request's to the paisa. Also covers a scheme withdrawn while the
//! device is offline, the fallback for a product without pricing data, and the pricing terms
//! a partner downloads (only schemes that can apply to it, re-sent only when they change).
//!
//! The tenant is in Maharashtra (27) and the partner has no GSTIN on record, so every supply
//! here is intra-state: CGST and SGST at half the rate each.

#![allow(clippy::unwrap_used)]

use dms_device::{CartTotals, Device, PricingMethod};
use dms_domain::{CartId, ProductId, Quantity, TenantId};
use dms_server::pricing::admin as pricing_admin;
use dms_tests::TestServer;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// DM-001 (172.50) at 5 % and DM-012 (110.00) at 18 %, prices without GST. DM-002 keeps no
/// pricing data.
const PRICING_CSV: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
DM-012,Detergent Powder,Ujala Home,120.00,110.00,1 kg,Cleaning & Household,Detergent Powder,3402,18,false
";

const PARTNER: &str = "kirana-12";

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

fn rupees(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// 10 % off DM-001.
fn dal_ten_percent() -> Value {
    json!({
        "id": "PCT10", "name": "Dal 10% off",
        "valid_from": "2000-01-01", "valid_to": "2099-12-31", "priority": 1,
        "kind": { "type": "discount", "products": ["DM-001"],
                  "benefit": { "type": "percent_off", "percent": "10" } }
    })
}

/// One DM-012 free for every 3 bought.
fn detergent_buy_three_get_one() -> Value {
    json!({
        "id": "BGF3", "name": "Detergent 3+1",
        "valid_from": "2000-01-01", "valid_to": "2099-12-31", "priority": 1,
        "kind": { "type": "buy_get_free", "product": "DM-012", "buy": "3",
                  "free": { "product": "DM-012", "quantity": "1" } }
    })
}

/// 5 % off DM-001, for `partner` only.
fn targeted_at(id: &str, partner: &str) -> Value {
    json!({
        "id": id, "name": format!("Dal 5% off for {partner}"),
        "valid_from": "2000-01-01", "valid_to": "2099-12-31", "priority": 0,
        "targeting": { "partner_ids": [partner] },
        "kind": { "type": "discount", "products": ["DM-001"],
                  "benefit": { "type": "percent_off", "percent": "5" } }
    })
}

struct Setup {
    server: TestServer,
    tenant: TenantId,
    admin_token: String,
    partner: dms_server::access::Principal,
    partner_token: String,
}

async fn setup(schemes: Value) -> Setup {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let import = dms_server::admin::import_catalog(&server.state, &tenant, PRICING_CSV.as_bytes()).unwrap();
    assert_eq!(import.priced, 2);
    let settings = serde_json::from_value(json!({ "supplier_state": "27" })).unwrap();
    pricing_admin::set_settings(&server.state, &tenant, &settings).unwrap();
    let (_, admin_token) = server.token_for(&tenant, "acme-admin", "distributor_admin", None);
    let (partner, partner_token) = server.partner_token(&tenant, "asha", PARTNER);
    let setup = Setup {
        server,
        tenant,
        admin_token,
        partner,
        partner_token,
    };
    setup.put_schemes(&schemes).await;
    setup
}

impl Setup {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}/{path}", self.server.url, self.tenant)
    }

    async fn put_schemes(&self, body: &Value) {
        let response = reqwest::Client::new()
            .put(self.url("schemes"))
            .bearer_auth(&self.admin_token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let response = reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// The partner's order request for `cart`, read over REST.
    async fn order_request(&self, cart: CartId) -> Value {
        let orders = self.get("order-requests", &self.partner_token).await;
        orders
            .as_array()
            .unwrap()
            .iter()
            .find(|order| order["cart_id"] == cart.to_string())
            .cloned()
            .unwrap()
    }

    fn phone(&self, name: &str) -> Device {
        self.server.device(name, &self.partner, &self.partner_token)
    }
}

/// Creates a cart with `lines` on a phone, without syncing.
fn build_cart(phone: &Device, lines: &[(&str, &str)]) -> CartId {
    let cart = phone.create_cart(None).unwrap();
    for (id, count) in lines {
        phone.set_line(cart, &product(id), quantity(count)).unwrap();
    }
    cart
}

/// Asserts the device's figures equal the order request's, field by field.
fn assert_same_figures(totals: &CartTotals, order: &Value) {
    let tax = totals.tax.as_ref().unwrap();
    assert_eq!(order["pricing_method"], "engine");
    assert_eq!(order["total"], totals.total.to_string());
    assert_eq!(order["total_seen"], totals.total.to_string());
    assert_eq!(order["tax"]["taxable_value"], tax.taxable_value.to_string());
    assert_eq!(order["tax"]["cgst"], tax.cgst.to_string());
    assert_eq!(order["tax"]["sgst"], tax.sgst.to_string());
    assert_eq!(order["tax"]["igst"], tax.igst.to_string());
    assert_eq!(order["tax"]["round_off"], tax.round_off.to_string());
    assert_eq!(order["figures_differ"], false, "{}", order["note"]);
    assert_eq!(order["note"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_and_server_agree_to_the_paisa() {
    let setup = setup(json!([dal_ten_percent(), detergent_buy_three_get_one()])).await;
    let phone = setup.phone("phone-a");
    phone.sync_now().await.unwrap();

    // Offline: DM-001 × 2 and DM-012 × 4.
    let cart = build_cart(&phone, &[("DM-001", "2"), ("DM-012", "4")]);
    let totals = phone.cart_totals(cart).unwrap();
    let lines = phone.cart_lines(cart).unwrap();

    // DM-001: 345.00 − PCT10 34.50 = 310.50; CGST 2.5 % = 7.7625 → 7.76, SGST 7.76; 326.02.
    // DM-012: 440.00, BGF3 gives 1 free; CGST 9 % = 39.60, SGST 39.60; 519.20.
    // Taxable 750.50, CGST 47.36, SGST 47.36: 845.22, rounded to 845 with round-off −0.22.
    assert_eq!(totals.pricing_method, PricingMethod::Engine);
    assert_eq!(totals.fallback_reason, None);
    let tax = totals.tax.clone().unwrap();
    assert_eq!(tax.taxable_value.rupees(), rupees("750.50"));
    assert_eq!(tax.cgst.rupees(), rupees("47.36"));
    assert_eq!(tax.sgst.rupees(), rupees("47.36"));
    assert_eq!(tax.igst.rupees(), Decimal::ZERO);
    assert_eq!(tax.round_off.rupees(), rupees("-0.22"));
    assert_eq!(totals.total.rupees(), rupees("845.00"));
    assert_eq!(totals.gross_amount.rupees(), rupees("785.00"));
    assert_eq!(totals.discount.rupees(), rupees("34.50"));
    assert_eq!(totals.scheme_ids, ["BGF3", "PCT10"]);
    assert_eq!(totals.free_lines.len(), 1);
    assert_eq!(totals.free_lines[0].product_id.as_str(), "DM-012");
    assert_eq!(totals.free_lines[0].quantity, Decimal::ONE);
    assert_eq!(lines[0].line_total.rupees(), rupees("326.02"));
    assert_eq!(lines[0].net_amount.rupees(), rupees("310.50"));
    assert_eq!(lines[0].schemes[0].scheme_id, "PCT10");
    assert!(
        lines[0].schemes[0].explanation.contains("10%"),
        "{:?}",
        lines[0].schemes
    );
    assert_eq!(lines[1].line_total.rupees(), rupees("519.20"));
    assert_eq!(lines[1].tax.rupees(), rupees("79.20"));

    phone.submit(cart).unwrap();
    let submitted = phone.cart(cart).unwrap().submission.unwrap();
    assert_eq!(submitted.total_seen, Some(totals.total));
    assert_eq!(
        submitted.schemes_seen.as_deref(),
        Some(&["BGF3".to_owned(), "PCT10".to_owned()][..])
    );
    phone.sync_now().await.unwrap();

    let order = setup.order_request(cart).await;
    assert_same_figures(&totals, &order);
    assert_eq!(order["lines"][0]["line_total"], "326.02");
    assert_eq!(order["lines"][1]["line_total"], "519.20");
    assert_eq!(order["priced"]["free_lines"][0]["scheme_id"], "BGF3");
    // After the submission the device prices the cart as of its submission time: unchanged.
    assert_eq!(phone.cart_totals(cart).unwrap(), totals);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheme_withdrawn_offline_is_named_in_note() {
    let setup = setup(json!([dal_ten_percent(), detergent_buy_three_get_one()])).await;
    let phone = setup.phone("phone-a");
    phone.sync_now().await.unwrap();

    // Offline, the phone prices DM-001 × 2 and DM-012 × 3 with PCT10 and BGF3 and submits.
    let cart = build_cart(&phone, &[("DM-001", "2"), ("DM-012", "3")]);
    // 326.02 + 389.40 = 715.42, rounded to 715.
    assert_eq!(phone.cart_totals(cart).unwrap().total.rupees(), rupees("715.00"));
    phone.submit(cart).unwrap();

    // Meanwhile the seller withdraws PCT10 and keeps BGF3.
    setup.put_schemes(&json!([detergent_buy_three_get_one()])).await;
    let report = phone.sync_now().await.unwrap();
    assert!(report.pricing_terms_updated);

    // Without PCT10: DM-001 345.00 + CGST 8.63 + SGST 8.63 = 362.26; with DM-012 751.66 → 752.
    let order = setup.order_request(cart).await;
    assert_eq!(order["total_seen"], "715.00");
    assert_eq!(order["total"], "752.00");
    assert_eq!(order["figures_differ"], true);
    let note = order["note"].as_str().unwrap();
    assert!(
        note.contains("The device showed 715.00; the server priced this order at 752.00."),
        "{note}"
    );
    assert!(
        note.contains(
            "Schemes that differ: scheme PCT10 (Dal 10% off) was shown on the device but not applied: \
             it was withdrawn at"
        ),
        "{note}"
    );
    assert!(!note.contains("BGF3"), "{note}");
    assert!(!note.contains("applied but not shown"), "{note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_without_pricing_data_falls_back() {
    let setup = setup(json!([dal_ten_percent()])).await;
    let phone = setup.phone("phone-a");
    phone.sync_now().await.unwrap();

    // DM-002 (499.00) has no HSN code or GST rate: 2 × 172.50 + 499.00 at selling price.
    let cart = build_cart(&phone, &[("DM-001", "2"), ("DM-002", "1")]);
    let totals = phone.cart_totals(cart).unwrap();
    assert_eq!(totals.pricing_method, PricingMethod::SellingPrice);
    let reason = totals.fallback_reason.clone().unwrap();
    assert!(reason.contains("DM-002 (no HSN code and GST rate)"), "{reason}");
    assert!(!reason.contains("DM-001"), "{reason}");
    assert_eq!(totals.total.rupees(), rupees("844.00"));
    assert_eq!(totals.tax, None);
    assert!(totals.scheme_ids.is_empty());

    phone.submit(cart).unwrap();
    phone.sync_now().await.unwrap();
    let order = setup.order_request(cart).await;
    assert_eq!(order["pricing_method"], "selling_price");
    assert_eq!(order["total"], "844.00");
    assert_eq!(order["total_seen"], "844.00");
    assert_eq!(order["figures_differ"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_gets_only_schemes_aimed_at_it() {
    let setup = setup(json!([
        dal_ten_percent(),
        targeted_at("MINE5", PARTNER),
        targeted_at("OTHER5", "kirana-99")
    ]))
    .await;

    let catalog = setup.get("catalog", &setup.partner_token).await;
    let ids: Vec<&str> = catalog["pricing_terms"]["schemes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|scheme| scheme["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["MINE5", "PCT10"]);
    assert_eq!(catalog["pricing_terms"]["supplier_state"], "27");
    assert_eq!(catalog["pricing_terms"]["buyer_states"][PARTNER], Value::Null);
    assert!(catalog["pricing_terms"]["buyer_states"].get(PARTNER).is_some());
    // Products keep their old fields and gain their pricing data.
    let dal = catalog["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|product| product["id"] == "DM-001")
        .unwrap();
    assert_eq!(dal["selling_price"], "172.50");
    assert_eq!(dal["pricing"]["hsn"], "0713");
    assert_eq!(dal["pricing"]["gst_rate"], "5");
    assert_eq!(dal["pricing"]["base_unit"], "pack");

    // The seller's staff order for every linked buyer, so they get every scheme and state.
    let (_, staff_token) = setup.server.staff_token(&setup.tenant, "rep-ravi");
    let staff_catalog = setup.get("catalog", &staff_token).await;
    assert_eq!(staff_catalog["pricing_terms"]["schemes"].as_array().unwrap().len(), 3);
    assert!(staff_catalog["pricing_terms"]["buyer_states"].get(PARTNER).is_some());

    let book = setup.get("schemes", &setup.partner_token).await;
    let book_ids: Vec<&str> = book
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(book_ids, ["MINE5", "PCT10"]);
    let full = setup.get("schemes", &setup.admin_token).await;
    assert_eq!(full.as_array().unwrap().len(), 3);

    // The same version is not sent again; a changed book is.
    let version = catalog["pricing_version"].as_str().unwrap().to_owned();
    let again = setup
        .get(
            &format!(
                "catalog?since_version={}&since_pricing_version={version}",
                catalog["version"]
            ),
            &setup.partner_token,
        )
        .await;
    assert_eq!(again["unchanged"], true);
    assert_eq!(again["pricing_unchanged"], true);
    assert_eq!(again["pricing_terms"], Value::Null);
    setup.put_schemes(&json!([dal_ten_percent()])).await;
    let changed = setup
        .get(
            &format!("catalog?since_pricing_version={version}"),
            &setup.partner_token,
        )
        .await;
    assert_eq!(changed["pricing_unchanged"], false);
    assert_ne!(changed["pricing_version"], catalog["pricing_version"]);
    // A scheme aimed at another partner changes nothing for this one.
    let current = changed["pricing_version"].as_str().unwrap().to_owned();
    setup
        .put_schemes(&json!([dal_ten_percent(), targeted_at("OTHER5", "kirana-99")]))
        .await;
    let unchanged = setup
        .get(
            &format!("catalog?since_pricing_version={current}"),
            &setup.partner_token,
        )
        .await;
    assert_eq!(unchanged["pricing_unchanged"], true);
}

/// A small deterministic generator (64-bit linear congruential), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_carts_device_total_equals_server() {
    let setup = setup(json!([dal_ten_percent(), detergent_buy_three_get_one()])).await;
    let phone = setup.phone("phone-a");
    phone.sync_now().await.unwrap();

    let mut random = Lcg(20_261_204);
    let mut shown = Vec::new();
    for _ in 0..8 {
        let cart = phone.create_cart(None).unwrap();
        for id in ["DM-001", "DM-012"] {
            // Quantities from 0.5 to 12 in half packs; about one line in four is left out.
            let halves = random.below(32);
            if halves > 24 {
                continue;
            }
            let count = Decimal::new(halves as i64 * 5 + 5, 1);
            phone
                .set_line(cart, &product(id), count.to_string().parse().unwrap())
                .unwrap();
        }
        if phone.cart_lines(cart).unwrap().is_empty() {
            phone.set_line(cart, &product("DM-001"), quantity("1")).unwrap();
        }
        shown.push((cart, phone.cart_totals(cart).unwrap()));
        phone.submit(cart).unwrap();
    }
    phone.sync_now().await.unwrap();

    for (cart, totals) in &shown {
        let order = setup.order_request(*cart).await;
        assert_same_figures(totals, &order);
    }
}
