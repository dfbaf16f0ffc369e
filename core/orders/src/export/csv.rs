//! CSV files for accountants: one row per invoice, and one row per payment with what of it
//! is allocated and what is on account. Amounts are written with two decimals, dates as
//! YYYY-MM-DD, and a header row names every column (an empty list gives an empty file).

use dms_domain::Money;
use serde::Serialize;

use crate::error::{OrderError, Result};
use crate::invoice::Invoice;
use crate::payment::Payment;
use crate::receivables::Receivables;

#[derive(Serialize)]
struct InvoiceRow<'a> {
    invoice_number: &'a str,
    invoice_date: String,
    due_date: String,
    seller_gstin: &'a str,
    buyer_gstin: &'a str,
    buyer_name: &'a str,
    place_of_supply: &'a str,
    taxable_value: String,
    cgst: String,
    sgst: String,
    igst: String,
    round_off: String,
    invoice_total: String,
}

#[derive(Serialize)]
struct PaymentRow<'a> {
    payment_id: String,
    received_on: String,
    buyer: &'a str,
    mode: &'a str,
    reference: &'a str,
    amount: String,
    allocated: String,
    on_account: String,
}

/// Writes one row per invoice, in the order given.
pub fn invoices_csv(invoices: &[Invoice]) -> Result<String> {
    let rows = invoices.iter().map(|invoice| InvoiceRow {
        invoice_number: invoice.number.as_str(),
        invoice_date: invoice.invoice_date.to_string(),
        due_date: invoice.due_on.to_string(),
        seller_gstin: invoice.seller.gstin.as_str(),
        buyer_gstin: invoice.buyer.gstin.as_str(),
        buyer_name: &invoice.buyer.legal_name,
        place_of_supply: invoice.tax.place_of_supply.state.as_str(),
        taxable_value: money(invoice.tax.taxable_value),
        cgst: money(invoice.tax.cgst),
        sgst: money(invoice.tax.sgst),
        igst: money(invoice.tax.igst),
        round_off: money(invoice.tax.round_off),
        invoice_total: money(invoice.tax.grand_total),
    });
    write_rows(rows)
}

/// Writes one row per payment of `receivables`, in the order stored.
pub fn payments_csv(receivables: &Receivables<'_>) -> Result<String> {
    let rows = receivables.payments().iter().map(|payment: &Payment| {
        let on_account = receivables.unallocated(payment);
        PaymentRow {
            payment_id: payment.id.to_string(),
            received_on: payment.received_on.to_string(),
            buyer: payment.buyer.as_str(),
            mode: payment.mode.as_str(),
            reference: &payment.reference,
            amount: payment.amount.to_string(),
            allocated: (payment.amount - on_account).to_string(),
            on_account: on_account.to_string(),
        }
    });
    write_rows(rows)
}

fn money(value: rust_decimal::Decimal) -> String {
    Money::from_rupees(value).to_string()
}

fn write_rows<T: Serialize>(rows: impl Iterator<Item = T>) -> Result<String> {
    let failed = |error: &dyn std::fmt::Display| OrderError::Export {
        format: "CSV",
        reason: error.to_string(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(|error| failed(&error))?;
    }
    let bytes = writer.into_inner().map_err(|error| failed(&error))?;
    String::from_utf8(bytes).map_err(|error| failed(&error))
}
