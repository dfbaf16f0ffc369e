//! Order-to-cash set-up shared by the back-office tests. [`BackOffice`] starts a seller tenant
//! with GST pricing and an admin token. Its REST calls return the status and JSON body, and
//! its steps take a partner's cart to a planned shipment.
//!
//! The seller is `acme-dist` in Pune, Maharashtra (state code 27). Every step that acts for the
//! seller uses the admin token and the warehouse `WH-PUNE`, and panics when the server returns
//! a status other than the one the step expects.

use std::collections::BTreeMap;

use dms_device::Device;
use dms_domain::{CartId, ProductId, Quantity, TenantId};
use dms_orders::ShipmentRecord;
use dms_server::access::Principal;
use dms_server::pricing::admin::{self as pricing_admin, CatalogImport};
use dms_server::tenant::field_store::DeliveryRecord;
use reqwest::Method;
use serde_json::{Value, json};

use crate::TestServer;

/// Pricing CSV: DM-001 at 172.50 with 5 % GST and DM-012 at 110.00 with 18 %, prices without
/// GST.
pub const DAL_AND_DETERGENT_PRICES: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
DM-012,Detergent Powder,Ujala Home,120.00,110.00,1 kg,Cleaning & Household,Detergent Powder,3402,18,false
";

/// Pricing CSV: DM-001 at 172.50 with 5 % GST, price without GST.
pub const DAL_PRICES: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
";

/// The seller's tenant id.
pub const SELLER_ID: &str = "acme-dist";

/// The seller's admin user, with the role `distributor_admin`.
pub const ADMIN_USER: &str = "acme-admin";

/// A party's GST registration and address in Maharashtra, as an order decision names the
/// seller and the buyer.
#[derive(Clone, Copy, Debug)]
pub struct Party<'a> {
    pub id: &'a str,
    pub gstin: &'a str,
    pub legal_name: &'a str,
    /// District, also sent as the place and in the address "1 Market Road, {district}".
    pub district: &'a str,
    pub pin: &'a str,
}

impl Party<'_> {
    /// Returns the party as the JSON object of a decision's `seller` or `buyer` field.
    pub fn to_json(&self) -> Value {
        json!({
            "party_id": self.id,
            "gstin": self.gstin,
            "legal_name": self.legal_name,
            "address": format!("1 Market Road, {}", self.district),
            "place": self.district,
            "location": { "state": "27", "district": self.district, "pin": self.pin }
        })
    }
}

/// The seller, `acme-dist` in Pune.
pub const SELLER: Party<'static> = Party {
    id: SELLER_ID,
    gstin: "27AAACA1234A1Z5",
    legal_name: "Acme Distributors",
    district: "Pune",
    pin: "411001",
};

/// The partner `kirana-12` in Mumbai.
pub const KIRANA_12: Party<'static> = Party {
    id: "kirana-12",
    gstin: "27AAPFU0939F1ZV",
    legal_name: "Kirana Twelve Stores",
    district: "Mumbai",
    pin: "400001",
};

/// A running server with the seller's tenant set up for order to cash.
pub struct BackOffice {
    pub server: TestServer,
    pub tenant: TenantId,
    /// Bearer token of [`ADMIN_USER`].
    pub admin_token: String,
    /// Outcome of importing the pricing CSV given to [`BackOffice::start`].
    pub pricing_import: CatalogImport,
}

impl BackOffice {
    /// Starts a server with the tenant [`SELLER_ID`]: the built-in catalog, then `pricing_csv`
    /// imported over it, the supplier state 27 and a token for [`ADMIN_USER`].
    pub async fn start(pricing_csv: &str) -> BackOffice {
        let server = TestServer::start().await;
        let tenant = server.tenant_with_catalog(SELLER_ID);
        let pricing_import = dms_server::admin::import_catalog(&server.state, &tenant, pricing_csv.as_bytes())
            .expect("import the pricing CSV");
        let settings = serde_json::from_value(json!({ "supplier_state": "27" })).expect("pricing settings");
        pricing_admin::set_settings(&server.state, &tenant, &settings).expect("set the supplier state");
        let (_, admin_token) = server.token_for(&tenant, ADMIN_USER, "distributor_admin", None);
        BackOffice {
            server,
            tenant,
            admin_token,
            pricing_import,
        }
    }

