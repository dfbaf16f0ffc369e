//! A driver's signed delivery acknowledgement that reaches the server while its shipment is
//! still planned is skipped. When staff then record the dispatch over REST, the stored
//! acknowledgement is applied in the same request: the shipment becomes partly delivered with
//! the driver's quantities, shortages and damages, and the outcome becomes `applied`. Staff
//! see the outcome on the shipment and in the delivery acknowledgement report.
//!
//! The distributor `acme-dist` and the partner are both in Maharashtra (27).

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use dms_device::Device;
use dms_documents::delivery_ack::{Receiver, SignOff};
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, ProductId, ShipmentId};
use dms_orders::{AcknowledgementOutcomeKind, DeliveryExceptionKind, ShipmentRecord, ShipmentStatus};
use dms_tests::back_office::{BackOffice, DAL_AND_DETERGENT_PRICES, KIRANA_12, transport_by_vehicle};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;

const BUYER: &str = "kirana-12";
const DRIVER: &str = "drv-1";
const ADMIN: &str = "acme-admin";

/// Reads `path` as `token` and checks that the status is 200.
async fn get_response(setup: &BackOffice, path: &str, token: &str) -> reqwest::Response {
    let response = reqwest::Client::new()
        .get(setup.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    response
}

/// Submits a partner's order of 14 DM-001 and 8 DM-012, accepts it in full, reserves it in
/// WH-PUNE and plans a shipment of 10 DM-001 (line 1) and 6 DM-012 (line 2). Returns the
/// sales order and shipment ids.
async fn planned_shipment(setup: &BackOffice, buyer_phone: &Device) -> (String, String) {
    let sales_order = setup
        .order_in_full(&KIRANA_12, buyer_phone, &[("DM-001", "14"), ("DM-012", "8")])
        .await;
    setup
        .receive_stock(json!([{"product_id": "DM-001", "quantity": "14"}, {"product_id": "DM-012", "quantity": "8"}]))
        .await;
    setup.reserve(&sales_order).await;
    let shipment = setup
        .plan_shipment(&sales_order, transport_by_vehicle(), &[(1, "10"), (2, "6")])
        .await;
    (sales_order, shipment)
}

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

/// Signs, on the driver's phone and offline, the delivery of 10 DM-001 (1 short and 1 damaged)
/// and 6 DM-012 (all delivered).
fn sign_acknowledgement(phone: &Device, shipment: &str) -> (AcknowledgementId, SignOff) {
    let dispatched = BTreeMap::from([(product("DM-001"), dec!(10)), (product("DM-012"), dec!(6))]);
    let ack = phone
        .start_acknowledgement(
            shipment.parse::<ShipmentId>().unwrap(),
            PartyId::new(BUYER).unwrap(),
            "MH 12 AB 1234",
            &dispatched,
        )
        .unwrap();
    phone
        .record_delivered_line(
            ack,
            &product("DM-001"),
            dec!(1),
            dec!(1),
            Some("one sack missing, one torn"),
        )
        .unwrap();
    let receiver = Receiver {
        name: "Sunil Patil".to_owned(),
        phone: "+91 98200 12345".to_owned(),
    };
    phone.set_receiver(ack, &receiver).unwrap();
    phone
        .attach_signature(ack, b"signature of Sunil Patil", "image/png")
        .unwrap();
    phone
        .capture_delivery(ack, GeoPoint::parse("18.5204", "73.8567", "6").unwrap())
        .unwrap();
    let sign_off = phone.sign_off(ack).unwrap();
    (ack, sign_off)
}

/// Returns the status history as (status, changed by, changed at).
fn history(record: &ShipmentRecord) -> Vec<(ShipmentStatus, String, String)> {
    record
        .history
        .iter()
        .map(|change| (change.status, change.changed_by.clone(), change.changed_at.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_applies_skipped_acknowledgement() {
    let setup = BackOffice::start(DAL_AND_DETERGENT_PRICES).await;
    assert_eq!(setup.pricing_import.priced, 2);
    let (buyer, buyer_token) = setup.partner_token("asha", BUYER);
    let (driver, driver_token) = setup.driver_token(DRIVER);
    let buyer_phone = setup.server.device("buyer-phone", &buyer, &buyer_token);
    let driver_phone = setup.server.device("driver-phone", &driver, &driver_token);
    let (sales_order, shipment) = planned_shipment(&setup, &buyer_phone).await;

    // The driver delivers and signs before staff record the dispatch.
    driver_phone.sync_now().await.unwrap();
    let (ack, sign_off) = sign_acknowledgement(&driver_phone, &shipment);
    driver_phone.sync_now().await.unwrap();
    assert_eq!(driver_phone.sync_status().unwrap().pending_documents, 0);

    let skipped_reason = format!(
        "shipment {shipment} is still planned, not dispatched, so acknowledgement {ack} was not applied; \
         record its dispatch and delivery over REST"
    );
    let delivery = setup.delivery(&shipment);
    assert_eq!(delivery.shipment_outcome.as_deref(), Some("skipped"));
    assert_eq!(
        delivery.shipment_outcome_reason.as_deref(),
        Some(skipped_reason.as_str())
    );
    let seen = setup.shipments(&setup.admin_token).await;
    let record = &seen[&shipment];
    assert_eq!(record.shipment.status, ShipmentStatus::Planned);
    assert!(record.exceptions.is_empty());
    let shown = record.acknowledgement.as_ref().unwrap();
    assert_eq!(shown.ack_id, ack);
    assert_eq!(shown.outcome, AcknowledgementOutcomeKind::Skipped);
    assert_eq!(shown.reason, skipped_reason);

    // Assigning a delivery visit returns the same record, acknowledgement included.
    let assigned = setup
        .put_ok(
            &setup.admin_token,
            &format!("shipments/{shipment}/delivery-visit"),
            json!({"representative": DRIVER, "arrive_from": "2026-05-06T16:00:00+05:30",
                   "arrive_to": "2026-05-06T18:00:00+05:30"}),
        )
        .await;
    assert_eq!(assigned["acknowledgement"]["outcome"], "skipped", "{assigned}");

    // Staff record the dispatch: the same request applies the acknowledgement.
    let dispatched: ShipmentRecord = serde_json::from_value(
        setup
            .post_event(
                &shipment,
                json!({"event": "dispatch", "at": "2026-05-06T18:00:00+05:30"}),
            )
            .await,
    )
    .unwrap();
    assert_eq!(dispatched.shipment.status, ShipmentStatus::PartlyDelivered);
    let lines: Vec<(u32, Decimal, Decimal)> = dispatched
        .shipment
        .lines
        .iter()
        .map(|line| (line.line_no, line.dispatched, line.delivered))
        .collect();
    assert_eq!(lines, [(1, dec!(10), dec!(8)), (2, dec!(6), dec!(6))]);
    assert_eq!(dispatched.shipment.delivered_at, Some(sign_off.signed_at));

    let signed_at = sign_off.signed_at.to_string();
    let staff_history = history(&dispatched);
    assert_eq!(staff_history.len(), 4, "{staff_history:?}");
    let statuses: Vec<(ShipmentStatus, &str)> = staff_history
        .iter()
        .map(|(status, by, _)| (*status, by.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            (ShipmentStatus::Planned, ADMIN),
            (ShipmentStatus::Dispatched, ADMIN),
            (ShipmentStatus::InTransit, DRIVER),
            (ShipmentStatus::PartlyDelivered, DRIVER),
        ]
    );
    assert_eq!(staff_history[2].2, signed_at);
    assert_eq!(staff_history[3].2, signed_at);

    let reason = Some("one sack missing, one torn");
    let exceptions: Vec<(u32, u32, DeliveryExceptionKind, Decimal, Option<&str>)> = dispatched
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
    assert_eq!(
        exceptions,
        [
            (1, 1, DeliveryExceptionKind::Short, dec!(1), reason),
            (1, 1, DeliveryExceptionKind::Damaged, dec!(1), reason),
        ]
    );
    for exception in &dispatched.exceptions {
        assert_eq!(exception.sales_order_id.to_string(), sales_order);
        assert_eq!(exception.ack_id, ack);
        assert_eq!(exception.recorded_by, DRIVER);
        assert_eq!(exception.recorded_at.to_string(), signed_at);
    }

    let applied_reason = format!(
        "shipment {shipment} moved from dispatched to partly_delivered by acknowledgement {ack} \
         signed by {DRIVER} at {signed_at}"
    );
    let shown = dispatched.acknowledgement.as_ref().unwrap();
    assert_eq!(shown.ack_id, ack);
    assert_eq!(shown.outcome, AcknowledgementOutcomeKind::Applied);
    assert_eq!(shown.reason, applied_reason);
    let delivery = setup.delivery(&shipment);
    assert_eq!(delivery.shipment_outcome.as_deref(), Some("applied"));
    assert_eq!(
        delivery.shipment_outcome_reason.as_deref(),
        Some(applied_reason.as_str())
    );

    // The list shows the same to staff. The buyer sees the shipment but not the outcome.
    let seen = setup.shipments(&setup.admin_token).await;
    assert_eq!(seen[&shipment], dispatched);
    let buyer_seen = setup.shipments(&buyer_token).await;
    assert_eq!(buyer_seen[&shipment].shipment, dispatched.shipment);
    assert_eq!(buyer_seen[&shipment].exceptions, dispatched.exceptions);
    assert_eq!(buyer_seen[&shipment].acknowledgement, None);

    // Later dispatch-like events are refused and change nothing more.
    for event in ["dispatch", "in_transit"] {
        let (status, refused) = setup
            .post(
                &setup.admin_token,
                &format!("shipments/{shipment}/events"),
                json!({"event": event}),
            )
            .await;
        assert_eq!(status, 409, "{event}: {refused}");
        assert_eq!(refused["code"], "illegal_shipment_transition");
    }
    assert_eq!(setup.shipments(&setup.admin_token).await, seen);
    assert_eq!(setup.delivery(&shipment).shipment_outcome.as_deref(), Some("applied"));

    // The delivery acknowledgement report states the outcome, in HTML and in the PDF, where
    // the line is wrapped to the page width.
    let html = get_response(
        &setup,
        &format!("deliveries/{shipment}/report.html"),
        &setup.admin_token,
    )
    .await
    .text()
    .await
    .unwrap();
    let row = format!("<tr><th>Shipment update</th><td>applied - {applied_reason}</td></tr>");
    assert!(html.contains(&row), "missing {row:?} in {html}");
    let pdf = get_response(&setup, &format!("deliveries/{shipment}/report.pdf"), &setup.admin_token)
        .await
        .bytes()
        .await
        .unwrap();
    let pdf = String::from_utf8_lossy(&pdf);
    for line in [
        format!("(Shipment update: applied - shipment {shipment} moved from dispatched to) Tj"),
        format!("(    partly_delivered by acknowledgement {ack} signed by {DRIVER} at) Tj"),
        format!("(    {signed_at}) Tj"),
    ] {
        assert!(pdf.contains(&line), "missing {line:?} in {pdf}");
    }
}
