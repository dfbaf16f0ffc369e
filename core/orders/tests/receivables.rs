#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_domain::{Money, PartyId};
use dms_orders::*;
use time::Date;

/// Invoices of one order for the Mumbai buyer: 10 soap on 10 April (472.00, due 10 May),
/// 5 soap on 1 May (236.00, due 31 May), 2 soap on 20 May (94.00, due 19 June).
fn three_invoices() -> Vec<Invoice> {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("17")]);
    let mut series = invoice_series("INV", 2026);
    let mut invoices = Vec::new();
    for (issued_at, quantity) in [
        ("2026-04-10T10:00:00+05:30", "10"),
        ("2026-05-01T10:00:00+05:30", "5"),
        ("2026-05-20T10:00:00+05:30", "2"),
    ] {
        let invoice = raise_invoice(
            BillingPolicy::Ordered,
            &order,
            &invoices,
            &invoice_request(issued_at, &[(1, quantity)]),
            &mut series,
        )
        .unwrap();
        invoices.push(invoice);
    }
    invoices
}

fn payment(mode: PaymentMode, reference: &str, received_on: Date, amount: &str) -> Payment {
    Payment::new(
        PaymentId::generate(),
        seller().party_id,
        mumbai_buyer().party_id,
        mode,
        reference,
        received_on,
        money(amount),
    )
    .unwrap()
}

fn amounts(allocations: &[Allocation]) -> Vec<Money> {
    allocations.iter().map(|allocation| allocation.amount).collect()
}

#[test]
fn invoice_totals_of_the_fixture() {
    let invoices = three_invoices();
    let totals: Vec<_> = invoices.iter().map(Invoice::grand_total).collect();
    assert_eq!(totals, vec![money("472.00"), money("236.00"), money("94.00")]);
    assert_eq!(invoices[0].due_on, day(2026, 5, 10));
}

#[test]
fn payment_goes_to_oldest_invoice_first() {
    let invoices = three_invoices();
    let neft = payment(PaymentMode::Neft, "UTR0001", day(2026, 5, 25), "600.00");
    let receivables = Receivables::new(&invoices, &[], std::slice::from_ref(&neft), &[]);

    let applied = allocate_payment(&neft, &receivables, &AllocationRule::OldestFirst).unwrap();
    assert_eq!(amounts(&applied.allocations), vec![money("472.00"), money("128.00")]);
    assert_eq!(applied.allocations[0].invoice_id, invoices[0].id);
    assert_eq!(applied.allocations[1].invoice_id, invoices[1].id);
    assert_eq!(applied.on_account, money("0.00"));
}

#[test]
fn payment_beyond_all_invoices_stays_on_account() {
    let invoices = three_invoices();
    let cheque = payment(PaymentMode::Cheque, "004512", day(2026, 5, 25), "1000.00");
    let payments = [cheque.clone()];
    let receivables = Receivables::new(&invoices, &[], &payments, &[]);

    let applied = allocate_payment(&cheque, &receivables, &AllocationRule::OldestFirst).unwrap();
    assert_eq!(
        amounts(&applied.allocations),
        vec![money("472.00"), money("236.00"), money("94.00")]
    );
    assert_eq!(applied.on_account, money("198.00"));

    let after = Receivables::new(&invoices, &[], &payments, &applied.allocations);
    let buyer = after.outstanding_for(&seller().party_id, &mumbai_buyer().party_id, day(2026, 5, 31));
    assert_eq!(buyer.outstanding, money("0.00"));
    assert_eq!(buyer.on_account, money("198.00"));
    assert_eq!(buyer.balance, money("-198.00"));
}

#[test]
fn payment_goes_to_chosen_invoices() {
    let invoices = three_invoices();
    let upi = payment(PaymentMode::Upi, "UPI-77", day(2026, 5, 25), "300.00");
    let receivables = Receivables::new(&invoices, &[], std::slice::from_ref(&upi), &[]);

    let rule = AllocationRule::Chosen(vec![
        (invoices[2].id, money("94.00")),
        (invoices[1].id, money("100.00")),
    ]);
    let applied = allocate_payment(&upi, &receivables, &rule).unwrap();
    assert_eq!(amounts(&applied.allocations), vec![money("94.00"), money("100.00")]);
    assert_eq!(applied.allocations[0].invoice_id, invoices[2].id);
    assert_eq!(applied.on_account, money("106.00"));
}

#[test]
fn allocation_above_outstanding_is_rejected() {
    let invoices = three_invoices();
    let upi = payment(PaymentMode::Upi, "UPI-77", day(2026, 5, 25), "300.00");
    let receivables = Receivables::new(&invoices, &[], std::slice::from_ref(&upi), &[]);

    let rule = AllocationRule::Chosen(vec![(invoices[2].id, money("50.00")), (invoices[2].id, money("45.00"))]);
    let error = allocate_payment(&upi, &receivables, &rule).unwrap_err();
    assert_eq!(
        error,
        OrderError::OverAllocation {
            invoice: invoices[2].id,
            requested: money("95.00"),
            outstanding: money("94.00"),
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "cannot allocate 95.00 to invoice {}, whose outstanding is 94.00",
            invoices[2].id
        )
    );
}

