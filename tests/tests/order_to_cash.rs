//! Order to cash over a real server: a partner's cart becomes an order request, the
//! distributor decides it, reserves stock, ships, invoices and collects payment over REST, and
//! the partner's device shows each status after a sync round.
//!
//! The distributor `acme-dist` is in Maharashtra (27) and so is the partner, so every supply
//! is intra-state: CGST and SGST at half the rate each.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_device::Device;
use dms_domain::ProductId;
use dms_orders::{SalesOrderStatus, ShipmentStatus};
use dms_server::access::Principal;
use dms_tests::back_office::{BackOffice, DAL_AND_DETERGENT_PRICES, KIRANA_12, SELLER, submit_cart};
use serde_json::{Value, json};

const PARTNER: &str = "kirana-12";

/// Starts the seller's back office and issues a token for the partner's user `asha`.
async fn start() -> (BackOffice, Principal, String) {
    let setup = BackOffice::start(DAL_AND_DETERGENT_PRICES).await;
    assert_eq!(setup.pricing_import.priced, 2);
    let (partner, partner_token) = setup.partner_token("asha", PARTNER);
    (setup, partner, partner_token)
}

/// Returns the id of the only order request the seller has.
async fn only_order_request(setup: &BackOffice) -> String {
    let requests = setup.get_ok(&setup.admin_token, "order-requests").await;
    assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    requests[0]["order_request_id"].as_str().unwrap().to_owned()
}

fn road_transport() -> Value {
    json!({
        "transporter": "Shree Logistics",
        "mode": "road",
        "vehicle_number": "MH 12 AB 1234",
        "driver_name": "Ramesh Patil",
        "driver_phone": "+91 98765 43210",
        "lorry_receipt_number": "LR-5531",
        "lorry_receipt_date": "2026-05-05"
    })
}

