//! Catalog shares, partner groups and price lists over a real server with devices: each buyer
//! sees only the products shared with it at its own price, its device holds and searches only
//! those offline, device and server price a cart alike with a price list and dated GST rates,
//! and a cart line for an unshared product is refused.
//!
//! The distributor is in Maharashtra (27) and the partners have no GSTIN, so every supply is
//! intra-state. Category ids come from the built-in catalog's text: "beverages",
//! "cleaning-and-household", "foodgrains-oil-and-masala" and so on.

#![allow(clippy::unwrap_used)]

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, EditContext};
use dms_domain::{CartId, PartyId, ProductId, Quantity, TenantId, Timestamp};
use dms_server::access::{Module, Principal};
use dms_server::pricing::admin as pricing_admin;
use dms_server::pricing::cart::ist_date;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// DM-001 (172.50) at 5 % and DM-012 (110.00) at 18 %, prices without GST.
const PRICING_CSV: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
DM-012,Detergent Powder,Ujala Home,120.00,110.00,1 kg,Cleaning & Household,Detergents & Dishwash,3402,18,false
";

const PASSWORD: &str = "catalog sharing password";

/// A partner in group `grp-north`.
const GROUP_PARTNER: &str = "kirana-north";
/// A partner in group `grp-north` with a price list of its own.
const OWN_LIST_PARTNER: &str = "kirana-own";
/// A partner in no group.
const SOLO_PARTNER: &str = "kirana-solo";

struct Seller {
    server: TestServer,
    tenant: TenantId,
    admin_token: String,
}

impl Seller {
    async fn start() -> Seller {
        let server = TestServer::start().await;
        let tenant = server.tenant_with_catalog("acme-dist");
        let import = dms_server::admin::import_catalog(&server.state, &tenant, PRICING_CSV.as_bytes()).unwrap();
        assert_eq!(import.priced, 2);
        let settings = serde_json::from_value(json!({ "supplier_state": "27" })).unwrap();
        pricing_admin::set_settings(&server.state, &tenant, &settings).unwrap();
        let (_, admin_token) = server.token_for(&tenant, "acme-admin", "distributor_admin", None);
        Seller {
            server,
            tenant,
            admin_token,
        }
    }

    fn partner(&self, party: &str) -> (Principal, String) {
        self.server.partner_token(&self.tenant, &format!("{party}-user"), party)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}/{path}", self.server.url, self.tenant)
    }

    async fn put(&self, path: &str, body: Value) {
        put(&self.url(path), &self.admin_token, body).await;
    }

    async fn catalog(&self, token: &str) -> Value {
        get(&self.url("catalog"), token).await
    }

    /// Group `grp-north` (two partners), Beverages and Cleaning shared with it, Foodgrains
    /// shared with everyone, and the group's price list: DM-012 at 2,400.00 per case of 24
    /// packs (100.00 a pack) and DM-008 at 240.00.
    async fn share_with_group(&self) {
        for party in [GROUP_PARTNER, OWN_LIST_PARTNER, SOLO_PARTNER] {
            self.partner(party);
        }
        self.put(
            "products/DM-012/pricing",
            json!({"category_id": "cleaning-and-household--detergents-and-dishwash", "base_unit": "pack",
                   "unit_conversions": [{"unit": "case", "base_units": "24"}],
                   "sellable_units": {"partner": "pack"}, "hsn": "3402", "gst_rate": "18"}),
        )
        .await;
        self.put(
            "partner-groups/grp-north",
            json!({"name": "North", "members": [GROUP_PARTNER, OWN_LIST_PARTNER]}),
        )
        .await;
        self.put(
            "catalog-shares/north",
            json!({"to": {"kind": "partner_group", "id": "grp-north"},
                   "categories": ["beverages", "cleaning-and-household"]}),
        )
        .await;
        self.put(
            "catalog-shares/default",
            json!({"to": {"kind": "everyone"}, "categories": ["foodgrains-oil-and-masala"]}),
        )
        .await;
        self.put(
            "price-lists/north",
            json!({"name": "North", "items": [
                       {"product_id": "DM-012", "price": "2400", "unit": "case"},
                       {"product_id": "DM-008", "price": "240"}],
                   "assignments": [{"kind": "partner_group", "id": "grp-north"}]}),
        )
        .await;
    }
}