#[test]
fn allocation_above_payment_is_rejected() {
    let invoices = three_invoices();
    let cash = payment(PaymentMode::Cash, "", day(2026, 5, 25), "100.00");
    let receivables = Receivables::new(&invoices, &[], std::slice::from_ref(&cash), &[]);

    let rule = AllocationRule::Chosen(vec![(invoices[0].id, money("60.00")), (invoices[1].id, money("60.00"))]);
    assert_eq!(
        allocate_payment(&cash, &receivables, &rule).unwrap_err(),
        OrderError::PaymentOverAllocated {
            payment: cash.id,
            requested: money("120.00"),
            unallocated: money("100.00"),
        }
    );
}

#[test]
fn other_buyers_invoice_is_rejected() {
    let invoices = three_invoices();
    let mut stranger = payment(PaymentMode::Rtgs, "UTR9", day(2026, 5, 25), "100.00");
    stranger.buyer = PartyId::new("someone-else").unwrap();
    let receivables = Receivables::new(&invoices, &[], std::slice::from_ref(&stranger), &[]);

    let rule = AllocationRule::Chosen(vec![(invoices[0].id, money("10.00"))]);
    assert!(matches!(
        allocate_payment(&stranger, &receivables, &rule).unwrap_err(),
        OrderError::InvoiceOfOtherParty { .. }
    ));
}

#[test]
fn payment_needs_reference_and_positive_amount() {
    let new = |mode, reference: &str, amount: &str| {
        Payment::new(
            PaymentId::generate(),
            seller().party_id,
            mumbai_buyer().party_id,
            mode,
            reference,
            day(2026, 5, 25),
            money(amount),
        )
    };
    assert!(new(PaymentMode::Cash, "", "10.00").is_ok());
    let error = new(PaymentMode::Neft, " ", "10.00").unwrap_err();
    assert!(
        error.to_string().ends_with("a neft payment needs a reference"),
        "{error}"
    );
    assert!(new(PaymentMode::Card, "AUTH1", "0").is_err());
    assert!(new(PaymentMode::Card, "AUTH1", "10.001").is_err());
}

#[test]
fn ageing_buckets_have_exact_boundaries() {
    // One invoice of 472.00 dated 10 April with 30 credit days: due 10 May.
    let invoices = three_invoices()[..1].to_vec();
    let receivables = Receivables::new(&invoices, &[], &[], &[]);
    let seller = seller().party_id;
    let buyer = mumbai_buyer().party_id;
    let full = money("472.00");
    let zero = money("0.00");

    // (as of, days past due, not due, 0–30, 31–60, 61–90, 90+, overdue)
    let cases = [
        (day(2026, 5, 9), -1, full, zero, zero, zero, zero, zero),
        (day(2026, 5, 10), 0, zero, full, zero, zero, zero, zero),
        (day(2026, 5, 11), 1, zero, full, zero, zero, zero, full),
        (day(2026, 6, 9), 30, zero, full, zero, zero, zero, full),
        (day(2026, 6, 10), 31, zero, zero, full, zero, zero, full),
        (day(2026, 7, 9), 60, zero, zero, full, zero, zero, full),
        (day(2026, 7, 10), 61, zero, zero, zero, full, zero, full),
        (day(2026, 8, 8), 90, zero, zero, zero, full, zero, full),
        (day(2026, 8, 9), 91, zero, zero, zero, zero, full, full),
    ];
    for (as_of, days, not_due, d0_30, d31_60, d61_90, over_90, overdue) in cases {
        assert_eq!(receivables::days_past_due(&invoices[0], as_of), days, "{as_of}");
        let result = receivables.outstanding_for(&seller, &buyer, as_of);
        assert_eq!(result.ageing.not_due, not_due, "{as_of} not due");
        assert_eq!(result.ageing.days_0_30, d0_30, "{as_of} 0-30");
        assert_eq!(result.ageing.days_31_60, d31_60, "{as_of} 31-60");
        assert_eq!(result.ageing.days_61_90, d61_90, "{as_of} 61-90");
        assert_eq!(result.ageing.over_90, over_90, "{as_of} 90+");
        assert_eq!(result.overdue, overdue, "{as_of} overdue");
        assert_eq!(result.outstanding, full, "{as_of} outstanding");
    }
}

