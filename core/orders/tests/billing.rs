#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_domain::Money;
use dms_orders::*;

const ISSUED: &str = "2026-05-07T11:00:00+05:30";

#[test]
fn invoice_from_delivery_bills_delivered_minus_returned() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = delivered_shipment(&order, &[(1, "10")], &[(1, "10")]);
    shipment.record_return(1, dec("4")).unwrap();
    let mut series = invoice_series("INV", 2026);

    let invoice = raise_invoice(
        BillingPolicy::Delivered(&shipment),
        &order,
        &[],
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap();

    assert_eq!(invoice.lines.len(), 1);
    assert_eq!(invoice.lines[0].quantity, dec("6"));
    assert_eq!(invoice.lines[0].shipment_line_no, Some(1));
    assert_eq!(invoice.lines[0].taxable_value, money("240.00"));
    assert_eq!(invoice.lines[0].cgst, money("21.60"));
    assert_eq!(invoice.lines[0].sgst, money("21.60"));
    assert_eq!(invoice.lines[0].igst, money("0.00"));
    assert_eq!(invoice.grand_total(), money("283.00"));
    assert_eq!(invoice.tax.round_off, dec("-0.20"));
    assert_eq!(invoice.source, InvoiceSource::Shipment(shipment.id));
}

#[test]
fn repeated_line_cannot_overbill_delivery() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("1")]);
    let shipment = delivered_shipment(&order, &[(1, "1")], &[(1, "1")]);
    let mut series = invoice_series("INV", 2026);
    let policy = BillingPolicy::Delivered(&shipment);

    // One invoice repeating the line: 1 + 1 against a delivery of 1.
    let error = raise_invoice(
        policy,
        &order,
        &[],
        &invoice_request(ISSUED, &[(1, "1"), (1, "1")]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error,
        OrderError::OverBilling {
            source_line: format!("shipment {} line 1", shipment.id),
            requested: dec("2"),
            billable: dec("1"),
        }
    );
    assert_eq!(
        error.to_string(),
        format!("shipment {} line 1: cannot bill 2, only 1 is left to bill", shipment.id)
    );

    // The rejected attempt recorded nothing. No number was taken, and the 1 still waits to be billed.
    assert_eq!(series.next, 1);
    assert_eq!(to_bill(policy, &order, &[]).unwrap()[0].quantity, dec("1"));

    let first = raise_invoice(policy, &order, &[], &invoice_request(ISSUED, &[(1, "1")]), &mut series).unwrap();
    assert_eq!(first.number.as_str(), "INV/26-27/00001");

    // A second invoice for the same delivery is rejected.
    let error = raise_invoice(
        policy,
        &order,
        std::slice::from_ref(&first),
        &invoice_request(ISSUED, &[(1, "1")]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error,
        OrderError::OverBilling {
            source_line: format!("shipment {} line 1", shipment.id),
            requested: dec("1"),
            billable: dec("0"),
        }
    );
    assert_eq!(series.next, 2);
}

#[test]
fn separate_delivery_still_waits_to_be_billed() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let pune = warehouse("WH-PUNE");
    let mut stock = StockBook::new();
    stock.receive(&pune, &product(SOAP), qty("10"));
    stock.reserve_order(&order, std::slice::from_ref(&pune)).unwrap();

    // 5 shipped with stock moved, delivered and invoiced.
    let first = delivered_shipment(&order, &[(1, "5")], &[(1, "5")]);
    stock.issue(&order, 1, &pune, dec("5")).unwrap();
    let mut series = invoice_series("INV", 2026);
    let invoice = raise_invoice(
        BillingPolicy::Delivered(&first),
        &order,
        &[],
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap();
    assert_eq!(invoice.lines[0].quantity, dec("5"));
    assert_eq!(stock.level(&pune, &product(SOAP)).on_hand, dec("5"));

    // The other 5 delivered separately.
    let second = delivered_shipment(&order, &[(1, "5")], &[(1, "5")]);
    stock.issue(&order, 1, &pune, dec("5")).unwrap();
    let invoices = [invoice];

    let second_to_bill = to_bill(BillingPolicy::Delivered(&second), &order, &invoices).unwrap();
    assert_eq!(second_to_bill.len(), 1);
    assert_eq!(second_to_bill[0].quantity, dec("5"));
    assert_eq!(
        to_bill(BillingPolicy::Delivered(&first), &order, &invoices).unwrap()[0].quantity,
        dec("0")
    );
    assert_eq!(
        to_bill(BillingPolicy::Ordered, &order, &invoices).unwrap()[0].quantity,
        dec("5")
    );

    let second_invoice = raise_invoice(
        BillingPolicy::Delivered(&second),
        &order,
        &invoices,
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap();
    assert_eq!(second_invoice.lines[0].quantity, dec("5"));
    assert_eq!(second_invoice.number.as_str(), "INV/26-27/00002");
}

#[test]
fn order_billing_caps_later_delivery_billing() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut series = invoice_series("INV", 2026);
    let on_order = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request(ISSUED, &[(1, "10")]),
        &mut series,
    )
    .unwrap();
    assert_eq!(on_order.source, InvoiceSource::SalesOrder);
    assert_eq!(on_order.lines[0].shipment_line_no, None);

    let shipment = delivered_shipment(&order, &[(1, "10")], &[(1, "10")]);
    let invoices = [on_order];
    assert_eq!(
        to_bill(BillingPolicy::Delivered(&shipment), &order, &invoices).unwrap()[0].quantity,
        dec("0")
    );
    let error = raise_invoice(
        BillingPolicy::Delivered(&shipment),
        &order,
        &invoices,
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error,
        OrderError::NothingToBill {
            source_document: format!("shipment {}", shipment.id)
        }
    );
}

