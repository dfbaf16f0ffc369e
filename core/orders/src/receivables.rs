//! Receivables: what each buyer owes a seller, what of it is overdue, and its ageing.
//!
//! An invoice's outstanding amount is its grand total minus its credit notes minus the
//! payments allocated to it. A payment's unallocated amount is an on-account credit. Taken
//! "as of" a date, only documents dated on or before that day count.
//!
//! Due date and ageing:
//! - The due date is the invoice date plus the order's credit days. An invoice paid on its
//!   due date is on time.
//! - Days past due = as-of date − due date. An invoice is overdue when that is 1 or more.
//! - Buckets by days past due: below 0 is not yet due; 0 to 30 (day 30 included) is "0–30";
//!   31 to 60 is "31–60"; 61 to 90 (day 90 included) is "61–90"; 91 and more is "90+".
//!   The "0–30" bucket therefore also contains invoices falling due on the as-of day, which are
//!   not overdue yet.

use std::collections::BTreeMap;

use dms_domain::{Money, PartyId};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::credit_note::CreditNote;
use crate::error::{OrderError, Result};
use crate::ids::InvoiceId;
use crate::invoice::Invoice;
use crate::payment::{Allocation, Payment};

/// Outstanding amounts by days past due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeingBuckets {
    /// Due date after the as-of date.
    pub not_due: Money,
    /// 0 to 30 days past due.
    pub days_0_30: Money,
    /// 31 to 60 days past due.
    pub days_31_60: Money,
    /// 61 to 90 days past due.
    pub days_61_90: Money,
    /// 91 days or more past due.
    pub over_90: Money,
}

impl AgeingBuckets {
    fn add(&mut self, days_past_due: i64, amount: Money) {
        let bucket = match days_past_due {
            ..0 => &mut self.not_due,
            0..=30 => &mut self.days_0_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.over_90,
        };
        *bucket = *bucket + amount;
    }
}

/// The amounts one buyer owes one seller on a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerOutstanding {
    pub buyer: PartyId,
    /// Sum of the invoices' positive outstanding amounts.
    pub outstanding: Money,
    /// The part of `outstanding` at least 1 day past due.
    pub overdue: Money,
    /// Unallocated payments plus invoices credited beyond what was left to pay.
    pub on_account: Money,
    /// `outstanding − on_account`: what the buyer owes after setting off the credit.
    pub balance: Money,
    pub ageing: AgeingBuckets,
}

/// Days from an invoice's due date to `as_of`; negative before the due date.
pub fn days_past_due(invoice: &Invoice, as_of: Date) -> i64 {
    (as_of - invoice.due_on).whole_days()
}

/// A read-only view over the stored receivables records of one seller or more.
#[derive(Clone, Copy, Debug)]
pub struct Receivables<'a> {
    invoices: &'a [Invoice],
    credit_notes: &'a [CreditNote],
    payments: &'a [Payment],
    allocations: &'a [Allocation],
}

impl<'a> Receivables<'a> {
    pub fn new(
        invoices: &'a [Invoice],
        credit_notes: &'a [CreditNote],
        payments: &'a [Payment],
        allocations: &'a [Allocation],
    ) -> Self {
        Self {
            invoices,
            credit_notes,
            payments,
            allocations,
        }
    }