#[test]
fn later_invoice_not_yet_outstanding() {
    let invoices = three_invoices();
    let receivables = Receivables::new(&invoices, &[], &[], &[]);
    let result = receivables.outstanding_for(&seller().party_id, &mumbai_buyer().party_id, day(2026, 4, 30));
    assert_eq!(result.outstanding, money("472.00"));
    let all = receivables.outstanding_by_buyer(&seller().party_id, day(2026, 5, 31));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].outstanding, money("802.00"));
    assert_eq!(all[0].overdue, money("472.00"));
    assert_eq!(all[0].ageing.days_0_30, money("708.00"));
    assert_eq!(all[0].ageing.not_due, money("94.00"));
}

#[test]
fn statement_of_account_reconciles_to_the_paisa() {
    let invoices = three_invoices();
    let mut cn_series = invoice_series("CN", 2026);
    let note = raise_credit_note(
        &invoices[1],
        &[],
        &CreditNoteRequest {
            id: CreditNoteId::generate(),
            issued_at: at("2026-05-05T12:00:00+05:30"),
            reason: CreditReason::Damage,
            lines: vec![CreditLineRequest {
                invoice_line_no: 1,
                quantity: qty("1"),
            }],
        },
        &mut cn_series,
    )
    .unwrap();
    assert_eq!(note.grand_total(), money("47.00"));
    let notes = [note];

    let may_payment = payment(PaymentMode::Neft, "UTR0001", day(2026, 5, 15), "500.00");
    let mut payments = vec![may_payment.clone()];
    let receivables = Receivables::new(&invoices, &notes, &payments, &[]);
    let mut allocations = allocate_payment(&may_payment, &receivables, &AllocationRule::OldestFirst)
        .unwrap()
        .allocations;
    assert_eq!(amounts(&allocations), vec![money("472.00"), money("28.00")]);

    let seller = seller().party_id;
    let buyer = mumbai_buyer().party_id;
    let receivables = Receivables::new(&invoices, &notes, &payments, &allocations);
    let may = statement_of_account(&receivables, &seller, &buyer, day(2026, 5, 1), day(2026, 5, 31));
    assert_eq!(may.opening_balance, money("472.00"));
    let rows: Vec<_> = may
        .entries
        .iter()
        .map(|entry| (entry.date, entry.kind, entry.debit, entry.credit, entry.balance))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                day(2026, 5, 1),
                StatementEntryKind::Invoice,
                money("236.00"),
                money("0"),
                money("708.00")
            ),
            (
                day(2026, 5, 5),
                StatementEntryKind::CreditNote,
                money("0"),
                money("47.00"),
                money("661.00")
            ),
            (
                day(2026, 5, 15),
                StatementEntryKind::Payment,
                money("0"),
                money("500.00"),
                money("161.00")
            ),
            (
                day(2026, 5, 20),
                StatementEntryKind::Invoice,
                money("94.00"),
                money("0"),
                money("255.00")
            ),
        ]
    );
    assert_eq!(may.entries[0].document, "INV/26-27/00002");
    assert_eq!(may.total_debit, money("330.00"));
    assert_eq!(may.total_credit, money("547.00"));
    assert_eq!(may.closing_balance, money("255.00"));
    assert_eq!(
        may.closing_balance,
        may.opening_balance + may.total_debit - may.total_credit
    );
    let end_of_may = receivables.outstanding_for(&seller, &buyer, day(2026, 5, 31));
    assert_eq!(end_of_may.balance, may.closing_balance);
    assert_eq!(end_of_may.ageing.days_0_30, money("161.00"));
    assert_eq!(end_of_may.ageing.not_due, money("94.00"));
    assert_eq!(end_of_may.overdue, money("0.00"));

    // A June payment settles everything and leaves 45.00 on account.
    let june_payment = payment(PaymentMode::Rtgs, "UTR0002", day(2026, 6, 1), "300.00");
    payments.push(june_payment.clone());
    let receivables = Receivables::new(&invoices, &notes, &payments, &allocations);
    let applied = allocate_payment(&june_payment, &receivables, &AllocationRule::OldestFirst).unwrap();
    assert_eq!(amounts(&applied.allocations), vec![money("161.00"), money("94.00")]);
    assert_eq!(applied.on_account, money("45.00"));
    allocations.extend(applied.allocations);

    let receivables = Receivables::new(&invoices, &notes, &payments, &allocations);
    let june = statement_of_account(&receivables, &seller, &buyer, day(2026, 6, 1), day(2026, 6, 30));
    assert_eq!(june.opening_balance, may.closing_balance);
    assert_eq!(june.closing_balance, money("-45.00"));
    let end_of_june = receivables.outstanding_for(&seller, &buyer, day(2026, 6, 30));
    assert_eq!(end_of_june.outstanding, money("0.00"));
    assert_eq!(end_of_june.on_account, money("45.00"));
    assert_eq!(end_of_june.balance, june.closing_balance);
}