async fn put(url: &str, token: &str, body: Value) {
    let response = reqwest::Client::new()
        .put(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(status, 200, "PUT {url}: {}", response.text().await.unwrap());
}

async fn get(url: &str, token: &str) -> Value {
    let response = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {url}");
    response.json().await.unwrap()
}

fn product_ids(catalog: &Value) -> Vec<String> {
    catalog["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|product| product["id"].as_str().unwrap().to_owned())
        .collect()
}

fn catalog_entry<'a>(catalog: &'a Value, id: &str) -> &'a Value {
    catalog["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|product| product["id"] == id)
        .unwrap()
}

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

fn rupees(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_partner_sees_only_group_catalog() {
    let seller = Seller::start().await;
    seller.share_with_group().await;

    let (_, group_token) = seller.partner(GROUP_PARTNER);
    let catalog = seller.catalog(&group_token).await;
    let ids = product_ids(&catalog);
    // Beverages: DM-008, DM-009. Cleaning & Household: DM-012, DM-013, DM-023, DM-024.
    assert_eq!(ids, ["DM-008", "DM-009", "DM-012", "DM-013", "DM-023", "DM-024"]);
    let detergent = catalog_entry(&catalog, "DM-012");
    assert_eq!(detergent["selling_price"], "100.00");
    assert_eq!(detergent["pricing"]["list_rate"], "2400");
    assert_eq!(detergent["pricing"]["rate_unit"], "case");
    assert_eq!(detergent["pricing"]["sellable_unit"], "pack");
    assert_eq!(catalog_entry(&catalog, "DM-008")["selling_price"], "240.00");
    // DM-009 is on no price list: the catalog selling price.
    assert_eq!(catalog_entry(&catalog, "DM-009")["selling_price"], "195.00");

    let (_, solo_token) = seller.partner(SOLO_PARTNER);
    let catalog = seller.catalog(&solo_token).await;
    let ids = product_ids(&catalog);
    assert!(ids.contains(&"DM-001".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"DM-008".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"DM-012".to_owned()), "{ids:?}");
    assert_eq!(catalog_entry(&catalog, "DM-001")["selling_price"], "172.50");
    assert!(catalog_entry(&catalog, "DM-001")["pricing"].get("list_rate").is_none());

    // The seller's staff still see every product at the catalog price.
    let (_, staff_token) = seller.server.staff_token(&seller.tenant, "rep-1");
    let catalog = seller.catalog(&staff_token).await;
    assert_eq!(product_ids(&catalog).len(), 24);
    assert_eq!(catalog_entry(&catalog, "DM-012")["selling_price"], "110.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_searches_only_shared_products() {
    let seller = Seller::start().await;
    seller.share_with_group().await;
    let (principal, token) = seller.partner(GROUP_PARTNER);
    let phone = seller.server.device("phone-north", &principal, &token);
    phone.sync_now().await.unwrap();

    // Offline from here on: the phone reads only its own store.
    assert_eq!(phone.search_catalog("", 100).unwrap().len(), 6);
    let tea: Vec<String> = phone
        .search_catalog("tea", 10)
        .unwrap()
        .into_iter()
        .map(|product| product.id.to_string())
        .collect();
    assert_eq!(tea, ["DM-008"]);
    assert!(phone.search_catalog("toor dal", 10).unwrap().is_empty());
    let cart = phone.create_cart(None).unwrap();
    assert!(phone.set_line(cart, &product("DM-001"), quantity("1")).is_err());
    phone.set_line(cart, &product("DM-008"), quantity("1")).unwrap();

    // A share that changes reaches the phone at its next sync.
    seller
        .put(
            "catalog-shares/north",
            json!({"to": {"kind": "partner_group", "id": "grp-north"}, "categories": ["beverages"]}),
        )
        .await;
    let report = phone.sync_now().await.unwrap();
    assert!(report.catalog_updated);
    assert_eq!(phone.search_catalog("", 100).unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_price_list_beats_group_list() {
    let seller = Seller::start().await;
    seller.share_with_group().await;
    seller
        .put(
            "price-lists/kirana-own",
            json!({"name": "Kirana Own", "items": [{"product_id": "DM-012", "price": "90"}],
                   "assignments": [{"kind": "partner", "id": OWN_LIST_PARTNER}]}),
        )
        .await;

    let (_, own_token) = seller.partner(OWN_LIST_PARTNER);
    let catalog = seller.catalog(&own_token).await;
    assert_eq!(catalog_entry(&catalog, "DM-012")["selling_price"], "90.00");
    assert_eq!(catalog_entry(&catalog, "DM-012")["pricing"]["list_rate"], "90");
    assert!(catalog_entry(&catalog, "DM-012")["pricing"].get("rate_unit").is_none());
    // Its own list has no DM-008, so the group's price applies there.
    assert_eq!(catalog_entry(&catalog, "DM-008")["selling_price"], "240.00");

    let (_, group_token) = seller.partner(GROUP_PARTNER);
    let catalog = seller.catalog(&group_token).await;
    assert_eq!(catalog_entry(&catalog, "DM-012")["selling_price"], "100.00");

    let lists = get(&seller.url("price-lists"), &seller.admin_token).await;
    assert_eq!(lists.as_array().unwrap().len(), 2);
    assert_eq!(lists[0]["id"], "kirana-own");
    assert_eq!(lists[0]["currency"], "INR");
}

/// Prices DM-012 × 4 packs on the group partner's phone, submits, and returns the phone's
/// total and the order request's.
async fn phone_and_server_totals(seller: &Seller, phone: &dms_device::Device, token: &str) -> (Decimal, Value) {
    phone.sync_now().await.unwrap();
    let cart = phone.create_cart(None).unwrap();
    phone.set_line(cart, &product("DM-012"), quantity("4")).unwrap();
    let totals = phone.cart_totals(cart).unwrap();
    assert_eq!(totals.fallback_reason, None);
    phone.submit(cart).unwrap();
    phone.sync_now().await.unwrap();
    let orders = get(&seller.url("order-requests"), token).await;
    let order = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|order| order["cart_id"] == cart.to_string())
        .cloned()
        .unwrap();
    (totals.total.rupees(), order)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_and_order_agree_across_gst_change() {
    let seller = Seller::start().await;
    seller.share_with_group().await;
    let (principal, token) = seller.partner(GROUP_PARTNER);
    let phone = seller.server.device("phone-north", &principal, &token);
    let today = ist_date(Timestamp::now());
    let day = time::Duration::days(1);
    let set_rates = |change: time::Date| {
        json!({"category_id": "cleaning-and-household--detergents-and-dishwash", "base_unit": "pack",
               "unit_conversions": [{"unit": "case", "base_units": "24"}], "hsn": "3402",
               "gst_rates": [{"rate": "18", "to": (change - day).to_string()},
                             {"rate": "12", "from": change.to_string()}]})
    };

    // The rate drops tomorrow: today's order is at 18 %. 4 packs at 2,400.00 a case of 24
    // are 400.00; CGST 36.00 and SGST 36.00 make 472.00.
    seller.put("products/DM-012/pricing", set_rates(today + day)).await;
    let (device_total, order) = phone_and_server_totals(&seller, &phone, &token).await;
    assert_eq!(device_total, rupees("472.00"));
    assert_eq!(order["pricing_method"], "engine");
    assert_eq!(order["total"], "472.00");
    assert_eq!(order["total_seen"], "472.00");
    assert_eq!(order["figures_differ"], false, "{}", order["note"]);
    assert_eq!(order["lines"][0]["unit_price"], "100.00");

    // The rate dropped today: 12 % gives CGST 24.00 and SGST 24.00, 448.00.
    seller.put("products/DM-012/pricing", set_rates(today)).await;
    let (device_total, order) = phone_and_server_totals(&seller, &phone, &token).await;
    assert_eq!(device_total, rupees("448.00"));
    assert_eq!(order["total"], "448.00");
    assert_eq!(order["tax"]["cgst"], "24.00");
    assert_eq!(order["figures_differ"], false, "{}", order["note"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unshared_product_in_pushed_cart_is_refused() {
    let seller = Seller::start().await;
    seller.share_with_group().await;
    let (principal, token) = seller.partner(SOLO_PARTNER);

    let cart_id = CartId::generate();
    let header = CartHeader {
        cart_id,
        tenant_id: seller.tenant.clone(),
        buyer_id: PartyId::new(SOLO_PARTNER).unwrap(),
        created_by: principal.user_id.clone(),
        created_at: Timestamp::now(),
    };
    let context = EditContext {
        user_id: principal.user_id.clone(),
        device_id: "raw-peer".to_owned(),
        at: Timestamp::now(),
    };
    let mut doc = Automerge::new();
    cart::create_cart(&mut doc, &header).unwrap();
    cart::set_line(&mut doc, &product("DM-001"), quantity("1"), None, &context).unwrap();
    cart::set_line(&mut doc, &product("DM-008"), quantity("2"), None, &context).unwrap();

    let mut peer = RawPeer::joined(&seller.server.sync_url(), &token).await;
    let outcome = peer.push(DocumentId::for_cart(cart_id), &mut doc).await;
    let PushOutcome::Refused(reason) = outcome else {
        panic!("expected a refusal, got {outcome:?}");
    };
    assert!(
        reason.contains(&format!("product DM-008 is not in buyer {SOLO_PARTNER}'s catalog")),
        "{reason}"
    );
    let handle = seller.server.state.hub.tenant(&seller.tenant).unwrap();
    let records = handle.lock().store().document_records().unwrap();
    assert!(
        records
            .iter()
            .all(|record| record.document_id != DocumentId::for_cart(cart_id)),
        "the refused cart was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributor_channel_gets_case_and_own_price() {
    let server = TestServer::start().await;
    let company = dms_server::admin::bootstrap_company(
        &server.state,
        Some("acme-co"),
        "Acme Foods",
        "27AAACA1234A1Z5",
        "acme-co-admin",
        PASSWORD,
        &[Module::Dms],
    )
    .unwrap()
    .org_id;
    let onboarding = serde_json::from_value(json!({
        "org_id": "dist-east", "legal_name": "East Traders", "registration": "27AAECE1234A1Z5",
        "admin_login": "east-admin", "admin_password": PASSWORD, "modules": ["DMS", "PRM"]
    }))
    .unwrap();
    dms_server::admin::onboard_distributor(&server.state, &company, &onboarding).unwrap();
    let distributor = TenantId::new("dist-east").unwrap();
    for tenant in [&company, &distributor] {
        dms_server::admin::import_catalog(&server.state, tenant, dms_tests::BUILTIN_CATALOG.as_bytes()).unwrap();
    }
    let login = |login: &'static str| {
        let url = format!("{}/api/v1/auth/login", server.url);
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .json(&json!({"login": login, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "login {login}");
            let body: Value = response.json().await.unwrap();
            body["access_token"].as_str().unwrap().to_owned()
        }
    };
    let company_admin = login("acme-co-admin").await;
    let east_admin = login("east-admin").await;
    let org_url = |org: &TenantId, path: &str| format!("{}/api/v1/orgs/{org}/{path}", server.url);

    // The same biscuit set-up in both databases: base unit piece, a case of 24.
    let biscuits = json!({"base_unit": "piece", "unit_conversions": [{"unit": "case", "base_units": "24"}],
                          "sellable_units": {"distributor": "case", "partner": "piece"}});
    put(
        &org_url(&company, "products/DM-010/pricing"),
        &company_admin,
        biscuits.clone(),
    )
    .await;
    put(&org_url(&distributor, "products/DM-010/pricing"), &east_admin, biscuits).await;
    put(
        &org_url(&company, "price-lists/east"),
        &company_admin,
        json!({"name": "East", "items": [{"product_id": "DM-010", "price": "216", "unit": "case"}],
               "assignments": [{"kind": "distributor", "id": "dist-east"}]}),
    )
    .await;

    // The distributor's admin buys from the company: its price list, sold by the case.
    let catalog = get(&org_url(&company, "catalog"), &east_admin).await;
    let entry = catalog_entry(&catalog, "DM-010");
    assert_eq!(entry["pricing"]["sellable_unit"], "case");
    assert_eq!(entry["pricing"]["list_rate"], "216");
    assert_eq!(entry["pricing"]["rate_unit"], "case");
    assert_eq!(entry["selling_price"], "9.00");

    // A partner of the distributor orders by the piece at the distributor's own price.
    let (_, partner_token) = server.partner_token(&distributor, "east-kirana-user", "east-kirana");
    let catalog = get(&org_url(&distributor, "catalog"), &partner_token).await;
    let entry = catalog_entry(&catalog, "DM-010");
    assert_eq!(entry["pricing"]["sellable_unit"], "piece");
    assert_eq!(entry["selling_price"], "10.00");
    assert!(entry["pricing"].get("list_rate").is_none());

    // Buyers never read the seller's set-up.
    let response = reqwest::Client::new()
        .get(org_url(&distributor, "price-lists"))
        .bearer_auth(&partner_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_in_use_cannot_be_deleted() {
    let seller = Seller::start().await;
    seller.share_with_group().await;

    let response = reqwest::Client::new()
        .delete(seller.url("partner-groups/grp-north"))
        .bearer_auth(&seller.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        problem["detail"],
        "partner group grp-north is used by price list north, catalog share north; change or remove them first"
    );

    // The group, its members and what it is used by are unchanged.
    let groups = get(&seller.url("partner-groups"), &seller.admin_token).await;
    assert_eq!(groups[0]["id"], "grp-north");
    assert_eq!(groups[0]["members"].as_array().unwrap().len(), 2);
    let (_, token) = seller.partner(GROUP_PARTNER);
    let catalog = seller.catalog(&token).await;
    assert_eq!(catalog_entry(&catalog, "DM-008")["selling_price"], "240.00");
}
