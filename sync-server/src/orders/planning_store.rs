//! SQL for the order-to-cash planning tables of a tenant (migration 6 in
//! [`crate::tenant::schema`]): comments on shipments, the representative assigned to each
//! shipment's delivery, and supply entries (production schedule and purchase entries) with
//! the receipts against them (migration 9).
//!
//! As in [`super::store`], each record of `dms-orders` is stored whole as JSON in `body`,
//! beside the columns that queries filter and sort on.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use dms_orders::{DeliveryVisit, ShipmentComment, SupplyEntry, SupplyEntryId, SupplySource, WarehouseId};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, ServerError};

fn to_json<T: Serialize>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|error| ServerError::Corrupt(format!("cannot write {what} as JSON: {error}")))
}

fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|error| ServerError::Corrupt(format!("stored {what}: {error}")))
}

// ---- comments ----

/// Comments on one shipment, oldest first.
pub fn comments_of_shipment(connection: &Connection, shipment_id: &str) -> Result<Vec<ShipmentComment>> {
    let mut statement = connection.prepare("SELECT body FROM shipment_comments WHERE shipment_id = ?1 ORDER BY seq")?;
    let rows = statement.query_map([shipment_id], |row| row.get::<_, String>(0))?;
    let mut comments = Vec::new();
    for row in rows {
        comments.push(from_json("shipment comment", &row?)?);
    }
    Ok(comments)
}

pub fn insert_comment(transaction: &Transaction<'_>, comment: &ShipmentComment) -> Result<()> {
    transaction.execute(
        "INSERT INTO shipment_comments (comment_id, shipment_id, author_id, party_id, created_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            comment.id.to_string(),
            comment.shipment_id.to_string(),
            comment.author.as_str(),
            comment.party.as_str(),
            comment.at.to_string(),
            to_json("shipment comment", comment)?,
        ],
    )?;
    Ok(())
}

// ---- delivery visits ----

/// Loads the representative assigned to one shipment's delivery, if any.
pub fn delivery_visit(connection: &Connection, shipment_id: &str) -> Result<Option<DeliveryVisit>> {
    let body: Option<String> = connection
        .query_row(
            "SELECT body FROM delivery_visits WHERE shipment_id = ?1",
            [shipment_id],
            |row| row.get(0),
        )
        .optional()?;
    body.map(|body| from_json("delivery visit", &body)).transpose()
}

/// Stores the assignment of a shipment's delivery, replacing any earlier one.
pub fn save_delivery_visit(transaction: &Transaction<'_>, shipment_id: &str, visit: &DeliveryVisit) -> Result<()> {
    transaction.execute(
        "INSERT INTO delivery_visits
           (shipment_id, representative_id, arrive_from, arrive_to, assigned_by, assigned_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (shipment_id) DO UPDATE SET
           representative_id = excluded.representative_id, arrive_from = excluded.arrive_from,
           arrive_to = excluded.arrive_to, assigned_by = excluded.assigned_by,
           assigned_at = excluded.assigned_at, body = excluded.body",
        params![
            shipment_id,
            visit.representative.user_id.as_str(),
            visit.arrive_from.to_string(),
            visit.arrive_to.to_string(),
            visit.assigned_by.as_str(),
            visit.assigned_at.to_string(),
            to_json("delivery visit", visit)?,
        ],
    )?;
    Ok(())
}

// ---- supply entries ----

/// Supply entries by expected date, then id.
pub fn supply_entries(connection: &Connection) -> Result<Vec<SupplyEntry>> {
    let mut statement = connection.prepare("SELECT body FROM supply_entries ORDER BY expected_on, supply_entry_id")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let mut entries = Vec::new();
    for row in rows {
        entries.push(from_json("supply entry", &row?)?);
    }
    Ok(entries)
}

pub fn insert_supply_entry(transaction: &Transaction<'_>, entry: &SupplyEntry, recorded_by: &str) -> Result<()> {
    let source = match entry.source {
        SupplySource::Production => "production",
        SupplySource::Purchase => "purchase",
    };
    transaction.execute(
        "INSERT INTO supply_entries
           (supply_entry_id, source, product_id, quantity, expected_on, recorded_by, recorded_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            entry.id.to_string(),
            source,
            entry.product_id.as_str(),
            entry.quantity.value().to_string(),
            crate::registry::iso_date(entry.expected_on),
            recorded_by,
            dms_domain::Timestamp::now().to_string(),
            to_json("supply entry", entry)?,
        ],
    )?;
    Ok(())
}

/// Loads one supply entry.
pub fn supply_entry(connection: &Connection, supply_entry_id: &str) -> Result<Option<SupplyEntry>> {
    let body: Option<String> = connection
        .query_row(
            "SELECT body FROM supply_entries WHERE supply_entry_id = ?1",
            [supply_entry_id],
            |row| row.get(0),
        )
        .optional()?;
    body.map(|body| from_json("supply entry", &body)).transpose()
}

// ---- supply receipts ----

/// Goods received into stock against a supply entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplyReceipt {
    pub receipt_id: String,
    pub supply_entry_id: SupplyEntryId,
    pub warehouse: WarehouseId,
    pub product_id: ProductId,
    pub quantity: Decimal,
    /// User id of the staff member who recorded it.
    pub received_by: String,
    /// RFC 3339, the server's clock when it was recorded.
    pub received_at: String,
}

/// Returns the total quantity received against each supply entry that has receipts.
pub fn received_by_entry(connection: &Connection) -> Result<BTreeMap<SupplyEntryId, Decimal>> {
    sum_receipts(connection, "SELECT supply_entry_id, quantity FROM supply_receipts", &[])
}

/// Returns the total quantity received against one supply entry, zero when it has no receipts.
pub fn received_of_entry(connection: &Connection, supply_entry_id: &SupplyEntryId) -> Result<Decimal> {
    let mut received = sum_receipts(
        connection,
        "SELECT supply_entry_id, quantity FROM supply_receipts WHERE supply_entry_id = ?1",
        &[supply_entry_id.to_string()],
    )?;
    Ok(received.remove(supply_entry_id).unwrap_or_default())
}

/// Adds up the quantities of the receipts `sql` selects (entry id, quantity) per entry. The sum
/// is taken in `Decimal`, because SQLite would add the decimal text as floating point.
fn sum_receipts(connection: &Connection, sql: &str, arguments: &[String]) -> Result<BTreeMap<SupplyEntryId, Decimal>> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(arguments.iter()), |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut received: BTreeMap<SupplyEntryId, Decimal> = BTreeMap::new();
    for row in rows {
        let (entry, quantity) = row?;
        let corrupt = |what: &str, value: &str| {
            ServerError::Corrupt(format!(
                "supply receipt of entry {entry}: {what} {value:?} cannot be read"
            ))
        };
        let entry_id: SupplyEntryId = entry.parse().map_err(|_| corrupt("entry id", &entry))?;
        let quantity: Decimal = quantity.parse().map_err(|_| corrupt("quantity", &quantity))?;
        *received.entry(entry_id).or_default() += quantity;
    }
    Ok(received)
}

pub fn insert_supply_receipt(transaction: &Transaction<'_>, receipt: &SupplyReceipt) -> Result<()> {
    transaction.execute(
        "INSERT INTO supply_receipts
           (receipt_id, supply_entry_id, warehouse, product_id, quantity, received_by, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            receipt.receipt_id,
            receipt.supply_entry_id.to_string(),
            receipt.warehouse.to_string(),
            receipt.product_id.as_str(),
            receipt.quantity.to_string(),
            receipt.received_by,
            receipt.received_at,
        ],
    )?;
    Ok(())
}
