//! Reconciliation of submitted carts into order requests.
//!
//! When a cart's merged state first shows `status = submitted`, the server reads its lines at
//! that moment and prices them with the pricing engine against the tenant's current schemes
//! and pricing data ([`crate::pricing::cart`]). It stores one order request in the same
//! SQLite transaction as the change that submitted it. `order_requests.cart_id`
//! is UNIQUE and the check runs under the tenant's lock, so a submission that arrives twice,
//! or from two devices, makes exactly one order request.

use automerge::ChangeHash;
use dms_documents::cart::CartView;
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, Timestamp, UserId};
use dms_pricing::PricedOrder;
use rusqlite::{Connection, params, params_from_iter};
use serde::Serialize;
use ulid::Ulid;

use crate::error::{Result, ServerError};
use crate::pricing::buyer_view::{catalog_for, channel_of};
use crate::pricing::cart::ist_date;
use crate::pricing::cart::{PricingMethod, TaxTotals, price_cart};
use crate::pricing::order::TenantPricing;
use crate::registry::Registry;
use crate::tenant::store::{TenantStore, parse_heads};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderRequest {
    pub order_request_id: Ulid,
    pub cart_id: CartId,
    pub buyer_id: PartyId,
    pub created_by: UserId,
    pub submitted_by: UserId,
    pub submitted_at: Timestamp,
    pub submitted_from_device: String,
    #[serde(serialize_with = "serialize_heads")]
    pub submitted_heads: Vec<ChangeHash>,
    pub lines: Vec<OrderRequestLine>,
    /// The server's figure, in rupees: the grand total after GST and round-off when
    /// `pricing_method` is `engine`, else the sum of selling price times quantity.
    pub total: Money,
    /// Sum the devices showed, at the prices they had when each line was set.
    pub total_seen: Money,
    pub reconciled_at: Timestamp,
    pub pricing_method: PricingMethod,
    /// GST totals; `None` unless priced by the engine.
    pub tax: Option<TaxTotals>,
    /// The engine's full result; `None` unless priced by the engine.
    pub priced: Option<PricedOrder>,
    /// The engine's explanation, one text per line, free goods, order scheme and tax.
    pub explanation: Vec<String>,
    /// Whether `total` differs from `total_seen`.
    pub figures_differ: bool,
    /// For the buyer: why the figures differ, or why the engine was not used.
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderRequestLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: Quantity,
    /// Catalog selling price at reconciliation.
    pub unit_price: Money,
    pub unit_price_seen: Option<Money>,
    /// With the engine: the line's taxable value plus GST. Otherwise price times quantity.
    pub line_total: Money,
}

/// Builds the order request for a submitted cart, priced against the tenant's current
/// pricing data. A product not in the catalog is an error, never a zero-priced line; missing
/// pricing data is not (see [`crate::pricing::cart`]).
pub fn build_order_request(
    cart: &CartView,
    heads: &[ChangeHash],
    store: &TenantStore,
    registry: &Registry,
) -> Result<OrderRequest> {
    let submission = cart
        .submission
        .as_ref()
        .ok_or_else(|| ServerError::InvalidInput(format!("cart {} is not submitted", cart.header.cart_id)))?;
    let tenant = &cart.header.tenant_id;
    let seller_registration = registry
        .organisation(tenant)?
        .map(|organisation| organisation.registration);
    let channel = channel_of(registry, tenant)?;
    let buyer = &cart.header.buyer_id;
    let products = catalog_for(store.connection(), store.products()?, Some(buyer), channel)?;
    if let Some(unshared) = cart.lines.keys().find(|product| !products.contains_key(*product)) {
        return Err(ServerError::InvalidInput(format!(
            "product {unshared} is not in buyer {buyer}'s catalog"
        )));
    }
    let date = ist_date(submission.submitted_at);
    let pricing = TenantPricing::load(store.connection(), products, seller_registration.as_deref(), date)?;
    let priced = price_cart(cart, tenant, &pricing, registry)?;

    let mut lines = Vec::with_capacity(cart.lines.len());
    for line in cart.lines.values() {
        let price = priced.lines.get(&line.product_id).ok_or_else(|| {
            ServerError::InvalidInput(format!(
                "cart {} orders product {}, which is not in the catalog",
                cart.header.cart_id, line.product_id
            ))
        })?;
        lines.push(OrderRequestLine {
            product_id: line.product_id.clone(),
            product_name: price.product_name.clone(),
            quantity: line.quantity,
            unit_price: price.unit_price,
            unit_price_seen: line.unit_price_seen,
            line_total: price.line_total,
        });
    }

    Ok(OrderRequest {
        order_request_id: Ulid::generate(),
        cart_id: cart.header.cart_id,
        buyer_id: cart.header.buyer_id.clone(),
        created_by: cart.header.created_by.clone(),
        submitted_by: submission.submitted_by.clone(),
        submitted_at: submission.submitted_at,
        submitted_from_device: submission.device_id.clone(),
        submitted_heads: heads.to_vec(),
        total: priced.total,
        total_seen: cart.total_seen().round_paise(),
        lines,
        reconciled_at: Timestamp::now(),
        pricing_method: priced.method,
        tax: priced.tax,
        priced: priced.priced,
        explanation: priced.explanation,
        figures_differ: priced.figures_differ,
        note: priced.note,
    })
}