/// Syncs the phone and returns the shipment's status as the phone shows it offline.
async fn phone_shipment_status(phone: &Device) -> ShipmentStatus {
    phone.sync_now().await.unwrap();
    let orders = phone.orders().unwrap().unwrap();
    assert_eq!(orders.shipments.len(), 1);
    orders.shipments[0].shipment.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_order_runs_from_cart_to_paid_invoice() {
    let (setup, partner, partner_token) = start().await;

    // Two phones of the partner hold one cart; both submit it offline.
    let phone_a = setup.server.device("phone-a", &partner, &partner_token);
    let phone_b = setup.server.device("phone-b", &partner, &partner_token);
    phone_a.sync_now().await.unwrap();
    let cart = phone_a.create_cart(None).unwrap();
    phone_a
        .set_line(cart, &ProductId::new("DM-001").unwrap(), "10".parse().unwrap())
        .unwrap();
    phone_a
        .set_line(cart, &ProductId::new("DM-012").unwrap(), "4".parse().unwrap())
        .unwrap();
    phone_a.sync_now().await.unwrap();
    phone_b.sync_now().await.unwrap();
    phone_a.submit(cart).unwrap();
    phone_b.submit(cart).unwrap();
    phone_a.sync_now().await.unwrap();
    phone_b.sync_now().await.unwrap();
    let order_request = only_order_request(&setup).await;

    // Partial acceptance: 3 of the 4 detergent (line 2), with a reason.
    let (status, order) = setup
        .decide(
            &order_request,
            json!({"accept_in_part": [{"line_no": 2, "accepted": "3", "reason": "allocation limit for May"}]}),
            &KIRANA_12,
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "partly_accepted");
    assert_eq!(order["lines"][1]["accepted"], "3");
    let sales_order = order["id"].as_str().unwrap().to_owned();

    // Deciding again, even differently, returns the same sales order.
    let (status, again) = setup
        .decide(
            &order_request,
            json!({"reject": {"reason": "changed mind"}}),
            &KIRANA_12,
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], sales_order);
    assert_eq!(again["status"], "partly_accepted");
    let (status, phone_b_again) = setup.decide(&order_request, json!("accept_in_full"), &KIRANA_12).await;
    assert_eq!(status, 200);
    assert_eq!(phone_b_again["id"], sales_order);
    let listed = setup.get_ok(&partner_token, "sales-orders").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // The phone shows the decision and the reason.
    phone_a.sync_now().await.unwrap();
    let seen = phone_a.orders().unwrap().unwrap();
    assert_eq!(seen.sales_orders.len(), 1);
    assert_eq!(seen.sales_orders[0].status, SalesOrderStatus::PartlyAccepted);
    assert_eq!(
        seen.sales_orders[0].lines[1].reduction_reason.as_deref(),
        Some("allocation limit for May")
    );
    assert!(seen.shipments.is_empty());

    // Stock covers the dal and 1 detergent; 2 detergent are backordered.
    let (status, levels) = setup
        .post(
            &setup.admin_token,
            "stock/receipts",
            json!({"warehouse": "WH-PUNE", "lines": [
                {"product_id": "DM-001", "quantity": "10"}, {"product_id": "DM-012", "quantity": "1"}]}),
        )
        .await;
    assert_eq!(status, 200, "{levels}");
    let (status, reserved) = setup
        .post(
            &setup.admin_token,
            &format!("sales-orders/{sales_order}/reservations"),
            json!({"warehouses": ["WH-PUNE"]}),
        )
        .await;
    assert_eq!(status, 200, "{reserved}");
    assert_eq!(reserved["reservations"].as_array().unwrap().len(), 2);
    let backorders = reserved["backorders"].as_array().unwrap();
    assert_eq!(backorders.len(), 1);
    assert_eq!(backorders[0]["line_no"], 2);
    assert_eq!(backorders[0]["quantity"], "2");

    // A shipment of what is reserved, with vehicle, driver and lorry receipt.
    let (status, planned) = setup
        .post(
            &setup.admin_token,
            "shipments",
            json!({"sales_order_id": sales_order, "warehouse": "WH-PUNE",
                   "planned_dispatch_on": "2026-05-05", "planned_delivery_on": "2026-05-06",
                   "transport": road_transport()}),
        )
        .await;
    assert_eq!(status, 201, "{planned}");
    let shipment = planned["shipment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(phone_shipment_status(&phone_a).await, ShipmentStatus::Planned);
    let seen = phone_a.orders().unwrap().unwrap();
    let transport = &seen.shipments[0].shipment.transport;
    assert_eq!(transport.vehicle.as_ref().unwrap().as_str(), "MH12AB1234");
    assert_eq!(transport.driver.as_ref().unwrap().name, "Ramesh Patil");
    assert_eq!(transport.driver.as_ref().unwrap().phone, "9876543210");
    assert_eq!(transport.lorry_receipt.as_ref().unwrap().number, "LR-5531");
    assert_eq!(transport.transporter.as_deref(), Some("Shree Logistics"));

    // Dispatched, in transit, delivered; the phone sees each status.
    let dispatched = setup
        .post_event(
            &shipment,
            json!({"event": "dispatch", "at": "2026-05-05T08:00:00+05:30"}),
        )
        .await;
    assert_eq!(dispatched["shipment"]["status"], "dispatched");
    assert_eq!(phone_shipment_status(&phone_a).await, ShipmentStatus::Dispatched);
    setup.post_event(&shipment, json!({"event": "in_transit"})).await;
    assert_eq!(phone_shipment_status(&phone_a).await, ShipmentStatus::InTransit);
    setup
        .post_event(
            &shipment,
            json!({"event": "deliver", "at": "2026-05-06T16:00:00+05:30",
                   "lines": [{"line_no": 1, "quantity": "10"}, {"line_no": 2, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(phone_shipment_status(&phone_a).await, ShipmentStatus::Delivered);

    // 4 of the 10 dal come back after delivery: 6 are billed.
    let returned = setup
        .post_event(
            &shipment,
            json!({"event": "return_goods", "lines": [{"line_no": 1, "quantity": "4"}]}),
        )
        .await;
    assert_eq!(returned["shipment"]["lines"][0]["returned"], "4");
    let history: Vec<&str> = returned["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["planned", "dispatched", "in_transit", "delivered"]);

    // A repeated line cannot bill the one delivered detergent twice, and takes no number.
    let (status, refused) = setup
        .post(
            &setup.admin_token,
            "invoices",
            json!({"shipment_id": shipment, "issued_at": "2026-05-07T11:00:00+05:30",
                   "lines": [{"source_line_no": 2, "quantity": "1"}, {"source_line_no": 2, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "over_billing");

    // The invoice: DM-001 6 × 172.50 = 1035.00 at 5 %: CGST 25.875 → 25.88, SGST 25.88.
    // DM-012 1 × 110.00 at 18 %: CGST 9.90, SGST 9.90. Taxable 1145.00, tax 71.56,
    // total 1216.56, rounded to 1217.00 with round-off 0.44.
    let (status, invoice) = setup
        .post(
            &setup.admin_token,
            "invoices",
            json!({"shipment_id": shipment, "issued_at": "2026-05-07T11:00:00+05:30"}),
        )
        .await;
    assert_eq!(status, 201, "{invoice}");
    assert_eq!(invoice["number"], "INV/26-27/00001");
    assert_eq!(invoice["lines"][0]["quantity"], "6");
    assert_eq!(invoice["lines"][0]["taxable_value"], "1035.00");
    assert_eq!(invoice["lines"][1]["quantity"], "1");
    let tax = &invoice["tax"];
    assert_eq!(tax["taxable_value"], "1145.00", "{tax}");
    assert_eq!(tax["cgst"], "35.78", "{tax}");
    assert_eq!(tax["sgst"], "35.78", "{tax}");
    assert_eq!(tax["igst"], "0.00", "{tax}");
    assert_eq!(tax["round_off"], "0.44", "{tax}");
    assert_eq!(tax["grand_total"], "1217.00", "{tax}");
    let invoice_id = invoice["id"].as_str().unwrap().to_owned();

    // Nothing is left to bill on the shipment.
    let (status, refused) = setup
        .post(&setup.admin_token, "invoices", json!({"shipment_id": shipment}))
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "nothing_to_bill");

    phone_a.sync_now().await.unwrap();
    let seen = phone_a.orders().unwrap().unwrap();
    assert_eq!(seen.invoices.len(), 1);
    assert_eq!(seen.invoices[0].number.as_str(), "INV/26-27/00001");
    assert_eq!(seen.outstanding.outstanding.to_string(), "1217.00");

    // Payment by NEFT, oldest first: zero outstanding.
    let (status, paid) = setup
        .post(
            &setup.admin_token,
            "payments",
            json!({"buyer_id": PARTNER, "mode": "neft", "reference": "UTR-2002",
                   "received_on": "2026-05-20", "amount": "1217.00"}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["allocations"][0]["invoice_id"], invoice_id);
    assert_eq!(paid["on_account"], "0.00");

    let receivables = setup.get_ok(&partner_token, "receivables?as_of=2026-06-30").await;
    assert_eq!(receivables.as_array().unwrap().len(), 1);
    assert_eq!(receivables[0]["outstanding"], "0.00");
    assert_eq!(receivables[0]["balance"], "0.00");
    let statement = setup
        .get_ok(&partner_token, "statement?from=2026-04-01&to=2026-06-30")
        .await;
    assert_eq!(statement["total_debit"], "1217.00");
    assert_eq!(statement["total_credit"], "1217.00");
    assert_eq!(statement["closing_balance"], "0.00");

    phone_a.sync_now().await.unwrap();
    let seen = phone_a.orders().unwrap().unwrap();
    assert_eq!(seen.payments.len(), 1);
    assert_eq!(seen.outstanding.outstanding.to_string(), "0.00");
    assert_eq!(seen.outstanding.balance.to_string(), "0.00");

    // Exports for accountants.
    let e_invoice = setup
        .get_ok(&partner_token, &format!("invoices/{invoice_id}/e-invoice.json"))
        .await;
    assert_eq!(e_invoice["DocDtls"]["No"], "INV/26-27/00001");
    let (status, invoices_csv) = setup.get_text(&setup.admin_token, "invoices.csv").await;
    assert_eq!(status, 200);
    assert!(invoices_csv.contains("INV/26-27/00001"), "{invoices_csv}");
    let (status, payments_csv) = setup.get_text(&setup.admin_token, "payments.csv").await;
    assert_eq!(status, 200);
    assert!(payments_csv.contains("UTR-2002"), "{payments_csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_delivery_waits_to_be_billed() {
    let (setup, partner, partner_token) = start().await;
    let phone = setup.server.device("phone-a", &partner, &partner_token);
    submit_cart(&phone, &[("DM-001", "10")]).await;
    let order_request = only_order_request(&setup).await;
    let (status, order) = setup.decide(&order_request, json!("accept_in_full"), &KIRANA_12).await;
    assert_eq!(status, 201, "{order}");
    let sales_order = order["id"].as_str().unwrap().to_owned();

    // 5 billed from the order by policy, before anything ships.
    let (status, first) = setup
        .post(
            &setup.admin_token,
            "invoices",
            json!({"sales_order_id": sales_order, "issued_at": "2026-05-04T11:00:00+05:30",
                   "lines": [{"source_line_no": 1, "quantity": "5"}]}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["number"], "INV/26-27/00001");

    // 5 delivered separately still wait to be billed, and are billed once.
    setup
        .post(
            &setup.admin_token,
            "stock/receipts",
            json!({"warehouse": "WH-PUNE", "lines": [{"product_id": "DM-001", "quantity": "5"}]}),
        )
        .await;
    let (status, _) = setup
        .post(
            &setup.admin_token,
            &format!("sales-orders/{sales_order}/reservations"),
            json!({"warehouses": ["WH-PUNE"]}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, planned) = setup
        .post(
            &setup.admin_token,
            "shipments",
            json!({"sales_order_id": sales_order, "warehouse": "WH-PUNE",
                   "planned_dispatch_on": "2026-05-05", "planned_delivery_on": "2026-05-05",
                   "transport": road_transport(), "lines": [{"order_line_no": 1, "quantity": "5"}]}),
        )
        .await;
    assert_eq!(status, 201, "{planned}");
    let shipment = planned["shipment"]["id"].as_str().unwrap().to_owned();
    setup.post_event(&shipment, json!({"event": "dispatch"})).await;
    setup.post_event(&shipment, json!({"event": "in_transit"})).await;
    setup
        .post_event(
            &shipment,
            json!({"event": "deliver", "lines": [{"line_no": 1, "quantity": "5"}]}),
        )
        .await;

    let (status, second) = setup
        .post(
            &setup.admin_token,
            "invoices",
            json!({"shipment_id": shipment, "issued_at": "2026-05-06T11:00:00+05:30"}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["number"], "INV/26-27/00002");
    assert_eq!(second["lines"][0]["quantity"], "5");

    // The order line is fully billed now, by either policy.
    let (status, refused) = setup
        .post(&setup.admin_token, "invoices", json!({"sales_order_id": sales_order}))
        .await;
    assert_eq!(status, 409, "{refused}");
    let (status, refused) = setup
        .post(&setup.admin_token, "invoices", json!({"shipment_id": shipment}))
        .await;
    assert_eq!(status, 409, "{refused}");

    // One damaged pack is credited; crediting 5 more of that line is refused.
    let second_id = second["id"].as_str().unwrap().to_owned();
    let (status, note) = setup
        .post(
            &setup.admin_token,
            "credit-notes",
            json!({"invoice_id": second_id, "reason": "damage", "issued_at": "2026-05-08T10:00:00+05:30",
                   "lines": [{"invoice_line_no": 1, "quantity": "1"}]}),
        )
        .await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(note["number"], "CN/26-27/00001");
    let (status, refused) = setup
        .post(
            &setup.admin_token,
            "credit-notes",
            json!({"invoice_id": second_id, "reason": "damage",
                   "lines": [{"invoice_line_no": 1, "quantity": "5"}]}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "over_crediting");

    // A payment chosen for the second invoice settles what the credit note left of it.
    // DM-001 at 5 %: 5 × 172.50 = 862.50 + 43.14 tax = 905.64 → 906.00; the credit of one is
    // 172.50 + 8.62 = 181.12 → 181.00, so 725.00 is left.
    let (status, paid) = setup
        .post(
            &setup.admin_token,
            "payments",
            json!({"buyer_id": PARTNER, "mode": "cheque", "reference": "CHQ-771",
                   "received_on": "2026-05-20", "amount": "725.00",
                   "allocation": {"chosen": [[second_id, "725.00"]]}}),
        )
        .await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["on_account"], "0.00");
    let notes = setup.get_ok(&partner_token, "credit-notes").await;
    assert_eq!(notes.as_array().unwrap().len(), 1);
    let receivables = setup.get_ok(&partner_token, "receivables?as_of=2026-05-20").await;
    assert_eq!(
        receivables[0]["outstanding"], first["tax"]["grand_total"],
        "{receivables}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_cannot_decide_or_see_other_buyers() {
    let (setup, partner, partner_token) = start().await;
    let phone = setup.server.device("phone-a", &partner, &partner_token);
    submit_cart(&phone, &[("DM-012", "2")]).await;
    let order_request = only_order_request(&setup).await;

    let (status, denied) = setup
        .post(
            &partner_token,
            &format!("order-requests/{order_request}/decision"),
            json!({"decision": "accept_in_full",
                   "seller": SELLER.to_json(),
                   "buyer": KIRANA_12.to_json()}),
        )
        .await;
    assert_eq!(status, 403, "{denied}");

    let (status, _) = setup.decide(&order_request, json!("accept_in_full"), &KIRANA_12).await;
    assert_eq!(status, 201);
    let (_, other_token) = setup.server.partner_token(&setup.tenant, "meena", "kirana-99");
    let others = setup.get_ok(&other_token, "sales-orders").await;
    assert!(others.as_array().unwrap().is_empty(), "{others}");
    let (status, body) = setup.get_text(&other_token, "order-status?buyer=kirana-12").await;
    assert_eq!(status, 403, "{body}");
}
