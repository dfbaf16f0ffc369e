//! A driver's signed delivery acknowledgement, synced from a real device, moves the
//! order-to-cash shipment it names. The delivered quantities and status are recorded by the
//! driver at the sign-off time. Shortages and damages are recorded against the sales order
//! lines and shown to seller and buyer, and the invoice bills only what was delivered.
//!
//! The distributor `acme-dist` and the partner are both in Maharashtra (27), so every supply
//! is intra-state: CGST and SGST at half the rate each.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use automerge::Automerge;
use dms_device::Device;
use dms_documents::DocumentId;
use dms_documents::delivery_ack::{self, Countersign, Receiver, SignOff, Verdict};
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, ProductId, ShipmentId, TenantId, Timestamp, UserId};
use dms_orders::{DeliveryExceptionKind, ShipmentRecord, ShipmentStatus};
use dms_server::access::Principal;
use dms_server::pricing::admin as pricing_admin;
use dms_server::tenant::field_store::DeliveryRecord;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

/// DM-001 at 172.50 with 5 % GST and DM-012 at 110.00 with 18 %, prices without GST.
const PRICING_CSV: &str = "\
ProductID,ProductName,Brand,Price,DiscountPrice,Quantity,Category,SubCategory,HSN,GSTRate,PriceIncludesGST
DM-001,Toor Dal (Arhar),Village Mill,189.00,172.50,1 kg,\"Foodgrains, Oil & Masala\",Dals & Pulses,0713,5,false
DM-012,Detergent Powder,Ujala Home,120.00,110.00,1 kg,Cleaning & Household,Detergent Powder,3402,18,false
";

const ORG: &str = "acme-dist";
const BUYER: &str = "kirana-12";
const DRIVER: &str = "drv-1";

struct Setup {
    server: TestServer,
    tenant: TenantId,
    admin_token: String,
    buyer: Principal,
    buyer_token: String,
    driver: Principal,
    driver_token: String,
}