    pub fn invoices(&self) -> &'a [Invoice] {
        self.invoices
    }

    pub fn credit_notes(&self) -> &'a [CreditNote] {
        self.credit_notes
    }

    pub fn payments(&self) -> &'a [Payment] {
        self.payments
    }

    pub fn invoice(&self, id: InvoiceId) -> Result<&'a Invoice> {
        self.invoices
            .iter()
            .find(|invoice| invoice.id == id)
            .ok_or(OrderError::UnknownInvoice { invoice: id })
    }

    /// Grand total minus credit notes minus allocated payments, counting every record (an
    /// allocation counts even when its payment is not among the given payments).
    /// Negative when credit notes exceed what was left to pay.
    pub fn invoice_outstanding(&self, invoice: &Invoice) -> Money {
        self.outstanding_on(invoice, None)
    }

    /// Returns the part of `payment` not allocated to any invoice.
    pub fn unallocated(&self, payment: &Payment) -> Money {
        self.unallocated_on(payment, None)
    }

    /// Returns the part of `payment` not allocated to an invoice dated on or before `as_of`.
    /// An advance set off against a newer invoice is still on account before that invoice.
    fn unallocated_on(&self, payment: &Payment, as_of: Option<Date>) -> Money {
        let allocated: Money = self
            .allocations
            .iter()
            .filter(|allocation| allocation.payment_id == payment.id)
            .filter(|allocation| {
                as_of.is_none()
                    || self
                        .invoices
                        .iter()
                        .find(|invoice| invoice.id == allocation.invoice_id)
                        .is_some_and(|invoice| as_of.is_none_or(|as_of| invoice.invoice_date <= as_of))
            })
            .map(|allocation| allocation.amount)
            .sum();
        payment.amount - allocated
    }

    /// Computes what `buyer` owes `seller` at the end of `as_of`, with overdue amount and ageing.
    pub fn outstanding_for(&self, seller: &PartyId, buyer: &PartyId, as_of: Date) -> BuyerOutstanding {
        let mut result = BuyerOutstanding {
            buyer: buyer.clone(),
            outstanding: Money::ZERO,
            overdue: Money::ZERO,
            on_account: Money::ZERO,
            balance: Money::ZERO,
            ageing: AgeingBuckets::default(),
        };

        let invoices = self
            .invoices
            .iter()
            .filter(|invoice| invoice.seller_id() == seller && invoice.buyer_id() == buyer)
            .filter(|invoice| invoice.invoice_date <= as_of);
        for invoice in invoices {
            let outstanding = self.outstanding_on(invoice, Some(as_of));
            if outstanding < Money::ZERO {
                result.on_account = result.on_account + (Money::ZERO - outstanding);
                continue;
            }
            if outstanding == Money::ZERO {
                continue;
            }
            let days = days_past_due(invoice, as_of);
            result.outstanding = result.outstanding + outstanding;
            if days >= 1 {
                result.overdue = result.overdue + outstanding;
            }
            result.ageing.add(days, outstanding);
        }

        let payments = self
            .payments
            .iter()
            .filter(|payment| &payment.seller == seller && &payment.buyer == buyer)
            .filter(|payment| payment.received_on <= as_of);
        for payment in payments {
            result.on_account = result.on_account + self.unallocated_on(payment, Some(as_of));
        }

        result.balance = result.outstanding - result.on_account;
        result
    }

    /// [`Self::outstanding_for`] for every buyer of `seller` with an invoice or payment,
    /// sorted by buyer id.
    pub fn outstanding_by_buyer(&self, seller: &PartyId, as_of: Date) -> Vec<BuyerOutstanding> {
        let mut buyers: BTreeMap<&PartyId, ()> = BTreeMap::new();
        for invoice in self.invoices.iter().filter(|invoice| invoice.seller_id() == seller) {
            buyers.insert(invoice.buyer_id(), ());
        }
        for payment in self.payments.iter().filter(|payment| &payment.seller == seller) {
            buyers.insert(&payment.buyer, ());
        }
        buyers
            .into_keys()
            .map(|buyer| self.outstanding_for(seller, buyer, as_of))
            .collect()
    }

    fn outstanding_on(&self, invoice: &Invoice, as_of: Option<Date>) -> Money {
        let counts = |date: Date| as_of.is_none_or(|as_of| date <= as_of);
        let credited: Money = self
            .credit_notes
            .iter()
            .filter(|note| note.invoice_id == invoice.id && counts(note.note_date))
            .map(CreditNote::grand_total)
            .sum();
        let paid: Money = self
            .allocations
            .iter()
            .filter(|allocation| allocation.invoice_id == invoice.id)
            .filter(|allocation| {
                as_of.is_none()
                    || self
                        .payments
                        .iter()
                        .find(|payment| payment.id == allocation.payment_id)
                        .is_some_and(|payment| counts(payment.received_on))
            })
            .map(|allocation| allocation.amount)
            .sum();
        invoice.grand_total() - credited - paid
    }
}
