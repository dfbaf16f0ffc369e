#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;

fn soap_invoice() -> Invoice {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut series = invoice_series("INV", 2026);
    raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request("2026-05-07T11:00:00+05:30", &[]),
        &mut series,
    )
    .unwrap()
}

fn credit_request(reason: CreditReason, issued_at: &str, lines: &[(u32, &str)]) -> CreditNoteRequest {
    CreditNoteRequest {
        id: CreditNoteId::generate(),
        issued_at: at(issued_at),
        reason,
        lines: lines
            .iter()
            .map(|(line_no, quantity)| CreditLineRequest {
                invoice_line_no: *line_no,
                quantity: qty(quantity),
            })
            .collect(),
    }
}

#[test]
fn credit_notes_never_exceed_invoiced_minus_credited() {
    let invoice = soap_invoice();
    assert_eq!(invoice.grand_total(), money("472.00"));
    let mut series = invoice_series("CN", 2026);

    let returned = raise_credit_note(
        &invoice,
        &[],
        &credit_request(CreditReason::Return, "2026-05-10T10:00:00+05:30", &[(1, "4")]),
        &mut series,
    )
    .unwrap();
    assert_eq!(returned.number.as_str(), "CN/26-27/00001");
    assert_eq!(returned.lines[0].line.quantity, dec("4"));
    assert_eq!(returned.lines[0].line.taxable_value, money("160.00"));
    assert_eq!(returned.grand_total(), money("189.00"));

    // 3 + 4 on the same line is 7, one more than the 6 left.
    let notes = vec![returned];
    let error = raise_credit_note(
        &invoice,
        &notes,
        &credit_request(CreditReason::Damage, "2026-05-11T10:00:00+05:30", &[(1, "3"), (1, "4")]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "invoice {} line 1: cannot credit 7, only 6 is left to credit",
            invoice.id
        )
    );
    assert_eq!(series.next, 2);

    let shortage = raise_credit_note(
        &invoice,
        &notes,
        &credit_request(CreditReason::Shortage, "2026-05-11T10:00:00+05:30", &[(1, "6")]),
        &mut series,
    )
    .unwrap();
    assert_eq!(shortage.number.as_str(), "CN/26-27/00002");
    assert_eq!(shortage.grand_total(), money("283.00"));
    assert_eq!(notes[0].grand_total() + shortage.grand_total(), invoice.grand_total());

    let notes = vec![notes[0].clone(), shortage];
    let error = raise_credit_note(
        &invoice,
        &notes,
        &credit_request(CreditReason::Damage, "2026-05-12T10:00:00+05:30", &[(1, "0.001")]),
        &mut series,
    )
    .unwrap_err();
    assert_eq!(
        error,
        OrderError::OverCrediting {
            invoice: invoice.id,
            line_no: 1,
            requested: dec("0.001"),
            creditable: dec("0"),
        }
    );
}

#[test]
fn credit_note_before_invoice_is_rejected() {
    let invoice = soap_invoice();
    let mut series = invoice_series("CN", 2026);
    let error = raise_credit_note(
        &invoice,
        &[],
        &credit_request(CreditReason::Return, "2026-05-06T10:00:00+05:30", &[(1, "1")]),
        &mut series,
    )
    .unwrap_err();
    assert!(matches!(error, OrderError::CreditNoteBeforeInvoice { .. }));
}

#[test]
fn credit_note_needs_known_lines() {
    let invoice = soap_invoice();
    let mut series = invoice_series("CN", 2026);
    let unknown = credit_request(CreditReason::Return, "2026-05-10T10:00:00+05:30", &[(2, "1")]);
    assert!(matches!(
        raise_credit_note(&invoice, &[], &unknown, &mut series).unwrap_err(),
        OrderError::UnknownLine { line_no: 2, .. }
    ));
    let empty = credit_request(CreditReason::Return, "2026-05-10T10:00:00+05:30", &[]);
    assert!(matches!(
        raise_credit_note(&invoice, &[], &empty, &mut series).unwrap_err(),
        OrderError::NoLines { .. }
    ));
}