/// Writes the pricing columns of an order request just inserted in `transaction`.
pub fn insert_order_pricing(transaction: &rusqlite::Transaction<'_>, order: &OrderRequest) -> Result<()> {
    let json = |what: &str, value: serde_json::Result<String>| {
        value.map_err(|error| {
            ServerError::Corrupt(format!("{what} of order request {}: {error}", order.order_request_id))
        })
    };
    let priced = order
        .priced
        .as_ref()
        .map(|priced| json("priced order", serde_json::to_string(priced)))
        .transpose()?;
    let explanation = json("explanation", serde_json::to_string(&order.explanation))?;
    let tax = order.tax.as_ref();
    let money = |pick: fn(&TaxTotals) -> Money| tax.map(|tax| String::from(pick(tax)));
    transaction.execute(
        "UPDATE order_requests SET pricing_method = ?2, priced = ?3, taxable_value = ?4, cgst = ?5,
           sgst = ?6, igst = ?7, round_off = ?8, grand_total = ?9, pricing_explanation = ?10,
           figures_differ = ?11, pricing_note = ?12
         WHERE order_request_id = ?1",
        params![
            order.order_request_id.to_string(),
            order.pricing_method.as_str(),
            priced,
            money(|tax| tax.taxable_value),
            money(|tax| tax.cgst),
            money(|tax| tax.sgst),
            money(|tax| tax.igst),
            money(|tax| tax.round_off),
            money(|tax| tax.grand_total),
            explanation,
            order.figures_differ,
            order.note,
        ],
    )?;
    Ok(())
}

/// Reads order requests with their lines, newest first.
pub fn read_order_requests(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<OrderRequest>> {
    let mut sql = String::from(
        "SELECT order_request_id, cart_id, buyer_id, created_by, submitted_by, submitted_at,
                submitted_from_device, submitted_heads, total, total_seen, reconciled_at,
                pricing_method, priced, taxable_value, cgst, sgst, igst, round_off, grand_total,
                pricing_explanation, figures_differ, pricing_note
         FROM order_requests",
    );
    let mut arguments = Vec::new();
    if let Some(buyer) = buyer {
        sql.push_str(" WHERE buyer_id = ?1");
        arguments.push(buyer.to_string());
    }
    sql.push_str(" ORDER BY order_request_id DESC");

    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(arguments.iter()), OrderRow::read)?;
    let mut orders = Vec::new();
    for row in rows {
        let row = row?;
        let lines = read_lines(connection, &row.id)?;
        orders.push(row.into_order_request(lines)?);
    }
    Ok(orders)
}

