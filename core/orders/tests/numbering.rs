#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;

#[test]
fn series_rolls_over_at_first_april_ist() {
    let mut series = invoice_series("INV", 2025);

    assert_eq!(
        series.allocate(at("2026-03-31T23:59:00+05:30")).unwrap().as_str(),
        "INV/25-26/00001"
    );
    assert_eq!(
        series.allocate(at("2026-03-31T23:59:59+05:30")).unwrap().as_str(),
        "INV/25-26/00002"
    );
    assert_eq!(
        series.allocate(at("2026-04-01T00:00:00+05:30")).unwrap().as_str(),
        "INV/26-27/00001"
    );
    assert_eq!(
        series.allocate(at("2026-04-01T00:00:01+05:30")).unwrap().as_str(),
        "INV/26-27/00002"
    );
    assert_eq!(series.financial_year, FinancialYear(2026));
    assert_eq!(series.next, 3);
}

#[test]
fn financial_year_uses_ist_date() {
    // 18:29:59 UTC on 31 March is 23:59:59 IST; 18:30 UTC is midnight IST on 1 April.
    assert_eq!(FinancialYear::of(at("2026-03-31T18:29:59Z")), FinancialYear(2025));
    assert_eq!(FinancialYear::of(at("2026-03-31T18:30:00Z")), FinancialYear(2026));
    assert_eq!(FinancialYear(2026).short_label(), "26-27");
    assert_eq!(FinancialYear(2099).short_label(), "99-00");
    assert_eq!(FinancialYear(2026).to_string(), "2026-27");
}

#[test]
fn earlier_financial_year_is_rejected() {
    let mut series = invoice_series("INV", 2025);
    series.allocate(at("2026-04-01T00:00:00+05:30")).unwrap();

    let error = series.allocate(at("2026-03-31T23:59:00+05:30")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "document date 2026-03-31 is in financial year 2025-26, before the series' financial year 2026-27"
    );
    assert_eq!(series.financial_year, FinancialYear(2026));
    assert_eq!(series.next, 2);
}

#[test]
fn number_may_be_sixteen_characters_but_not_seventeen() {
    let mut series = invoice_series("INVC", 2026);
    let number = series.allocate(at("2026-05-01T10:00:00+05:30")).unwrap();
    assert_eq!(number.as_str(), "INVC/26-27/00001");
    assert_eq!(number.as_str().len(), 16);

    series.next = 99_999;
    assert_eq!(
        series.allocate(at("2026-05-01T10:00:00+05:30")).unwrap().as_str(),
        "INVC/26-27/99999"
    );
    let error = series.allocate(at("2026-05-01T10:00:00+05:30")).unwrap_err();
    assert_eq!(
        error,
        OrderError::InvoiceNumberTooLong {
            number: "INVC/26-27/100000".to_owned(),
            length: 17,
        }
    );
    assert_eq!(series.next, 100_000);
}

#[test]
fn three_letter_prefix_gives_fifteen_characters() {
    let mut series = invoice_series("INV", 2026);
    let number = series.allocate(at("2026-05-01T10:00:00+05:30")).unwrap();
    assert_eq!(number.as_str(), "INV/26-27/00001");
    assert_eq!(number.as_str().len(), 15);
}

#[test]
fn invalid_series_prefix_is_rejected() {
    let seller = seller().party_id;
    let error = InvoiceSeries::new(seller.clone(), "INVCE", FinancialYear(2026)).unwrap_err();
    assert!(matches!(error, OrderError::InvalidSeriesPrefix { .. }));
    assert!(error.to_string().contains("at most 4 characters"), "{error}");
    assert!(InvoiceSeries::new(seller.clone(), "IN V", FinancialYear(2026)).is_err());
    assert!(InvoiceSeries::new(seller.clone(), "IN_V", FinancialYear(2026)).is_err());
    assert!(InvoiceSeries::new(seller, "", FinancialYear(2026)).is_err());
}

#[test]
fn other_sellers_series_is_rejected() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("1")]);
    let mut series =
        InvoiceSeries::new(dms_domain::PartyId::new("other").unwrap(), "INV", FinancialYear(2026)).unwrap();
    let error = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        &[],
        &invoice_request("2026-05-07T11:00:00+05:30", &[]),
        &mut series,
    )
    .unwrap_err();
    assert!(matches!(error, OrderError::SeriesOfOtherSeller { .. }));
    assert_eq!(series.next, 1);
}
