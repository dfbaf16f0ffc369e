//! Credit notes against an invoice, for goods returned, short-delivered or damaged.
//!
//! The crediting rule: per invoice line, a credit note never credits more than was invoiced
//! minus what earlier credit notes already credited on that line. Repeated lines in one
//! request are added up before the check, as for invoices. A credit note credits whole units
//! at the invoice's price and carries the same GST, so crediting a full line reverses
//! exactly its taxable value and taxes.
//!
//! NOTE: a value-only credit (a price reduction without a quantity) is not modelled.

use std::collections::BTreeMap;

use dms_domain::{Money, Quantity, Timestamp};
use dms_pricing::gst::TaxBreakdown;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{OrderError, Result};
use crate::ids::{CreditNoteId, InvoiceId};
use crate::invoice::{Invoice, InvoiceLine, tax_lines};
use crate::numbering::{InvoiceNumber, InvoiceSeries, ist_date};
use crate::quantities::at_least_zero;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditReason {
    /// Goods the buyer sent back.
    Return,
    /// Goods invoiced but not received.
    Shortage,
    /// Goods received damaged and written off.
    Damage,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLineRequest {
    pub invoice_line_no: u32,
    pub quantity: Quantity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteRequest {
    pub id: CreditNoteId,
    pub issued_at: Timestamp,
    pub reason: CreditReason,
    pub lines: Vec<CreditLineRequest>,
}

/// A credited line: `line` repeats the invoice line's product, price and HSN with the
/// credited quantity and its own taxable value and taxes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteLine {
    pub invoice_line_no: u32,
    pub line: InvoiceLine,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: CreditNoteId,
    pub number: InvoiceNumber,
    pub issued_at: Timestamp,
    #[serde(with = "crate::iso_date")]
    pub note_date: Date,
    pub invoice_id: InvoiceId,
    pub invoice_number: InvoiceNumber,
    pub reason: CreditReason,
    pub lines: Vec<CreditNoteLine>,
    pub tax: TaxBreakdown,
}

impl CreditNote {
    /// Returns the amount credited, rounded to the rupee as the invoice was.
    pub fn grand_total(&self) -> Money {
        Money::from_rupees(self.tax.grand_total)
    }
}

/// Quantity of each line of `invoice` not yet credited by `previous` credit notes (notes of
/// other invoices are ignored).
pub fn creditable(invoice: &Invoice, previous: &[CreditNote]) -> BTreeMap<u32, Decimal> {
    let mut left: BTreeMap<u32, Decimal> = invoice.lines.iter().map(|line| (line.line_no, line.quantity)).collect();
    for note in previous.iter().filter(|note| note.invoice_id == invoice.id) {
        for credited in &note.lines {
            if let Some(quantity) = left.get_mut(&credited.invoice_line_no) {
                *quantity = at_least_zero(*quantity - credited.line.quantity);
            }
        }
    }
    left
}

/// Raises a credit note against `invoice` and takes its number from `series` (a series of
/// its own, such as prefix "CN"). Fails, leaving `series` unchanged, when a line would be
/// credited beyond what is left, when it names an unknown line, or when the note is dated
/// before the invoice.
pub fn raise_credit_note(
    invoice: &Invoice,
    previous: &[CreditNote],
    request: &CreditNoteRequest,
    series: &mut InvoiceSeries,
) -> Result<CreditNote> {
    series.ensure_seller(invoice.seller_id())?;
    let note_date = ist_date(request.issued_at);
    if note_date < invoice.invoice_date {
        return Err(OrderError::CreditNoteBeforeInvoice {
            invoice: invoice.id,
            invoice_date: invoice.invoice_date,
            note_date,
        });
    }

    // Add up repeated lines, then check each total against what is left to credit.
    let mut totals: Vec<(u32, Decimal)> = Vec::new();
    for requested in &request.lines {
        match totals
            .iter_mut()
            .find(|(line_no, _)| *line_no == requested.invoice_line_no)
        {
            Some((_, total)) => *total += requested.quantity.value(),
            None => totals.push((requested.invoice_line_no, requested.quantity.value())),
        }
    }
    if totals.is_empty() {
        return Err(OrderError::NoLines {
            document: format!("credit note request against invoice {}", invoice.number),
        });
    }
    let left = creditable(invoice, previous);
    let mut lines = Vec::with_capacity(totals.len());
    for (index, (invoice_line_no, quantity)) in totals.iter().enumerate() {
        let invoiced = invoice.line(*invoice_line_no)?;
        let creditable = left.get(invoice_line_no).copied().unwrap_or_default();
        if *quantity > creditable {
            return Err(OrderError::OverCrediting {
                invoice: invoice.id,
                line_no: *invoice_line_no,
                requested: *quantity,
                creditable,
            });
        }
        let mut line = invoiced.clone();
        line.line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        line.quantity = *quantity;
        line.taxable_value = (invoiced.unit_price * Quantity::new(*quantity)?).round_paise();
        lines.push(line);
    }

    let tax = tax_lines(&invoice.seller, &invoice.buyer, &mut lines)?;
    let number = series.allocate(request.issued_at)?;
    Ok(CreditNote {
        id: request.id,
        number,
        issued_at: request.issued_at,
        note_date,
        invoice_id: invoice.id,
        invoice_number: invoice.number.clone(),
        reason: request.reason,
        lines: totals
            .iter()
            .zip(lines)
            .map(|((invoice_line_no, _), line)| CreditNoteLine {
                invoice_line_no: *invoice_line_no,
                line,
            })
            .collect(),
        tax,
    })
}
