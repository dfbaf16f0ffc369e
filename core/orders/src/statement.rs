//! The statement of account of one buyer with one seller over a period: the opening balance,
//! each invoice (debit), credit note and payment (credits) with the running balance, and the
//! closing balance. A positive balance is owed by the buyer.
//!
//! Documents are dated by their invoice date, note date or date received. Within one day
//! invoices come first, then credit notes, then payments, each by number or id, so the
//! running balance is the same on every run. The closing balance equals the opening balance
//! plus debits minus credits, and equals [`crate::BuyerOutstanding::balance`] as of the
//! period's last day, because both count the same documents.

use dms_domain::{Money, PartyId};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::receivables::Receivables;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementEntryKind {
    Invoice,
    CreditNote,
    Payment,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementEntry {
    #[serde(with = "crate::iso_date")]
    pub date: Date,
    pub kind: StatementEntryKind,
    /// Invoice or credit note number, or the payment's mode and reference.
    pub document: String,
    pub debit: Money,
    pub credit: Money,
    /// Balance after this entry.
    pub balance: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementOfAccount {
    pub seller: PartyId,
    pub buyer: PartyId,
    #[serde(with = "crate::iso_date")]
    pub from: Date,
    #[serde(with = "crate::iso_date")]
    pub to: Date,
    /// Balance at the end of the day before `from`.
    pub opening_balance: Money,
    pub entries: Vec<StatementEntry>,
    pub total_debit: Money,
    pub total_credit: Money,
    pub closing_balance: Money,
}

/// Builds the statement of `buyer` with `seller` from `from` to `to`, both days included.
pub fn statement_of_account(
    receivables: &Receivables<'_>,
    seller: &PartyId,
    buyer: &PartyId,
    from: Date,
    to: Date,
) -> StatementOfAccount {
    let mut all = documents(receivables, seller, buyer);
    all.sort_by(|a, b| (a.date, a.kind, &a.document).cmp(&(b.date, b.kind, &b.document)));

    let opening_balance: Money = all
        .iter()
        .filter(|entry| entry.date < from)
        .map(|entry| entry.debit - entry.credit)
        .sum();

    let mut balance = opening_balance;
    let mut entries = Vec::new();
    for mut entry in all.into_iter().filter(|entry| from <= entry.date && entry.date <= to) {
        balance = balance + entry.debit - entry.credit;
        entry.balance = balance;
        entries.push(entry);
    }

    let total_debit: Money = entries.iter().map(|entry| entry.debit).sum();
    let total_credit: Money = entries.iter().map(|entry| entry.credit).sum();
    StatementOfAccount {
        seller: seller.clone(),
        buyer: buyer.clone(),
        from,
        to,
        opening_balance,
        entries,
        total_debit,
        total_credit,
        closing_balance: balance,
    }
}

/// Collects every document between the two parties as an entry without its running balance.
fn documents(receivables: &Receivables<'_>, seller: &PartyId, buyer: &PartyId) -> Vec<StatementEntry> {
    let entry = |date, kind, document: String, debit, credit| StatementEntry {
        date,
        kind,
        document,
        debit,
        credit,
        balance: Money::ZERO,
    };
    let mut entries = Vec::new();

    let invoices = receivables
        .invoices()
        .iter()
        .filter(|invoice| invoice.seller_id() == seller && invoice.buyer_id() == buyer);
    for invoice in invoices {
        entries.push(entry(
            invoice.invoice_date,
            StatementEntryKind::Invoice,
            invoice.number.to_string(),
            invoice.grand_total(),
            Money::ZERO,
        ));
        let notes = receivables
            .credit_notes()
            .iter()
            .filter(|note| note.invoice_id == invoice.id);
        for note in notes {
            entries.push(entry(
                note.note_date,
                StatementEntryKind::CreditNote,
                note.number.to_string(),
                Money::ZERO,
                note.grand_total(),
            ));
        }
    }

    let payments = receivables
        .payments()
        .iter()
        .filter(|payment| &payment.seller == seller && &payment.buyer == buyer);
    for payment in payments {
        entries.push(entry(
            payment.received_on,
            StatementEntryKind::Payment,
            format!("{} {} {}", payment.mode.as_str(), payment.reference, payment.id),
            Money::ZERO,
            payment.amount,
        ));
    }
    entries
}