/// The text columns of one `order_requests` row.
struct OrderRow {
    id: String,
    cart_id: String,
    buyer_id: String,
    created_by: String,
    submitted_by: String,
    submitted_at: String,
    device: String,
    heads: String,
    total: String,
    total_seen: String,
    reconciled_at: String,
    pricing_method: String,
    priced: Option<String>,
    /// taxable value, CGST, SGST, IGST, round-off, grand total.
    tax: [Option<String>; 6],
    explanation: String,
    figures_differ: bool,
    note: Option<String>,
}

impl OrderRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRow> {
        Ok(OrderRow {
            id: row.get(0)?,
            cart_id: row.get(1)?,
            buyer_id: row.get(2)?,
            created_by: row.get(3)?,
            submitted_by: row.get(4)?,
            submitted_at: row.get(5)?,
            device: row.get(6)?,
            heads: row.get(7)?,
            total: row.get(8)?,
            total_seen: row.get(9)?,
            reconciled_at: row.get(10)?,
            pricing_method: row.get(11)?,
            priced: row.get(12)?,
            tax: [
                row.get(13)?,
                row.get(14)?,
                row.get(15)?,
                row.get(16)?,
                row.get(17)?,
                row.get(18)?,
            ],
            explanation: row.get(19)?,
            figures_differ: row.get(20)?,
            note: row.get(21)?,
        })
    }

    fn into_order_request(self, lines: Vec<OrderRequestLine>) -> Result<OrderRequest> {
        let corrupt = |what: &str| ServerError::Corrupt(format!("order request {}: {what}", self.id));
        let order_request_id = Ulid::from_string(&self.id).map_err(|_| corrupt("id"))?;
        let pricing_method = match self.pricing_method.as_str() {
            "engine" => PricingMethod::Engine,
            _ => PricingMethod::SellingPrice,
        };
        let priced = self
            .priced
            .as_deref()
            .map(|text| serde_json::from_str(text).map_err(|_| corrupt("priced order")))
            .transpose()?;
        let tax = match &self.tax {
            [
                Some(taxable),
                Some(cgst),
                Some(sgst),
                Some(igst),
                Some(round_off),
                Some(grand_total),
            ] => Some(TaxTotals {
                taxable_value: taxable.parse()?,
                cgst: cgst.parse()?,
                sgst: sgst.parse()?,
                igst: igst.parse()?,
                round_off: round_off.parse()?,
                grand_total: grand_total.parse()?,
            }),
            _ => None,
        };
        let explanation = serde_json::from_str(&self.explanation).map_err(|_| corrupt("explanation"))?;
        Ok(OrderRequest {
            lines,
            order_request_id,
            cart_id: self.cart_id.parse()?,
            buyer_id: PartyId::new(self.buyer_id)?,
            created_by: UserId::new(self.created_by)?,
            submitted_by: UserId::new(self.submitted_by)?,
            submitted_at: self.submitted_at.parse()?,
            submitted_from_device: self.device,
            submitted_heads: parse_heads(&self.heads)?,
            total: self.total.parse()?,
            total_seen: self.total_seen.parse()?,
            reconciled_at: self.reconciled_at.parse()?,
            pricing_method,
            tax,
            priced,
            explanation,
            figures_differ: self.figures_differ,
            note: self.note,
        })
    }
}

fn read_lines(connection: &Connection, order_request_id: &str) -> Result<Vec<OrderRequestLine>> {
    let mut statement = connection.prepare(
        "SELECT product_id, product_name, quantity, unit_price, unit_price_seen, line_total
         FROM order_request_lines WHERE order_request_id = ?1 ORDER BY product_id",
    )?;
    let rows = statement.query_map([order_request_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<String>>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (product_id, product_name, quantity, unit_price, unit_price_seen, line_total) = row?;
        lines.push(OrderRequestLine {
            product_id: ProductId::new(product_id)?,
            product_name,
            quantity: quantity.parse()?,
            unit_price: unit_price.parse()?,
            unit_price_seen: unit_price_seen.map(|text| text.parse()).transpose()?,
            line_total: line_total.parse()?,
        });
    }
    Ok(lines)
}

fn serialize_heads<S: serde::Serializer>(heads: &[ChangeHash], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(heads.iter().map(ToString::to_string))
}
