//! Reconciliation of submitted carts into order requests.
//!
//! When a cart's merged state first shows `status = submitted`, the server reads its lines at
//! that moment, prices each from the tenant's catalog (selling price times quantity), and
//! stores one order request in the same SQLite transaction as the change that submitted it.
//! `order_requests.cart_id` is UNIQUE and the check runs under the tenant's lock, so a
//! submission that arrives twice, or from two devices, makes exactly one order request.

use automerge::ChangeHash;
use dms_documents::cart::CartView;
use dms_domain::catalog::Product;
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, Timestamp, UserId};
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;
use ulid::Ulid;

use crate::error::{Result, ServerError};
use crate::tenant::store::parse_heads;

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
    /// Sum of line totals at catalog prices, in rupees.
    pub total: Money,
    /// Sum the devices showed, at the prices they had when each line was set.
    pub total_seen: Money,
    pub reconciled_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderRequestLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub unit_price_seen: Option<Money>,
    pub line_total: Money,
}

/// Builds the order request for a submitted cart. `product` looks a product up in the
/// tenant's catalog; an unknown product is an error, never a zero-priced line.
pub fn build_order_request(
    cart: &CartView,
    heads: &[ChangeHash],
    mut product: impl FnMut(&ProductId) -> Result<Option<Product>>,
) -> Result<OrderRequest> {
    let submission = cart
        .submission
        .as_ref()
        .ok_or_else(|| ServerError::InvalidInput(format!("cart {} is not submitted", cart.header.cart_id)))?;

    let mut lines = Vec::with_capacity(cart.lines.len());
    for line in cart.lines.values() {
        let found = product(&line.product_id)?.ok_or_else(|| {
            ServerError::InvalidInput(format!(
                "cart {} orders product {}, which is not in the catalog",
                cart.header.cart_id, line.product_id
            ))
        })?;
        let line_total = (found.selling_price * line.quantity).round_paise();
        lines.push(OrderRequestLine {
            product_id: line.product_id.clone(),
            product_name: found.name,
            quantity: line.quantity,
            unit_price: found.selling_price,
            unit_price_seen: line.unit_price_seen,
            line_total,
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
        total: lines.iter().map(|line| line.line_total).sum(),
        total_seen: cart.total_seen().round_paise(),
        lines,
        reconciled_at: Timestamp::now(),
    })
}

/// Reads order requests with their lines, newest first.
pub fn read_order_requests(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<OrderRequest>> {
    let mut sql = String::from(
        "SELECT order_request_id, cart_id, buyer_id, created_by, submitted_by, submitted_at,
                submitted_from_device, submitted_heads, total, total_seen, reconciled_at
         FROM order_requests",
    );
    let mut arguments = Vec::new();
    if let Some(buyer) = buyer {
        sql.push_str(" WHERE buyer_id = ?1");
        arguments.push(buyer.to_string());
    }
    sql.push_str(" ORDER BY order_request_id DESC");

    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(arguments.iter()), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, String>(8)?,
            row.get::<_, String>(9)?,
            row.get::<_, String>(10)?,
        ))
    })?;

    let mut orders = Vec::new();
    for row in rows {
        let (
            id,
            cart_id,
            buyer_id,
            created_by,
            submitted_by,
            submitted_at,
            device,
            heads,
            total,
            total_seen,
            reconciled_at,
        ) = row?;
        let order_request_id =
            Ulid::from_string(&id).map_err(|_| ServerError::Corrupt(format!("order request id {id:?}")))?;
        orders.push(OrderRequest {
            lines: read_lines(connection, &id)?,
            order_request_id,
            cart_id: cart_id.parse()?,
            buyer_id: PartyId::new(buyer_id)?,
            created_by: UserId::new(created_by)?,
            submitted_by: UserId::new(submitted_by)?,
            submitted_at: submitted_at.parse()?,
            submitted_from_device: device,
            submitted_heads: parse_heads(&heads)?,
            total: total.parse()?,
            total_seen: total_seen.parse()?,
            reconciled_at: reconciled_at.parse()?,
        });
    }
    Ok(orders)
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
