//! SQL for `delivery_exceptions` (migration 7 in [`crate::tenant::schema`]): the shortages and
//! damages a signed delivery acknowledgement recorded per shipment line, against the sales
//! order line each shipment line serves.

use dms_domain::ShipmentId;
use dms_orders::{DeliveryException, DeliveryExceptionKind};
use rusqlite::{Connection, Transaction, params};

use crate::error::{Result, ServerError};

fn kind_text(kind: DeliveryExceptionKind) -> &'static str {
    match kind {
        DeliveryExceptionKind::Short => "short",
        DeliveryExceptionKind::Damaged => "damaged",
    }
}

/// Inserts the exceptions of one shipment. A shipment's exceptions are written once, when its
/// acknowledgement is applied, so a second insert of the same line and kind fails on the
/// primary key instead of counting it twice.
pub fn insert_exceptions(
    transaction: &Transaction<'_>,
    shipment_id: &ShipmentId,
    exceptions: &[DeliveryException],
) -> Result<()> {
    let mut insert = transaction.prepare(
        "INSERT INTO delivery_exceptions
           (shipment_id, shipment_line_no, kind, sales_order_id, order_line_no, product_id, quantity, reason,
            ack_id, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for exception in exceptions {
        insert.execute(params![
            shipment_id.to_string(),
            exception.shipment_line_no,
            kind_text(exception.kind),
            exception.sales_order_id.to_string(),
            exception.order_line_no,
            exception.product_id.as_str(),
            exception.quantity.to_string(),
            exception.reason,
            exception.ack_id.to_string(),
            exception.recorded_at.to_string(),
            exception.recorded_by,
        ])?;
    }
    Ok(())
}

/// Reads the exceptions of one shipment, by shipment line, shortages before damages.
pub fn exceptions_of_shipment(connection: &Connection, shipment_id: &str) -> Result<Vec<DeliveryException>> {
    let mut statement = connection.prepare(
        "SELECT shipment_line_no, kind, sales_order_id, order_line_no, product_id, quantity, reason, ack_id,
                recorded_at, recorded_by
         FROM delivery_exceptions WHERE shipment_id = ?1
         ORDER BY shipment_line_no, kind = 'damaged'",
    )?;
    let rows = statement.query_map([shipment_id], |row| {
        Ok((
            row.get::<_, u32>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, u32>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, Option<String>>(6)?,
            row.get::<_, String>(7)?,
            row.get::<_, String>(8)?,
            row.get::<_, String>(9)?,
        ))
    })?;
    let mut exceptions = Vec::new();
    for row in rows {
        let (line_no, kind, sales_order_id, order_line_no, product_id, quantity, reason, ack_id, at, by) = row?;
        let corrupt = |what: &str| {
            ServerError::Corrupt(format!(
                "delivery exception of shipment {shipment_id} line {line_no}: {what}"
            ))
        };
        exceptions.push(DeliveryException {
            shipment_line_no: line_no,
            sales_order_id: sales_order_id.parse().map_err(|_| corrupt("sales order id"))?,
            order_line_no,
            product_id: dms_domain::ProductId::new(product_id)?,
            kind: match kind.as_str() {
                "short" => DeliveryExceptionKind::Short,
                "damaged" => DeliveryExceptionKind::Damaged,
                _ => return Err(corrupt("kind")),
            },
            quantity: quantity.parse().map_err(|_| corrupt("quantity"))?,
            reason,
            ack_id: ack_id.parse().map_err(|_| corrupt("acknowledgement id"))?,
            recorded_at: at.parse()?,
            recorded_by: by,
        });
    }
    Ok(exceptions)
}
