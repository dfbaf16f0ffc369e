//! Payments received from a buyer and their allocation to invoices.
//!
//! A payment is allocated oldest invoice first (by invoice date, then number) or to the
//! invoices the buyer named. An allocation never exceeds an invoice's outstanding amount,
//! and the allocations never exceed the payment's unallocated amount. Whatever is left stays
//! on the payment as an on-account credit, which a later call can allocate once new invoices
//! exist.

use dms_domain::{Money, PartyId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{OrderError, Result};
use crate::ids::{InvoiceId, PaymentId};
use crate::invoice::Invoice;
use crate::receivables::Receivables;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    Cash,
    Cheque,
    Neft,
    Rtgs,
    Upi,
    Card,
}

impl PaymentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMode::Cash => "cash",
            PaymentMode::Cheque => "cheque",
            PaymentMode::Neft => "neft",
            PaymentMode::Rtgs => "rtgs",
            PaymentMode::Upi => "upi",
            PaymentMode::Card => "card",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: PaymentId,
    pub seller: PartyId,
    pub buyer: PartyId,
    pub mode: PaymentMode,
    /// Cheque number, UTR of a bank transfer, UPI transaction id or card approval code.
    /// Only a cash payment may leave it empty.
    pub reference: String,
    #[serde(with = "crate::iso_date")]
    pub received_on: Date,
    pub amount: Money,
}

impl Payment {
    /// Checks that the amount is positive with at most two decimal places and that every
    /// mode except cash carries a reference.
    pub fn new(
        id: PaymentId,
        seller: PartyId,
        buyer: PartyId,
        mode: PaymentMode,
        reference: &str,
        received_on: Date,
        amount: Money,
    ) -> Result<Self> {
        let invalid = |reason: String| OrderError::InvalidPayment { payment: id, reason };
        let rupees = amount.rupees();
        if rupees <= Decimal::ZERO || rupees.normalize().scale() > 2 {
            return Err(invalid(format!(
                "amount {amount} must be more than zero with at most 2 decimal places"
            )));
        }
        if mode != PaymentMode::Cash && reference.trim().is_empty() {
            return Err(invalid(format!("a {} payment needs a reference", mode.as_str())));
        }
        Ok(Self {
            id,
            seller,
            buyer,
            mode,
            reference: reference.trim().to_owned(),
            received_on,
            amount,
        })
    }
}

/// Part of a payment settling one invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationRule {
    OldestFirst,
    /// Amounts for the named invoices. An invoice named twice gets the sum.
    Chosen(Vec<(InvoiceId, Money)>),
}

/// The new allocations of one call and what stays unallocated afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentApplication {
    pub allocations: Vec<Allocation>,
    pub on_account: Money,
}

/// Allocates what is still unallocated of `payment` to the buyer's open invoices in
/// `receivables`. Fails, allocating nothing, when a chosen invoice is unknown or belongs to
/// another buyer or seller. It also fails when an invoice would receive more than its
/// outstanding amount, or when the chosen amounts exceed what is unallocated.
pub fn allocate_payment(
    payment: &Payment,
    receivables: &Receivables<'_>,
    rule: &AllocationRule,
) -> Result<PaymentApplication> {
    let unallocated = receivables.unallocated(payment);
    let allocations = match rule {
        AllocationRule::OldestFirst => oldest_first(payment, receivables, unallocated),
        AllocationRule::Chosen(chosen) => chosen_invoices(payment, receivables, unallocated, chosen)?,
    };
    let allocated: Money = allocations.iter().map(|allocation| allocation.amount).sum();
    Ok(PaymentApplication {
        allocations,
        on_account: unallocated - allocated,
    })
}

fn oldest_first(payment: &Payment, receivables: &Receivables<'_>, unallocated: Money) -> Vec<Allocation> {
    let mut open: Vec<&Invoice> = receivables
        .invoices()
        .iter()
        .filter(|invoice| invoice.seller_id() == &payment.seller && invoice.buyer_id() == &payment.buyer)
        .filter(|invoice| receivables.invoice_outstanding(invoice) > Money::ZERO)
        .collect();
    open.sort_by(|a, b| (a.invoice_date, &a.number).cmp(&(b.invoice_date, &b.number)));

    let mut left = unallocated;
    let mut allocations = Vec::new();
    for invoice in open {
        if left <= Money::ZERO {
            break;
        }
        let amount = left.min(receivables.invoice_outstanding(invoice));
        left = left - amount;
        allocations.push(Allocation {
            payment_id: payment.id,
            invoice_id: invoice.id,
            amount,
        });
    }
    allocations
}

fn chosen_invoices(
    payment: &Payment,
    receivables: &Receivables<'_>,
    unallocated: Money,
    chosen: &[(InvoiceId, Money)],
) -> Result<Vec<Allocation>> {
    let mut totals: Vec<(InvoiceId, Money)> = Vec::new();
    for (invoice_id, amount) in chosen {
        let rupees = amount.rupees();
        if rupees <= Decimal::ZERO || rupees.normalize().scale() > 2 {
            return Err(OrderError::InvalidPayment {
                payment: payment.id,
                reason: format!(
                    "amount {amount} for invoice {invoice_id} must be more than zero with at most 2 decimal places"
                ),
            });
        }
        match totals.iter_mut().find(|(id, _)| id == invoice_id) {
            Some((_, total)) => *total = *total + *amount,
            None => totals.push((*invoice_id, *amount)),
        }
    }

    let mut allocations = Vec::with_capacity(totals.len());
    for (invoice_id, amount) in &totals {
        let invoice = receivables.invoice(*invoice_id)?;
        if invoice.buyer_id() != &payment.buyer || invoice.seller_id() != &payment.seller {
            return Err(OrderError::InvoiceOfOtherParty {
                payment: payment.id,
                buyer: payment.buyer.clone(),
                invoice: invoice.id,
                invoice_buyer: invoice.buyer_id().clone(),
            });
        }
        let outstanding = receivables.invoice_outstanding(invoice);
        if *amount > outstanding {
            return Err(OrderError::OverAllocation {
                invoice: invoice.id,
                requested: *amount,
                outstanding,
            });
        }
        allocations.push(Allocation {
            payment_id: payment.id,
            invoice_id: *invoice_id,
            amount: *amount,
        });
    }

    let requested: Money = totals.iter().map(|(_, amount)| *amount).sum();
    if requested > unallocated {
        return Err(OrderError::PaymentOverAllocated {
            payment: payment.id,
            requested,
            unallocated,
        });
    }
    Ok(allocations)
}