impl Setup {
    async fn start() -> Setup {
        let server = TestServer::start().await;
        let tenant = server.tenant_with_catalog(ORG);
        let import = dms_server::admin::import_catalog(&server.state, &tenant, PRICING_CSV.as_bytes()).unwrap();
        assert_eq!(import.priced, 2);
        let settings = serde_json::from_value(json!({ "supplier_state": "27" })).unwrap();
        pricing_admin::set_settings(&server.state, &tenant, &settings).unwrap();
        let (_, admin_token) = server.token_for(&tenant, "acme-admin", "distributor_admin", None);
        let (buyer, buyer_token) = server.partner_token(&tenant, "asha", BUYER);
        let (driver, driver_token) = server.token_for(&tenant, DRIVER, "delivery_driver", None);
        Setup {
            server,
            tenant,
            admin_token,
            buyer,
            buyer_token,
            driver,
            driver_token,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{ORG}/{path}", self.server.url)
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post_ok(&self, path: &str, body: Value, expected: u16) -> Value {
        let (status, value) = self.post(path, body).await;
        assert_eq!(status, expected, "POST {path}: {value}");
        value
    }

    /// Reads the shipments over REST as `token`, by shipment id.
    async fn shipments(&self, token: &str) -> BTreeMap<String, ShipmentRecord> {
        let response = reqwest::Client::new()
            .get(self.url("shipments"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let records: Vec<ShipmentRecord> = response.json().await.unwrap();
        records
            .into_iter()
            .map(|record| (record.shipment.id.to_string(), record))
            .collect()
    }

    fn delivery(&self, shipment: &str) -> DeliveryRecord {
        let tenant = self.server.state.hub.tenant(&self.tenant).unwrap();
        let guard = tenant.lock();
        guard.store().delivery(shipment).unwrap().unwrap()
    }

    /// Plans a shipment of `(order line, quantity)` and returns its id.
    async fn plan_shipment(&self, sales_order: &str, lines: &[(u32, &str)]) -> String {
        let lines: Vec<Value> = lines
            .iter()
            .map(|(line_no, quantity)| json!({"order_line_no": line_no, "quantity": quantity}))
            .collect();
        let planned = self
            .post_ok(
                "shipments",
                json!({"sales_order_id": sales_order, "warehouse": "WH-PUNE",
                       "planned_dispatch_on": "2026-05-05", "planned_delivery_on": "2026-05-06",
                       "transport": {"mode": "road", "vehicle_number": "MH 12 AB 1234"},
                       "lines": lines}),
                201,
            )
            .await;
        planned["shipment"]["id"].as_str().unwrap().to_owned()
    }

    async fn event(&self, shipment: &str, body: Value) {
        self.post_ok(&format!("shipments/{shipment}/events"), body, 200).await;
    }
}

/// Submits a partner's order of 14 DM-001 and 8 DM-012, accepts it in full and reserves it in
/// WH-PUNE; returns the sales order id.
async fn reserved_sales_order(setup: &Setup, buyer_phone: &Device) -> String {
    buyer_phone.sync_now().await.unwrap();
    let cart = buyer_phone.create_cart(None).unwrap();
    buyer_phone
        .set_line(cart, &product("DM-001"), "14".parse().unwrap())
        .unwrap();
    buyer_phone
        .set_line(cart, &product("DM-012"), "8".parse().unwrap())
        .unwrap();
    buyer_phone.submit(cart).unwrap();
    buyer_phone.sync_now().await.unwrap();

    let response = reqwest::Client::new()
        .get(setup.url("order-requests"))
        .bearer_auth(&setup.admin_token)
        .send()
        .await
        .unwrap();
    let requests: Value = response.json().await.unwrap();
    assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    let request = requests[0]["order_request_id"].as_str().unwrap();
    let order = setup
        .post_ok(
            &format!("order-requests/{request}/decision"),
            json!({
                "decision": "accept_in_full",
                "seller": party(ORG, "27AAACA1234A1Z5", "Acme Distributors", "Pune", "411001"),
                "buyer": party(BUYER, "27AAPFU0939F1ZV", "Kirana Twelve Stores", "Mumbai", "400001"),
                "credit_days": 30
            }),
            201,
        )
        .await;
    let sales_order = order["id"].as_str().unwrap().to_owned();

    setup
        .post_ok(
            "stock/receipts",
            json!({"warehouse": "WH-PUNE", "lines": [
                {"product_id": "DM-001", "quantity": "14"}, {"product_id": "DM-012", "quantity": "8"}]}),
            200,
        )
        .await;
    let reserved = setup
        .post_ok(
            &format!("sales-orders/{sales_order}/reservations"),
            json!({"warehouses": ["WH-PUNE"]}),
            200,
        )
        .await;
    assert_eq!(reserved["backorders"].as_array().unwrap().len(), 0, "{reserved}");
    sales_order
}

fn party(id: &str, gstin: &str, name: &str, place: &str, pin: &str) -> Value {
    json!({
        "party_id": id,
        "gstin": gstin,
        "legal_name": name,
        "address": format!("1 Market Road, {place}"),
        "place": place,
        "location": { "state": "27", "district": place, "pin": pin }
    })
}

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

/// Starts, fills and signs an acknowledgement on the driver's phone, offline: every product
/// delivered except the `(product, short, damaged, reason)` exceptions.
fn sign_acknowledgement(
    phone: &Device,
    shipment: &str,
    dispatched: &[(&str, Decimal)],
    exceptions: &[(&str, Decimal, Decimal, &str)],
) -> (AcknowledgementId, SignOff) {
    let dispatched: BTreeMap<ProductId, Decimal> = dispatched
        .iter()
        .map(|(id, quantity)| (product(id), *quantity))
        .collect();
    let ack = phone
        .start_acknowledgement(
            shipment.parse::<ShipmentId>().unwrap(),
            PartyId::new(BUYER).unwrap(),
            "MH 12 AB 1234",
            &dispatched,
        )
        .unwrap();
    for (id, short, damaged, reason) in exceptions {
        phone
            .record_delivered_line(ack, &product(id), *short, *damaged, Some(reason))
            .unwrap();
    }
    let receiver = Receiver {
        name: "Sunil Patil".to_owned(),
        phone: "+91 98200 12345".to_owned(),
    };
    phone.set_receiver(ack, &receiver).unwrap();
    phone
        .attach_signature(ack, format!("signature for {shipment}").as_bytes(), "image/png")
        .unwrap();
    phone
        .capture_delivery(ack, GeoPoint::parse("18.5204", "73.8567", "6").unwrap())
        .unwrap();
    let sign_off = phone.sign_off(ack).unwrap();
    (ack, sign_off)
}

fn history(record: &ShipmentRecord) -> Vec<(ShipmentStatus, String)> {
    record
        .history
        .iter()
        .map(|change| (change.status, change.changed_by.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_acknowledgement_moves_shipment_and_records_exceptions() {
    let setup = Setup::start().await;
    let buyer_phone = setup.server.device("buyer-phone", &setup.buyer, &setup.buyer_token);
    let driver_phone = setup.server.device("driver-phone", &setup.driver, &setup.driver_token);
    let sales_order = reserved_sales_order(&setup, &buyer_phone).await;

    // Shipment 1 carries 10 DM-001 and 6 DM-012 and is dispatched. Shipment 2 carries the
    // rest (4 and 2) and is in transit. Shipment 3 is planned and never dispatched.
    let partial = setup.plan_shipment(&sales_order, &[(1, "10"), (2, "6")]).await;
    let full = setup.plan_shipment(&sales_order, &[(1, "4"), (2, "2")]).await;
    let planned = setup.plan_shipment(&sales_order, &[(1, "1")]).await;
    for shipment in [&partial, &full] {
        setup
            .event(
                shipment,
                json!({"event": "dispatch", "at": "2026-05-05T08:00:00+05:30"}),
            )
            .await;
    }
    setup.event(&full, json!({"event": "in_transit"})).await;

    // At the shop, offline: 8 delivered, 1 short and 1 damaged of DM-001, all 6 DM-012.
    driver_phone.sync_now().await.unwrap();
    let (partial_ack, partial_sign_off) = sign_acknowledgement(
        &driver_phone,
        &partial,
        &[("DM-001", dec!(10)), ("DM-012", dec!(6))],
        &[("DM-001", dec!(1), dec!(1), "one sack missing, one torn")],
    );
    let (_, full_sign_off) =
        sign_acknowledgement(&driver_phone, &full, &[("DM-001", dec!(4)), ("DM-012", dec!(2))], &[]);
    let (_, _) = sign_acknowledgement(&driver_phone, &planned, &[("DM-001", dec!(1))], &[]);
    driver_phone.sync_now().await.unwrap();
    assert_eq!(driver_phone.sync_status().unwrap().pending_documents, 0);

    // The seller reads the partly delivered shipment, recorded by the driver at sign-off.
    let seen = setup.shipments(&setup.admin_token).await;
    let record = &seen[&partial];
    assert_eq!(record.shipment.status, ShipmentStatus::PartlyDelivered);
    let delivered: Vec<(u32, Decimal, Decimal)> = record
        .shipment
        .lines
        .iter()
        .map(|line| (line.line_no, line.dispatched, line.delivered))
        .collect();
    assert_eq!(delivered, [(1, dec!(10), dec!(8)), (2, dec!(6), dec!(6))]);
    assert_eq!(record.shipment.delivered_at, Some(partial_sign_off.signed_at));
    assert_eq!(
        history(record),
        [
            (ShipmentStatus::Planned, "acme-admin".to_owned()),
            (ShipmentStatus::Dispatched, "acme-admin".to_owned()),
            (ShipmentStatus::InTransit, DRIVER.to_owned()),
            (ShipmentStatus::PartlyDelivered, DRIVER.to_owned()),
        ]
    );
    for change in &record.history[2..] {
        assert_eq!(change.changed_at.to_string(), partial_sign_off.signed_at.to_string());
    }

    // The shortage and the damage, each against sales order line 1.
    let exceptions: Vec<(u32, u32, DeliveryExceptionKind, Decimal, Option<&str>)> = record
        .exceptions
        .iter()
        .map(|exception| {
            (
                exception.shipment_line_no,
                exception.order_line_no,
                exception.kind,
                exception.quantity,
                exception.reason.as_deref(),
            )
        })
        .collect();
    let reason = Some("one sack missing, one torn");
    assert_eq!(
        exceptions,
        [
            (1, 1, DeliveryExceptionKind::Short, dec!(1), reason),
            (1, 1, DeliveryExceptionKind::Damaged, dec!(1), reason),
        ]
    );
    for exception in &record.exceptions {
        assert_eq!(exception.sales_order_id.to_string(), sales_order);
        assert_eq!(exception.product_id, product("DM-001"));
        assert_eq!(exception.ack_id, partial_ack);
        assert_eq!(exception.recorded_by, DRIVER);
        assert_eq!(
            exception.recorded_at.to_string(),
            partial_sign_off.signed_at.to_string()
        );
    }
    let delivery = setup.delivery(&partial);
    assert_eq!(delivery.shipment_outcome.as_deref(), Some("applied"));
    let outcome_reason = delivery.shipment_outcome_reason.unwrap();
    assert!(
        outcome_reason.contains("moved from dispatched to partly_delivered"),
        "{outcome_reason}"
    );

    // The shipment sent in full is delivered; it was already in transit.
    let record = &seen[&full];
    assert_eq!(record.shipment.status, ShipmentStatus::Delivered);
    let delivered: Vec<Decimal> = record.shipment.lines.iter().map(|line| line.delivered).collect();
    assert_eq!(delivered, [dec!(4), dec!(2)]);
    assert_eq!(
        history(record),
        [
            (ShipmentStatus::Planned, "acme-admin".to_owned()),
            (ShipmentStatus::Dispatched, "acme-admin".to_owned()),
            (ShipmentStatus::InTransit, "acme-admin".to_owned()),
            (ShipmentStatus::Delivered, DRIVER.to_owned()),
        ]
    );
    assert_eq!(
        record.history[3].changed_at.to_string(),
        full_sign_off.signed_at.to_string()
    );
    assert!(record.exceptions.is_empty());

    // The planned shipment stays planned, and the delivery row records why.
    let record = &seen[&planned];
    assert_eq!(record.shipment.status, ShipmentStatus::Planned);
    assert_eq!(record.shipment.lines[0].delivered, dec!(0));
    assert_eq!(history(record), [(ShipmentStatus::Planned, "acme-admin".to_owned())]);
    let delivery = setup.delivery(&planned);
    assert_eq!(delivery.shipment_outcome.as_deref(), Some("skipped"));
    let outcome_reason = delivery.shipment_outcome_reason.unwrap();
    assert!(
        outcome_reason.contains(&format!("shipment {planned} is still planned, not dispatched")),
        "{outcome_reason}"
    );

    // The buyer reads the same over REST and, offline, on its phone.
    let buyer_seen = setup.shipments(&setup.buyer_token).await;
    assert_eq!(buyer_seen[&partial].exceptions, seen[&partial].exceptions);
    buyer_phone.sync_now().await.unwrap();
    let orders = buyer_phone.orders().unwrap().unwrap();
    let on_phone = orders
        .shipments
        .iter()
        .find(|record| record.shipment.id.to_string() == partial)
        .unwrap();
    assert_eq!(on_phone.shipment.status, ShipmentStatus::PartlyDelivered);
    assert_eq!(on_phone.exceptions, seen[&partial].exceptions);

    // The invoice bills only what was delivered: DM-001 8 × 172.50 = 1380.00 at 5 %
    // (CGST 34.50, SGST 34.50) and DM-012 6 × 110.00 = 660.00 at 18 % (CGST 59.40, SGST
    // 59.40). Taxable 2040.00, tax 187.80, total 2227.80, rounded to 2228.00.
    let invoice = setup
        .post_ok(
            "invoices",
            json!({"shipment_id": partial, "issued_at": "2026-05-07T11:00:00+05:30"}),
            201,
        )
        .await;
    assert_eq!(invoice["lines"].as_array().unwrap().len(), 2, "{invoice}");
    assert_eq!(invoice["lines"][0]["product_id"], "DM-001");
    assert_eq!(invoice["lines"][0]["quantity"], "8");
    assert_eq!(invoice["lines"][0]["taxable_value"], "1380.00");
    assert_eq!(invoice["lines"][1]["product_id"], "DM-012");
    assert_eq!(invoice["lines"][1]["quantity"], "6");
    assert_eq!(invoice["lines"][1]["taxable_value"], "660.00");
    let tax = &invoice["tax"];
    assert_eq!(tax["taxable_value"], "2040.00", "{tax}");
    assert_eq!(tax["cgst"], "93.90", "{tax}");
    assert_eq!(tax["sgst"], "93.90", "{tax}");
    assert_eq!(tax["round_off"], "0.20", "{tax}");
    assert_eq!(tax["grand_total"], "2228.00", "{tax}");
    let (status, refused) = setup.post("invoices", json!({"shipment_id": partial})).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "nothing_to_bill");

    // Syncing again and the buyer's countersign reconcile the acknowledgement again, and
    // change nothing further.
    driver_phone.sync_now().await.unwrap();
    let document = dms_device::field::acknowledgement_document(partial_ack);
    let mut buyer_doc = server_copy(&setup, document).fork();
    let countersign = Countersign {
        by: UserId::new("asha").unwrap(),
        at: Timestamp::now(),
        verdict: Verdict::Disputed,
        note: Some("the torn sack was wet too".to_owned()),
    };
    delivery_ack::countersign(&mut buyer_doc, &countersign).unwrap();
    let sync_url = format!("{}/api/v1/orgs/{ORG}/sync", setup.server.url.replacen("http", "ws", 1));
    let mut peer = RawPeer::joined(&sync_url, &setup.buyer_token).await;
    assert_eq!(peer.push(document, &mut buyer_doc).await, PushOutcome::Accepted);
    let delivery = setup.delivery(&partial);
    assert_eq!(delivery.countersign_verdict.as_deref(), Some("disputed"));
    assert_eq!(delivery.shipment_outcome.as_deref(), Some("applied"));

    let again = setup.shipments(&setup.admin_token).await;
    assert_eq!(again, seen);
}

/// Returns the server's current copy of a document.
fn server_copy(setup: &Setup, id: DocumentId) -> Automerge {
    let tenant = setup.server.state.hub.tenant(&setup.tenant).unwrap();
    let mut guard = tenant.lock();
    guard.document(&id).unwrap().clone()
}
