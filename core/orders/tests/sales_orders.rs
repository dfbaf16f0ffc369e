#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;

fn decide(request: &OrderRequest, decision: OrderDecision) -> Result<SalesOrder> {
    decide_order_request(
        request,
        None,
        &decision,
        SalesOrderId::generate(),
        at("2026-05-04T10:00:00+05:30"),
    )
}

#[test]
fn full_acceptance_accepts_every_requested_quantity() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10"), tea_line("4")]);
    let order = decide(&request, OrderDecision::AcceptInFull).unwrap();

    assert_eq!(order.status, SalesOrderStatus::Accepted);
    assert_eq!(order.order_request_id, request.id);
    assert_eq!(order.lines[0].accepted, dec("10"));
    assert_eq!(order.lines[1].accepted, dec("4"));
    assert_eq!(order.lines[1].line_no, 2);
}

#[test]
fn partial_acceptance_keeps_reason_per_reduced_line() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10"), tea_line("4")]);
    let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 1,
        accepted: dec("6"),
        reason: Some("only 6 cartons left this month".to_owned()),
    }]);
    let order = decide(&request, decision).unwrap();

    assert_eq!(order.status, SalesOrderStatus::PartlyAccepted);
    assert_eq!(order.lines[0].requested, qty("10"));
    assert_eq!(order.lines[0].accepted, dec("6"));
    assert_eq!(
        order.lines[0].reduction_reason.as_deref(),
        Some("only 6 cartons left this month")
    );
    assert_eq!(order.lines[1].accepted, dec("4"));
    assert_eq!(order.lines[1].reduction_reason, None);
}

#[test]
fn partial_acceptance_can_drop_a_line_to_zero() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10"), tea_line("4")]);
    let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 2,
        accepted: dec("0"),
        reason: Some("tea discontinued".to_owned()),
    }]);
    let order = decide(&request, decision).unwrap();

    assert_eq!(order.status, SalesOrderStatus::PartlyAccepted);
    assert_eq!(order.lines[1].accepted, dec("0"));
}

#[test]
fn reduction_without_reason_is_rejected() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    for reason in [None, Some("   ".to_owned())] {
        let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
            line_no: 1,
            accepted: dec("6"),
            reason,
        }]);
        let error = decide(&request, decision).unwrap_err();
        assert_eq!(
            error,
            OrderError::MissingReductionReason {
                order_request: request.id,
                line_no: 1,
                accepted: dec("6"),
                requested: dec("10"),
            }
        );
    }
}

#[test]
fn accepting_above_request_is_rejected() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 1,
        accepted: dec("10.5"),
        reason: None,
    }]);
    let error = decide(&request, decision).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "order request {} line 1: accepted 10.5 exceeds the requested 10",
            request.id
        )
    );
}

#[test]
fn partial_acceptance_of_nothing_must_be_a_rejection() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 1,
        accepted: dec("0"),
        reason: Some("no stock".to_owned()),
    }]);
    assert_eq!(
        decide(&request, decision).unwrap_err(),
        OrderError::NothingAccepted {
            order_request: request.id
        }
    );
}

#[test]
fn unknown_or_repeated_line_is_rejected() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let unknown = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 2,
        accepted: dec("1"),
        reason: Some("x".to_owned()),
    }]);
    assert!(matches!(
        decide(&request, unknown).unwrap_err(),
        OrderError::UnknownLine { line_no: 2, .. }
    ));

    let line = LineAcceptance {
        line_no: 1,
        accepted: dec("5"),
        reason: Some("half".to_owned()),
    };
    let repeated = OrderDecision::AcceptInPart(vec![line.clone(), line]);
    assert!(matches!(
        decide(&request, repeated).unwrap_err(),
        OrderError::DuplicateLine { line_no: 1, .. }
    ));
}

#[test]
fn rejection_records_reason_and_accepts_nothing() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10"), tea_line("4")]);
    let order = decide(
        &request,
        OrderDecision::Reject {
            reason: "credit limit exceeded".to_owned(),
        },
    )
    .unwrap();

    assert_eq!(order.status, SalesOrderStatus::Rejected);
    assert_eq!(order.rejection_reason.as_deref(), Some("credit limit exceeded"));
    assert!(order.lines.iter().all(|line| line.accepted == dec("0")));
}

#[test]
fn rejection_needs_a_reason() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let error = decide(&request, OrderDecision::Reject { reason: " ".to_owned() }).unwrap_err();
    assert_eq!(
        error,
        OrderError::MissingRejectionReason {
            order_request: request.id
        }
    );
}

#[test]
fn rejected_order_cannot_be_reserved_or_invoiced() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let order = decide(
        &request,
        OrderDecision::Reject {
            reason: "closed".to_owned(),
        },
    )
    .unwrap();

    let mut stock = StockBook::new();
    let error = stock.reserve_order(&order, &[warehouse("WH-PUNE")]).unwrap_err();
    assert!(matches!(error, OrderError::OrderRejected { action: "reserved", .. }));

    let mut series = invoice_series("INV", 2026);
    let request = invoice_request("2026-05-10T10:00:00+05:30", &[]);
    let error = raise_invoice(BillingPolicy::Ordered, &order, &[], &request, &mut series).unwrap_err();
    assert!(matches!(error, OrderError::OrderRejected { action: "invoiced", .. }));
}

#[test]
fn deciding_again_returns_the_existing_sales_order_unchanged() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let first = decide(&request, OrderDecision::AcceptInFull).unwrap();

    let again = decide_order_request(
        &request,
        Some(&first),
        &OrderDecision::Reject {
            reason: "changed my mind".to_owned(),
        },
        SalesOrderId::generate(),
        at("2026-05-05T10:00:00+05:30"),
    )
    .unwrap();

    assert_eq!(again, first);
}

#[test]
fn other_requests_sales_order_is_rejected() {
    let request = order_request(mumbai_buyer(), vec![soap_line("10")]);
    let other = order_request(mumbai_buyer(), vec![soap_line("3")]);
    let other_order = decide(&other, OrderDecision::AcceptInFull).unwrap();

    let error = decide_order_request(
        &request,
        Some(&other_order),
        &OrderDecision::AcceptInFull,
        SalesOrderId::generate(),
        at("2026-05-05T10:00:00+05:30"),
    )
    .unwrap_err();
    assert!(matches!(error, OrderError::SalesOrderOfOtherRequest { .. }));
}

#[test]
fn order_request_without_lines_is_invalid() {
    let request = order_request(mumbai_buyer(), vec![]);
    let error = decide(&request, OrderDecision::AcceptInFull).unwrap_err();
    assert!(error.to_string().ends_with("it has no lines"), "{error}");
}
