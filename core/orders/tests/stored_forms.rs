//! Records as tenant databases and buyers' devices stored them before dates were written as
//! "YYYY-MM-DD": dates in the `time` crate's tuple form `[year, day of the year]` and no
//! comments, delivery visit or exceptions on a shipment record. They must still load.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;
use serde_json::{Value, json};

#[test]
fn shipment_record_in_old_form_loads() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let record = ShipmentRecord {
        sales_order_id: order.id,
        buyer_id: order.buyer_id().clone(),
        shipment: planned_shipment(&order, &[(1, "10")]),
        history: Vec::new(),
        exceptions: Vec::new(),
        comments: Vec::new(),
        delivery_visit: None,
        acknowledgement: None,
    };

    let mut stored = serde_json::to_value(&record).unwrap();
    assert_eq!(stored["shipment"]["planned_dispatch_on"], "2026-05-05");
    assert_eq!(stored["shipment"]["planned_delivery_on"], "2026-05-06");
    assert_eq!(stored["shipment"]["transport"]["lorry_receipt"]["date"], "2026-05-05");

    // 5 May 2026 is day 125 of the year.
    let object = stored.as_object_mut().unwrap();
    for field in ["acknowledgement", "comments", "delivery_visit", "exceptions"] {
        object.remove(field);
    }
    stored["shipment"]["planned_dispatch_on"] = json!([2026, 125]);
    stored["shipment"]["planned_delivery_on"] = json!([2026, 126]);
    stored["shipment"]["transport"]["lorry_receipt"]["date"] = json!([2026, 125]);

    let loaded: ShipmentRecord = serde_json::from_value(stored).unwrap();
    assert_eq!(loaded, record);
    assert_eq!(loaded.shipment.planned_dispatch_on, day(2026, 5, 5));
}

#[test]
fn payment_and_supply_entry_in_old_form_load() {
    let old_payment: Value = json!({
        "id": PaymentId::generate().to_string(), "seller": "acme-dist", "buyer": "kirana-12",
        "mode": "neft", "reference": "UTR-1", "received_on": [2026, 140], "amount": "100.00"
    });
    let payment: Payment = serde_json::from_value(old_payment).unwrap();
    assert_eq!(payment.received_on, day(2026, 5, 20));
    assert_eq!(serde_json::to_value(&payment).unwrap()["received_on"], "2026-05-20");

    let old_entry = json!({
        "id": SupplyEntryId::generate().to_string(), "source": "production", "product_id": "DM-001",
        "quantity": "5", "expected_on": [2026, 152]
    });
    let entry: SupplyEntry = serde_json::from_value(old_entry).unwrap();
    assert_eq!(entry.expected_on, day(2026, 6, 1));
    assert_eq!(serde_json::to_value(&entry).unwrap()["expected_on"], "2026-06-01");
}
