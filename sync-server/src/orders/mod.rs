//! Order to cash on the server: the records of `dms-orders` stored in each tenant's database
//! ([`store`], and [`planning_store`] for comments, delivery visits and supply entries) and
//! the glue the REST handlers need ([`crate::rest::orders`], [`crate::rest::billing`],
//! [`crate::rest::shipment_comments`], [`crate::rest::delivery_visits`], [`crate::rest::planning`]).
//!
//! The domain crate decides; this module loads what a decision needs, and the handler stores
//! the result in one SQLite transaction under the tenant's lock. That lock and the UNIQUE
//! columns (`sales_orders.order_request_id`, invoice and credit note numbers) make a retried
//! request return the stored record instead of a second one.

pub mod acknowledgement;
pub mod errors;
pub mod exceptions;
pub mod planning_store;
pub mod store;

// Request bodies and query strings carry dates as "YYYY-MM-DD" and are read strictly in that
// form. The records of `dms-orders` write their dates the same way, and also read the older
// `[year, day of the year]` form that tenant databases and devices stored before
// (`dms_orders::iso_date`).
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

use dms_domain::{Money, PartyId};
use dms_orders::{Allocation, CreditNote, Invoice, OrderRequestId, PartyDetails, Payment, Receivables, RequestedLine};
use rusqlite::Connection;
use rust_decimal::Decimal;

use crate::error::{Result, ServerError};
use crate::pricing::store::all_product_pricing;
use crate::tenant::reconcile::OrderRequest as StoredOrderRequest;

/// Turns a stored order request into the domain's order request, with the parties' GST
/// details from the seller's decision and each line's HSN code, GST rate and unit from the
/// catalog's pricing data.
///
/// The unit price is the order request's catalog selling price. When the catalog marks that
/// price as including GST, the taxable price is backed out of it (price ÷ (1 + rate), to paise).
pub fn domain_order_request(
    connection: &Connection,
    request: &StoredOrderRequest,
    seller: PartyDetails,
    buyer: PartyDetails,
    credit_days: u16,
) -> Result<dms_orders::OrderRequest> {
    if buyer.party_id != request.buyer_id {
        return Err(ServerError::InvalidInput(format!(
            "buyer details are for party {}, but order request {} is from buyer {}",
            buyer.party_id, request.order_request_id, request.buyer_id
        )));
    }
    let pricing = all_product_pricing(connection)?;
    let mut lines = Vec::with_capacity(request.lines.len());
    for line in &request.lines {
        let product = pricing.get(&line.product_id);
        let (Some(hsn), Some(gst_rate)) = (
            product.and_then(|product| product.hsn.clone()),
            product.and_then(|product| product.gst_rate),
        ) else {
            return Err(ServerError::InvalidInput(format!(
                "product {} of order request {} has no HSN code or GST rate; import them with the catalog \
                 (HSN and GSTRate columns) before deciding the request",
                line.product_id, request.order_request_id
            )));
        };
        let includes_gst = product.is_some_and(|product| product.price_includes_gst);
        let unit_price = if includes_gst {
            let divisor = Decimal::ONE + gst_rate / Decimal::ONE_HUNDRED;
            Money::from_rupees(line.unit_price.rupees() / divisor).round_paise()
        } else {
            line.unit_price
        };
        lines.push(RequestedLine {
            product_id: line.product_id.clone(),
            description: line.product_name.clone(),
            hsn,
            gst_rate,
            unit: product.map(|product| product.base_unit.clone()).unwrap_or_default(),
            unit_price,
            quantity: line.quantity,
        });
    }
    Ok(dms_orders::OrderRequest {
        id: OrderRequestId(request.order_request_id),
        seller,
        buyer,
        requested_at: request.submitted_at,
        credit_days,
        lines,
    })
}

/// Every invoice, credit note, payment and allocation of one buyer (or of all buyers), loaded
/// to build [`Receivables`].
pub struct Books {
    pub invoices: Vec<Invoice>,
    pub credit_notes: Vec<CreditNote>,
    pub payments: Vec<Payment>,
    pub allocations: Vec<Allocation>,
}

impl Books {
    pub fn load(connection: &Connection, buyer: Option<&PartyId>) -> Result<Books> {
        Ok(Books {
            invoices: store::invoices(connection, buyer)?,
            credit_notes: store::credit_notes(connection, buyer)?,
            payments: store::payments(connection, buyer)?,
            allocations: store::allocations(connection, buyer)?,
        })
    }

    pub fn receivables(&self) -> Receivables<'_> {
        Receivables::new(&self.invoices, &self.credit_notes, &self.payments, &self.allocations)
    }

    /// Sum of invoice grand totals.
    pub fn invoiced_total(&self) -> Money {
        self.invoices.iter().map(Invoice::grand_total).sum()
    }

    /// Sum of credit note grand totals.
    pub fn credited_total(&self) -> Money {
        self.credit_notes.iter().map(CreditNote::grand_total).sum()
    }

    /// Sum of payments allocated to invoices.
    pub fn allocated_total(&self) -> Money {
        self.allocations.iter().map(|allocation| allocation.amount).sum()
    }
}

/// Returns the party id a tenant sells as, which is its organisation id.
pub fn seller_party(tenant: &dms_domain::TenantId) -> Result<PartyId> {
    Ok(PartyId::new(tenant.as_str())?)
}
