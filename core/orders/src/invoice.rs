//! GST tax invoices, raised from a delivered shipment or from the sales order itself.
//!
//! The billing rule: an invoice never bills more than is left to bill.
//! - From a shipment ([`BillingPolicy::Delivered`]), per shipment line, that is
//!   `delivered − returned − already invoiced on that shipment line`.
//! - From the sales order ([`BillingPolicy::Ordered`]), per order line, it is
//!   `accepted − already invoiced on that order line`, whatever the earlier invoices' source.
//!
//! Both also keep the order line's total within its accepted quantity, so mixing the two
//! policies on one order cannot bill a quantity twice. Requested lines that name the same
//! source line are added up before the check and become one invoice line, so "1 + 1"
//! against a delivery of 1 is rejected as a request for 2. Quantities left to bill are never
//! negative. A credit note does not reopen billing, because goods returned after billing are
//! already subtracted as `returned`.
//!
//! Prices are the sales order's (taxable value per unit); the taxes, the HSN summary and
//! the rupee round-off come from `dms-pricing`. The place of supply is the buyer's state
//! (bill-to basis), which is also where the goods go in this model.

use std::collections::BTreeMap;

use dms_domain::{Money, PartyId, ProductId, Quantity, ShipmentId, Timestamp};
use dms_pricing::gst::{
    PlaceOfSupply, PlaceOfSupplyBasis, SupplyAddresses, TaxBreakdown, TaxableLine, compute_tax_breakdown,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::error::{OrderError, Result};
use crate::ids::{InvoiceId, SalesOrderId};
use crate::numbering::{InvoiceNumber, InvoiceSeries, ist_date};
use crate::party::PartyDetails;
use crate::quantities::at_least_zero;
use crate::sales_order::SalesOrder;
use crate::shipment::{Shipment, ShipmentStatus};

/// The basis of an invoice: a delivered shipment or the sales order.
#[derive(Clone, Copy, Debug)]
pub enum BillingPolicy<'a> {
    /// The quantities this shipment delivered and the buyer kept.
    Delivered(&'a Shipment),
    /// The accepted quantities of the sales order, before or without delivery.
    Ordered,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum InvoiceSource {
    Shipment(ShipmentId),
    SalesOrder,
}

/// One line to bill: a shipment line number under [`BillingPolicy::Delivered`], an order
/// line number under [`BillingPolicy::Ordered`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineRequest {
    pub source_line_no: u32,
    pub quantity: Quantity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRequest {
    pub id: InvoiceId,
    pub issued_at: Timestamp,
    /// Empty bills everything left to bill.
    pub lines: Vec<InvoiceLineRequest>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// From 1 within the invoice.
    pub line_no: u32,
    pub order_line_no: u32,
    pub shipment_line_no: Option<u32>,
    pub product_id: ProductId,
    pub description: String,
    pub hsn: String,
    pub unit: String,
    pub gst_rate: Decimal,
    pub quantity: Decimal,
    pub unit_price: Money,
    pub taxable_value: Money,
    pub cgst: Money,
    pub sgst: Money,
    pub igst: Money,
    /// Taxable value plus taxes.
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub number: InvoiceNumber,
    pub issued_at: Timestamp,
    /// The invoice date: `issued_at` in IST.
    #[serde(with = "crate::iso_date")]
    pub invoice_date: Date,
    #[serde(with = "crate::iso_date")]
    pub due_on: Date,
    pub seller: PartyDetails,
    pub buyer: PartyDetails,
    pub sales_order_id: SalesOrderId,
    pub source: InvoiceSource,
    pub lines: Vec<InvoiceLine>,
    pub tax: TaxBreakdown,
}

impl Invoice {
    /// Returns the amount payable, rounded to the rupee.
    pub fn grand_total(&self) -> Money {
        Money::from_rupees(self.tax.grand_total)
    }

    pub fn seller_id(&self) -> &PartyId {
        &self.seller.party_id
    }

    pub fn buyer_id(&self) -> &PartyId {
        &self.buyer.party_id
    }

    pub fn line(&self, line_no: u32) -> Result<&InvoiceLine> {
        self.lines
            .iter()
            .find(|line| line.line_no == line_no)
            .ok_or_else(|| OrderError::UnknownLine {
                document: format!("invoice {}", self.number),
                line_no,
            })
    }
}

/// A quantity left to bill on one source line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToBillLine {
    /// The shipment line number, or the order line number when billing the order.
    pub source_line_no: u32,
    pub order_line_no: u32,
    pub product_id: ProductId,
    pub quantity: Decimal,
}

/// Lists what is left to bill of `order` under `policy`, given the invoices already raised
/// (invoices of other orders are ignored). Lines with nothing left are included with zero.
pub fn to_bill(policy: BillingPolicy<'_>, order: &SalesOrder, previous: &[Invoice]) -> Result<Vec<ToBillLine>> {
    let billed = Billed::from_invoices(order.id, previous);
    match policy {
        BillingPolicy::Delivered(shipment) => {
            check_shipment(shipment, order)?;
            shipment
                .lines
                .iter()
                .filter(|line| line.sales_order_id == order.id)
                .map(|line| {
                    let order_left = billed.order_line_left(order, line.order_line_no)?;
                    let shipment_left = at_least_zero(line.kept() - billed.on_shipment_line(shipment.id, line.line_no));
                    Ok(ToBillLine {
                        source_line_no: line.line_no,
                        order_line_no: line.order_line_no,
                        product_id: line.product_id.clone(),
                        quantity: shipment_left.min(order_left),
                    })
                })
                .collect()
        }
        BillingPolicy::Ordered => order
            .lines
            .iter()
            .map(|line| {
                Ok(ToBillLine {
                    source_line_no: line.line_no,
                    order_line_no: line.line_no,
                    product_id: line.product_id.clone(),
                    quantity: billed.order_line_left(order, line.line_no)?,
                })
            })
            .collect(),
    }
}

/// Raises an invoice for `order` under `policy` and takes its number from `series`.
///
/// Fails when a requested quantity (repeated lines added together) exceeds what is left to
/// bill or when nothing is left to bill. It also fails when the shipment is not delivered or
/// belongs to another seller, or when GST cannot be computed. A failed call leaves `series`
/// unchanged.
pub fn raise_invoice(
    policy: BillingPolicy<'_>,
    order: &SalesOrder,
    previous: &[Invoice],
    request: &InvoiceRequest,
    series: &mut InvoiceSeries,
) -> Result<Invoice> {
    order.ensure_accepted("invoiced")?;
    series.ensure_seller(order.seller_id())?;
    let left = to_bill(policy, order, previous)?;
    let quantities = requested_quantities(policy, order, request, &left)?;
    check_order_lines(order, previous, &left, &quantities)?;

    // Price each line at the order's price, then tax the lines through the GST engine.
    let mut lines = Vec::with_capacity(quantities.len());
    for (index, (source_line_no, quantity)) in quantities.iter().enumerate() {
        let source = left
            .iter()
            .find(|line| line.source_line_no == *source_line_no)
            .ok_or_else(|| unknown_source_line(policy, order, *source_line_no))?;
        let order_line = order.line(source.order_line_no)?;
        lines.push(InvoiceLine {
            line_no: u32::try_from(index + 1).unwrap_or(u32::MAX),
            order_line_no: source.order_line_no,
            shipment_line_no: matches!(policy, BillingPolicy::Delivered(_)).then_some(*source_line_no),
            product_id: order_line.product_id.clone(),
            description: order_line.description.clone(),
            hsn: order_line.hsn.clone(),
            unit: order_line.unit.clone(),
            gst_rate: order_line.gst_rate,
            quantity: *quantity,
            unit_price: order_line.unit_price,
            taxable_value: (order_line.unit_price * Quantity::new(*quantity)?).round_paise(),
            cgst: Money::ZERO,
            sgst: Money::ZERO,
            igst: Money::ZERO,
            total: Money::ZERO,
        });
    }
    let tax = tax_lines(&order.seller, &order.buyer, &mut lines)?;

    // Number last, so a rejected invoice leaves no gap in the series.
    let number = series.allocate(request.issued_at)?;
    let invoice_date = ist_date(request.issued_at);
    Ok(Invoice {
        id: request.id,
        number,
        issued_at: request.issued_at,
        invoice_date,
        due_on: invoice_date.saturating_add(Duration::days(i64::from(order.credit_days))),
        seller: order.seller.clone(),
        buyer: order.buyer.clone(),
        sales_order_id: order.id,
        source: match policy {
            BillingPolicy::Delivered(shipment) => InvoiceSource::Shipment(shipment.id),
            BillingPolicy::Ordered => InvoiceSource::SalesOrder,
        },
        lines,
        tax,
    })
}

/// Taxes `lines` (taxable values already set) and fills in their taxes and totals.
pub(crate) fn tax_lines(
    seller: &PartyDetails,
    buyer: &PartyDetails,
    lines: &mut [InvoiceLine],
) -> Result<TaxBreakdown> {
    let addresses = SupplyAddresses {
        supplier_state: seller.location.state.clone(),
        bill_to_state: buyer.location.state.clone(),
        ship_to_state: buyer.location.state.clone(),
    };
    let place_of_supply = PlaceOfSupply::determine(&addresses, PlaceOfSupplyBasis::BillTo);
    let taxable: Vec<TaxableLine> = lines
        .iter()
        .map(|line| TaxableLine {
            line_id: line.line_no.to_string(),
            hsn: line.hsn.clone(),
            gst_rate: line.gst_rate,
            amount: line.taxable_value.rupees(),
            amount_includes_gst: false,
        })
        .collect();
    let tax = compute_tax_breakdown(&place_of_supply, &taxable)?;
    for (line, taxed) in lines.iter_mut().zip(&tax.lines) {
        line.taxable_value = Money::from_rupees(taxed.taxable_value);
        line.cgst = Money::from_rupees(taxed.cgst);
        line.sgst = Money::from_rupees(taxed.sgst);
        line.igst = Money::from_rupees(taxed.igst);
        line.total = Money::from_rupees(taxed.total);
    }
    Ok(tax)
}

/// Quantities invoiced so far on one sales order, by shipment line and by order line.
struct Billed {
    by_shipment_line: BTreeMap<(ShipmentId, u32), Decimal>,
    by_order_line: BTreeMap<u32, Decimal>,
}

impl Billed {
    fn from_invoices(order: SalesOrderId, invoices: &[Invoice]) -> Self {
        let mut billed = Self {
            by_shipment_line: BTreeMap::new(),
            by_order_line: BTreeMap::new(),
        };
        for invoice in invoices.iter().filter(|invoice| invoice.sales_order_id == order) {
            for line in &invoice.lines {
                *billed.by_order_line.entry(line.order_line_no).or_default() += line.quantity;
                if let (InvoiceSource::Shipment(shipment), Some(shipment_line)) =
                    (invoice.source, line.shipment_line_no)
                {
                    *billed.by_shipment_line.entry((shipment, shipment_line)).or_default() += line.quantity;
                }
            }
        }
        billed
    }

    fn on_shipment_line(&self, shipment: ShipmentId, line_no: u32) -> Decimal {
        self.by_shipment_line
            .get(&(shipment, line_no))
            .copied()
            .unwrap_or_default()
    }

    fn on_order_line(&self, line_no: u32) -> Decimal {
        self.by_order_line.get(&line_no).copied().unwrap_or_default()
    }

    fn order_line_left(&self, order: &SalesOrder, line_no: u32) -> Result<Decimal> {
        Ok(at_least_zero(
            order.line(line_no)?.accepted - self.on_order_line(line_no),
        ))
    }
}

fn check_shipment(shipment: &Shipment, order: &SalesOrder) -> Result<()> {
    if &shipment.seller != order.seller_id() {
        return Err(OrderError::InvalidShipment {
            shipment: shipment.id,
            reason: format!("it ships for seller {}, not for {}", shipment.seller, order.seller_id()),
        });
    }
    if !matches!(
        shipment.status,
        ShipmentStatus::Delivered | ShipmentStatus::PartlyDelivered
    ) {
        return Err(OrderError::ShipmentNotDelivered {
            shipment: shipment.id,
            status: shipment.status,
        });
    }
    Ok(())
}

/// Adds up the requested quantity per source line, in order of first mention, and checks
/// each total against what is left. An empty request takes everything left.
fn requested_quantities(
    policy: BillingPolicy<'_>,
    order: &SalesOrder,
    request: &InvoiceRequest,
    left: &[ToBillLine],
) -> Result<Vec<(u32, Decimal)>> {
    let mut totals: Vec<(u32, Decimal)> = Vec::new();
    if request.lines.is_empty() {
        totals = left
            .iter()
            .filter(|line| !line.quantity.is_zero())
            .map(|line| (line.source_line_no, line.quantity))
            .collect();
    }
    for requested in &request.lines {
        match totals
            .iter_mut()
            .find(|(line_no, _)| *line_no == requested.source_line_no)
        {
            Some((_, total)) => *total += requested.quantity.value(),
            None => totals.push((requested.source_line_no, requested.quantity.value())),
        }
    }

    if totals.is_empty() {
        return Err(OrderError::NothingToBill {
            source_document: source_name(policy, order),
        });
    }
    for (line_no, total) in &totals {
        let billable = left
            .iter()
            .find(|line| line.source_line_no == *line_no)
            .ok_or_else(|| unknown_source_line(policy, order, *line_no))?
            .quantity;
        if *total > billable {
            return Err(OrderError::OverBilling {
                source_line: format!("{} line {line_no}", source_name(policy, order)),
                requested: *total,
                billable,
            });
        }
    }
    Ok(totals)
}

/// Checks the new quantities per order line against the accepted quantity, for shipments
/// that carry one order line on several shipment lines.
fn check_order_lines(
    order: &SalesOrder,
    previous: &[Invoice],
    left: &[ToBillLine],
    quantities: &[(u32, Decimal)],
) -> Result<()> {
    let billed = Billed::from_invoices(order.id, previous);
    let mut per_order_line: BTreeMap<u32, Decimal> = BTreeMap::new();
    for (source_line_no, quantity) in quantities {
        if let Some(line) = left.iter().find(|line| line.source_line_no == *source_line_no) {
            *per_order_line.entry(line.order_line_no).or_default() += quantity;
        }
    }
    for (order_line_no, quantity) in per_order_line {
        let billable = billed.order_line_left(order, order_line_no)?;
        if quantity > billable {
            return Err(OrderError::OverBilling {
                source_line: format!("sales order {} line {order_line_no}", order.id),
                requested: quantity,
                billable,
            });
        }
    }
    Ok(())
}

fn source_name(policy: BillingPolicy<'_>, order: &SalesOrder) -> String {
    match policy {
        BillingPolicy::Delivered(shipment) => format!("shipment {}", shipment.id),
        BillingPolicy::Ordered => format!("sales order {}", order.id),
    }
}

fn unknown_source_line(policy: BillingPolicy<'_>, order: &SalesOrder, line_no: u32) -> OrderError {
    OrderError::UnknownLine {
        document: format!("{} (for sales order {})", source_name(policy, order), order.id),
        line_no,
    }
}