    /// Issues a token for `user` buying for the partner `party`.
    pub fn partner_token(&self, user: &str, party: &str) -> (Principal, String) {
        self.server.partner_token(&self.tenant, user, party)
    }

    /// Issues a token for `user` with the role `delivery_driver`.
    pub fn driver_token(&self, user: &str) -> (Principal, String) {
        self.server.token_for(&self.tenant, user, "delivery_driver", None)
    }

    /// Returns the URL of `path` under the tenant's REST API.
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}/{path}", self.server.url, self.tenant)
    }

    /// Sends `method` to `path` as `token`, with `body` as JSON when given.
    pub async fn send(&self, method: Method, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        send_json(method, &self.url(path), token, body).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.send(Method::GET, token, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, token, path, Some(body)).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::PUT, token, path, Some(body)).await
    }

    /// Reads `path` as text, for bodies that are not JSON such as CSV exports.
    pub async fn get_text(&self, token: &str, path: &str) -> (u16, String) {
        let response = reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("send the request");
        let status = response.status().as_u16();
        (status, response.text().await.expect("read the response body"))
    }

    /// Reads `path` and checks that the status is 200.
    pub async fn get_ok(&self, token: &str, path: &str) -> Value {
        let (status, body) = self.get(token, path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Posts `body` to `path` and checks that the status is `expected`.
    pub async fn post_ok(&self, token: &str, path: &str, body: Value, expected: u16) -> Value {
        let (status, value) = self.post(token, path, body).await;
        assert_eq!(status, expected, "POST {path}: {value}");
        value
    }

    /// Puts `body` to `path` and checks that the status is 200.
    pub async fn put_ok(&self, token: &str, path: &str, body: Value) -> Value {
        let (status, value) = self.put(token, path, body).await;
        assert_eq!(status, 200, "PUT {path}: {value}");
        value
    }

    /// Decides `order_request` as the admin, naming [`SELLER`], `buyer` and 30 days of credit.
    pub async fn decide(&self, order_request: &str, decision: Value, buyer: &Party<'_>) -> (u16, Value) {
        let body = json!({
            "decision": decision,
            "seller": SELLER.to_json(),
            "buyer": buyer.to_json(),
            "credit_days": 30
        });
        self.post(
            &self.admin_token,
            &format!("order-requests/{order_request}/decision"),
            body,
        )
        .await
    }

    /// Submits a cart of `(product id, quantity)` lines from `buyer`'s `phone`, accepts the
    /// order request in full and returns the sales order id. Checks that the cart made exactly
    /// one new order request, from `buyer`.
    pub async fn order_in_full(&self, buyer: &Party<'_>, phone: &Device, lines: &[(&str, &str)]) -> String {
        let before = self.get_ok(&self.admin_token, "order-requests").await;
        submit_cart(phone, lines).await;
        let after = self.get_ok(&self.admin_token, "order-requests").await;

        let known: Vec<&Value> = before
            .as_array()
            .expect("order requests")
            .iter()
            .map(|request| &request["order_request_id"])
            .collect();
        let new: Vec<&Value> = after
            .as_array()
            .expect("order requests")
            .iter()
            .filter(|request| !known.contains(&&request["order_request_id"]))
            .collect();
        assert_eq!(new.len(), 1, "{after}");
        assert_eq!(new[0]["buyer_id"], buyer.id);
        let order_request = new[0]["order_request_id"].as_str().expect("order request id");

        let (status, order) = self.decide(order_request, json!("accept_in_full"), buyer).await;
        assert_eq!(status, 201, "{order}");
        order["id"].as_str().expect("sales order id").to_owned()
    }

    /// Receives `lines` (`[{"product_id", "quantity"}]`) into stock at WH-PUNE.
    pub async fn receive_stock(&self, lines: Value) -> Value {
        self.post_ok(
            &self.admin_token,
            "stock/receipts",
            json!({"warehouse": "WH-PUNE", "lines": lines}),
            200,
        )
        .await
    }

    /// Reserves stock at WH-PUNE for `sales_order` and returns the reservations and backorders.
    pub async fn reserve(&self, sales_order: &str) -> Value {
        self.post_ok(
            &self.admin_token,
            &format!("sales-orders/{sales_order}/reservations"),
            json!({"warehouses": ["WH-PUNE"]}),
            200,
        )
        .await
    }

    /// Plans a shipment from WH-PUNE with `transport`, dispatched on 2026-05-05 and delivered
    /// on 2026-05-06, and returns its id. It ships the `(order line, quantity)` pairs in
    /// `lines`, or everything reserved when `lines` is empty.
    pub async fn plan_shipment(&self, sales_order: &str, transport: Value, lines: &[(u32, &str)]) -> String {
        let mut body = json!({"sales_order_id": sales_order, "warehouse": "WH-PUNE",
                              "planned_dispatch_on": "2026-05-05", "planned_delivery_on": "2026-05-06",
                              "transport": transport});
        if !lines.is_empty() {
            let lines: Vec<Value> = lines
                .iter()
                .map(|(line_no, quantity)| json!({"order_line_no": line_no, "quantity": quantity}))
                .collect();
            body["lines"] = Value::Array(lines);
        }
        let planned = self.post_ok(&self.admin_token, "shipments", body, 201).await;
        planned["shipment"]["id"].as_str().expect("shipment id").to_owned()
    }

    /// Posts a shipment event such as `{"event": "dispatch"}`, checks that the status is 200
    /// and returns the shipment record.
    pub async fn post_event(&self, shipment: &str, body: Value) -> Value {
        let (status, record) = self
            .post(&self.admin_token, &format!("shipments/{shipment}/events"), body)
            .await;
        assert_eq!(status, 200, "{record}");
        record
    }

    /// Reads `GET shipments` as `token`, keyed by shipment id.
    pub async fn shipments(&self, token: &str) -> BTreeMap<String, ShipmentRecord> {
        let listed = self.get_ok(token, "shipments").await;
        let records: Vec<ShipmentRecord> = serde_json::from_value(listed).expect("shipment records");
        records
            .into_iter()
            .map(|record| (record.shipment.id.to_string(), record))
            .collect()
    }

    /// Reads the stored delivery of `shipment` from the tenant's store, and panics when the
    /// shipment has none.
    pub fn delivery(&self, shipment: &str) -> DeliveryRecord {
        let tenant = self.server.state.hub.tenant(&self.tenant).expect("open the tenant");
        let guard = tenant.lock();
        guard
            .store()
            .delivery(shipment)
            .expect("read the delivery")
            .expect("the shipment has a delivery")
    }
}

/// Transport by road with the transporter Shree Logistics, the vehicle MH 12 AB 1234 and the
/// lorry receipt LR-5531 of 2026-05-05.
pub fn transport_with_lorry_receipt() -> Value {
    json!({"transporter": "Shree Logistics", "mode": "road",
           "vehicle_number": "MH 12 AB 1234",
           "lorry_receipt_number": "LR-5531", "lorry_receipt_date": "2026-05-05"})
}

/// Transport by road in the vehicle MH 12 AB 1234, with no transporter or lorry receipt.
pub fn transport_by_vehicle() -> Value {
    json!({"mode": "road", "vehicle_number": "MH 12 AB 1234"})
}

/// Sends `method` to `url` as `token`, with `body` as JSON when given, and returns the status
/// and the JSON body, or `Value::Null` when the body is not JSON.
pub async fn send_json(method: Method, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("send the request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("read the response body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Syncs `phone`, builds a cart of `(product id, quantity)` lines, submits it and syncs again.
pub async fn submit_cart(phone: &Device, lines: &[(&str, &str)]) -> CartId {
    phone.sync_now().await.expect("sync before the cart");
    let cart = phone.create_cart(None).expect("create a cart");
    for (id, count) in lines {
        let quantity: Quantity = count.parse().expect("quantity");
        let product = ProductId::new(*id).expect("product id");
        phone.set_line(cart, &product, quantity).expect("set a cart line");
    }
    phone.submit(cart).expect("submit the cart");
    phone.sync_now().await.expect("sync the submitted cart");
    cart
}

/// Returns a scheme book of one scheme: 10 % off DM-001 for the members of territory `pune`.
pub fn pune_scheme() -> Value {
    json!([{
        "id": "PUNE10", "name": "Pune dal 10% off",
        "valid_from": "2000-01-01", "valid_to": "2099-12-31", "priority": 1,
        "targeting": { "territories": ["pune"] },
        "kind": { "type": "discount", "products": ["DM-001"],
                  "benefit": { "type": "percent_off", "percent": "10" } }
    }])
}