#[test]
fn order_billing_rejects_more_than_accepted() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut series = invoice_series("INV", 2026);
    let error = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request(ISSUED, &[(1, "10.001")]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error,
        OrderError::OverBilling {
            source_line: format!("sales order {} line 1", order.id),
            requested: dec("10.001"),
            billable: dec("10"),
        }
    );
}

#[test]
fn undelivered_shipment_cannot_be_billed() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let shipment = planned_shipment(&order, &[(1, "10")]);
    let mut series = invoice_series("INV", 2026);
    let error = raise_invoice(
        BillingPolicy::Delivered(&shipment),
        &order,
        &[],
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "shipment {} is planned; only a delivered or partly delivered shipment can be billed",
            shipment.id
        )
    );
}

#[test]
fn intra_state_invoice_carries_cgst_and_sgst() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10"), tea_line("3")]);
    let mut series = invoice_series("INV", 2026);
    let invoice = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap();

    let taxes: Vec<_> = invoice
        .lines
        .iter()
        .map(|l| (l.taxable_value, l.cgst, l.sgst, l.igst))
        .collect();
    assert_eq!(
        taxes,
        vec![
            (money("400.00"), money("36.00"), money("36.00"), money("0.00")),
            (money("376.50"), money("9.41"), money("9.41"), money("0.00")),
        ]
    );
    assert_eq!(invoice.tax.total_before_round_off, dec("867.32"));
    assert_eq!(invoice.tax.round_off, dec("-0.32"));
    assert_eq!(invoice.grand_total(), money("867.00"));
    assert_eq!(invoice.due_on, day(2026, 6, 6));
}

#[test]
fn inter_state_invoice_carries_igst() {
    let order = accepted_order(ahmedabad_buyer(), vec![soap_line("10"), tea_line("3")]);
    let mut series = invoice_series("INV", 2026);
    let invoice = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request(ISSUED, &[]),
        &mut series,
    )
    .unwrap();

    let igst: Vec<Money> = invoice.lines.iter().map(|l| l.igst).collect();
    assert_eq!(igst, vec![money("72.00"), money("18.83")]);
    assert_eq!(invoice.tax.cgst, dec("0.00"));
    assert_eq!(invoice.tax.total_before_round_off, dec("867.33"));
    assert_eq!(invoice.grand_total(), money("867.00"));
}
