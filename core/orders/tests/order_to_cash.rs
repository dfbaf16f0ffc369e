//! One order from order request to zero outstanding, every step through the public API.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_domain::ShipmentId;
use dms_orders::*;
use time::macros::date;

#[test]
fn order_runs_from_request_to_zero_outstanding() {
    let pune = warehouse("WH-PUNE");
    let seller_id = seller().party_id;
    let buyer_id = mumbai_buyer().party_id;

    // The buyer requests 10 soap and 3 tea; the seller accepts 8 soap.
    let request = order_request(mumbai_buyer(), vec![soap_line("10"), tea_line("3")]);
    let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 1,
        accepted: dec("8"),
        reason: Some("allocation limit for May".to_owned()),
    }]);
    let order = decide_order_request(
        &request,
        None,
        &decision,
        SalesOrderId::generate(),
        at("2026-05-04T10:00:00+05:30"),
    )
    .unwrap();
    assert_eq!(order.status, SalesOrderStatus::PartlyAccepted);
    let orders = [order.clone()];

    // Stock covers the soap and 1 tea; 2 tea wait for a purchase due on 12 May.
    let mut stock = StockBook::new();
    stock.receive(&pune, &product(SOAP), qty("8"));
    stock.receive(&pune, &product(TEA), qty("1"));
    let reserved = stock.reserve_order(&order, std::slice::from_ref(&pune)).unwrap();
    assert_eq!(reserved.backorders.len(), 1);
    assert_eq!(reserved.backorders[0].quantity, dec("2"));
    let purchase = SupplyEntry {
        id: SupplyEntryId::generate(),
        source: SupplySource::Purchase,
        product_id: product(TEA),
        quantity: qty("2"),
        expected_on: date!(2026 - 05 - 12),
    };
    let plan = plan_fulfilment(&stock, &orders, std::slice::from_ref(&purchase)).unwrap();
    assert_eq!(plan.orders[0].expected_complete_on(), Some(date!(2026 - 05 - 12)));

    // First shipment: the ready lines go out; 7 soap and the tea are delivered, then 1
    // soap comes back.
    let proposals = propose_shipments(&plan, &orders, DeliveryGrouping::ReadyLines, |_| date!(2026 - 05 - 05));
    assert_eq!(proposals.len(), 1);
    let mut first = Shipment::plan(
        ShipmentId::generate(),
        seller_id.clone(),
        &proposals[0],
        date!(2026 - 05 - 06),
        road_transport(),
    )
    .unwrap();
    first.dispatch(at("2026-05-05T08:00:00+05:30")).unwrap();
    for line in &first.lines {
        stock.issue(&order, line.order_line_no, &pune, line.dispatched).unwrap();
    }
    first.mark_in_transit().unwrap();
    let status = first
        .record_delivery(at("2026-05-06T16:00:00+05:30"), &[(1, dec("7")), (2, dec("1"))])
        .unwrap();
    assert_eq!(status, ShipmentStatus::PartlyDelivered);
    first.record_return(1, dec("1")).unwrap();

    let mut invoice_numbers = invoice_series("INV", 2026);
    let first_invoice = raise_invoice(
        BillingPolicy::Delivered(&first),
        &order,
        &[],
        &invoice_request("2026-05-07T11:00:00+05:30", &[]),
        &mut invoice_numbers,
    )
    .unwrap();
    let billed: Vec<_> = first_invoice
        .lines
        .iter()
        .map(|line| (line.order_line_no, line.quantity))
        .collect();
    assert_eq!(billed, vec![(1, dec("6")), (2, dec("1"))]);
    assert_eq!(first_invoice.tax.total_before_round_off, dec("414.98"));
    assert_eq!(first_invoice.grand_total(), money("415.00"));

    // The purchase arrives; the 2 tea are reserved, shipped, delivered and invoiced.
    stock.receive(&pune, &product(TEA), qty("2"));
    let reserved = stock.reserve_order(&order, std::slice::from_ref(&pune)).unwrap();
    assert!(reserved.backorders.is_empty());
    let plan = plan_fulfilment(&stock, &orders, &[]).unwrap();
    assert!(plan.orders[0].is_ready());
    let proposals = propose_shipments(&plan, &orders, DeliveryGrouping::ReadyLines, |_| date!(2026 - 05 - 13));
    let mut second = Shipment::plan(
        ShipmentId::generate(),
        seller_id.clone(),
        &proposals[0],
        date!(2026 - 05 - 14),
        road_transport(),
    )
    .unwrap();
    second.dispatch(at("2026-05-13T08:00:00+05:30")).unwrap();
    stock.issue(&order, 2, &pune, dec("2")).unwrap();
    second.mark_in_transit().unwrap();
    second
        .record_delivery(at("2026-05-14T12:00:00+05:30"), &[(1, dec("2"))])
        .unwrap();
    assert_eq!(second.status, ShipmentStatus::Delivered);

    let mut invoices = vec![first_invoice];
    let second_invoice = raise_invoice(
        BillingPolicy::Delivered(&second),
        &order,
        &invoices,
        &invoice_request("2026-05-14T18:00:00+05:30", &[]),
        &mut invoice_numbers,
    )
    .unwrap();
    assert_eq!(second_invoice.number.as_str(), "INV/26-27/00002");
    assert_eq!(second_invoice.grand_total(), money("264.00"));
    invoices.push(second_invoice);

    // Nothing is left to bill on either shipment; the undelivered soap is never billed.
    for shipment in [&first, &second] {
        let left = to_bill(BillingPolicy::Delivered(shipment), &order, &invoices).unwrap();
        assert!(left.iter().all(|line| line.quantity == dec("0")), "{left:?}");
    }
    assert_eq!(stock.level(&pune, &product(SOAP)).on_hand, dec("0"));
    assert_eq!(stock.level(&pune, &product(TEA)).on_hand, dec("0"));

    // One tea arrives damaged and is credited.
    let mut credit_numbers = invoice_series("CN", 2026);
    let credit_note = raise_credit_note(
        &invoices[1],
        &[],
        &CreditNoteRequest {
            id: CreditNoteId::generate(),
            issued_at: at("2026-05-16T10:00:00+05:30"),
            reason: CreditReason::Damage,
            lines: vec![CreditLineRequest {
                invoice_line_no: 1,
                quantity: qty("1"),
            }],
        },
        &mut credit_numbers,
    )
    .unwrap();
    assert_eq!(credit_note.grand_total(), money("132.00"));
    let credit_notes = [credit_note];

    // The buyer pays 400 by UPI (oldest first), then 147 by NEFT against chosen invoices.
    let upi = Payment::new(
        PaymentId::generate(),
        seller_id.clone(),
        buyer_id.clone(),
        PaymentMode::Upi,
        "UPI-1001",
        day(2026, 5, 20),
        money("400.00"),
    )
    .unwrap();
    let mut payments = vec![upi.clone()];
    let receivables = Receivables::new(&invoices, &credit_notes, &payments, &[]);
    let mut allocations = allocate_payment(&upi, &receivables, &AllocationRule::OldestFirst)
        .unwrap()
        .allocations;
    assert_eq!(allocations.len(), 1);
    assert_eq!(allocations[0].amount, money("400.00"));

    let neft = Payment::new(
        PaymentId::generate(),
        seller_id.clone(),
        buyer_id.clone(),
        PaymentMode::Neft,
        "UTR-2002",
        day(2026, 6, 2),
        money("147.00"),
    )
    .unwrap();
    payments.push(neft.clone());
    let receivables = Receivables::new(&invoices, &credit_notes, &payments, &allocations);
    let chosen = AllocationRule::Chosen(vec![
        (invoices[0].id, money("15.00")),
        (invoices[1].id, money("132.00")),
    ]);
    let applied = allocate_payment(&neft, &receivables, &chosen).unwrap();
    assert_eq!(applied.on_account, money("0.00"));
    allocations.extend(applied.allocations);

    // Zero outstanding, and the statement closes at zero.
    let receivables = Receivables::new(&invoices, &credit_notes, &payments, &allocations);
    let owed = receivables.outstanding_for(&seller_id, &buyer_id, day(2026, 6, 30));
    assert_eq!(owed.outstanding, money("0.00"));
    assert_eq!(owed.on_account, money("0.00"));
    assert_eq!(owed.balance, money("0.00"));
    let statement = statement_of_account(&receivables, &seller_id, &buyer_id, day(2026, 4, 1), day(2026, 6, 30));
    assert_eq!(statement.opening_balance, money("0"));
    assert_eq!(statement.total_debit, money("679.00"));
    assert_eq!(statement.total_credit, money("679.00"));
    assert_eq!(statement.closing_balance, money("0.00"));
    assert_eq!(statement.entries.len(), 5);
}
