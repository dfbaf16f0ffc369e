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
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, ProductId, ShipmentId, Timestamp, UserId};
use dms_orders::{DeliveryExceptionKind, ShipmentRecord, ShipmentStatus};
use dms_tests::back_office::{BackOffice, DAL_AND_DETERGENT_PRICES, KIRANA_12, transport_by_vehicle};
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;

const ORG: &str = "acme-dist";
const BUYER: &str = "kirana-12";
const DRIVER: &str = "drv-1";

/// Submits a partner's order of 14 DM-001 and 8 DM-012, accepts it in full and reserves it in
/// WH-PUNE; returns the sales order id.
async fn reserved_sales_order(setup: &BackOffice, buyer_phone: &Device) -> String {
    let sales_order = setup
        .order_in_full(&KIRANA_12, buyer_phone, &[("DM-001", "14"), ("DM-012", "8")])
        .await;
    setup
        .receive_stock(json!([{"product_id": "DM-001", "quantity": "14"}, {"product_id": "DM-012", "quantity": "8"}]))
        .await;
    let reserved = setup.reserve(&sales_order).await;
    assert_eq!(reserved["backorders"].as_array().unwrap().len(), 0, "{reserved}");
    sales_order
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
    let setup = BackOffice::start(DAL_AND_DETERGENT_PRICES).await;
    assert_eq!(setup.pricing_import.priced, 2);
    let (buyer, buyer_token) = setup.partner_token("asha", BUYER);
    let (driver, driver_token) = setup.driver_token(DRIVER);
    let buyer_phone = setup.server.device("buyer-phone", &buyer, &buyer_token);
    let driver_phone = setup.server.device("driver-phone", &driver, &driver_token);
    let sales_order = reserved_sales_order(&setup, &buyer_phone).await;

    // Shipment 1 carries 10 DM-001 and 6 DM-012 and is dispatched. Shipment 2 carries the
    // rest (4 and 2) and is in transit. Shipment 3 is planned and never dispatched.
    let partial = setup
        .plan_shipment(&sales_order, transport_by_vehicle(), &[(1, "10"), (2, "6")])
        .await;
    let full = setup
        .plan_shipment(&sales_order, transport_by_vehicle(), &[(1, "4"), (2, "2")])
        .await;
    let planned = setup
        .plan_shipment(&sales_order, transport_by_vehicle(), &[(1, "1")])
        .await;
    for shipment in [&partial, &full] {
        setup
            .post_event(
                shipment,
                json!({"event": "dispatch", "at": "2026-05-05T08:00:00+05:30"}),
            )
            .await;
    }
    setup.post_event(&full, json!({"event": "in_transit"})).await;

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
    let buyer_seen = setup.shipments(&buyer_token).await;
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
            &setup.admin_token,
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
    let (status, refused) = setup
        .post(&setup.admin_token, "invoices", json!({"shipment_id": partial}))
        .await;
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
    let mut peer = RawPeer::joined(&sync_url, &buyer_token).await;
    assert_eq!(peer.push(document, &mut buyer_doc).await, PushOutcome::Accepted);
    let delivery = setup.delivery(&partial);
    assert_eq!(delivery.countersign_verdict.as_deref(), Some("disputed"));
    assert_eq!(delivery.shipment_outcome.as_deref(), Some("applied"));

    let again = setup.shipments(&setup.admin_token).await;
    assert_eq!(again, seen);
}

/// Returns the server's current copy of a document.
fn server_copy(setup: &BackOffice, id: DocumentId) -> Automerge {
    let tenant = setup.server.state.hub.tenant(&setup.tenant).unwrap();
    let mut guard = tenant.lock();
    guard.document(&id).unwrap().clone()
}
