//! SQL for the order-to-cash tables of a tenant (migration 4 in [`crate::tenant::schema`]).
//!
//! Each record of `dms-orders` is stored whole as JSON in `body`, beside the columns that
//! queries filter and sort on. Writers take a [`Transaction`], so a handler stores a decision,
//! a stock change, an invoice and its series number, or a payment and its allocations in one
//! commit.

use dms_domain::{PartyId, Timestamp, UserId};
use dms_orders::{
    Allocation, CreditNote, FinancialYear, Invoice, InvoiceSeries, Payment, ReservationOutcome, SalesOrder, Shipment,
    ShipmentRecord, StatusChange, StockBook, WarehouseId,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, ServerError};

/// The two numbered document kinds, each with its own series and prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    Invoice,
    CreditNote,
}

impl SeriesKind {
    fn as_str(self) -> &'static str {
        match self {
            SeriesKind::Invoice => "invoice",
            SeriesKind::CreditNote => "credit_note",
        }
    }

    /// Returns the number prefix, as in "INV/26-27/00001" and "CN/26-27/00001".
    pub fn prefix(self) -> &'static str {
        match self {
            SeriesKind::Invoice => "INV",
            SeriesKind::CreditNote => "CN",
        }
    }
}

fn to_json<T: Serialize>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|error| ServerError::Corrupt(format!("cannot write {what} as JSON: {error}")))
}

fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|error| ServerError::Corrupt(format!("stored {what}: {error}")))
}

/// Reads the `body` column of every row `sql` returns.
fn bodies<T: DeserializeOwned>(connection: &Connection, what: &str, sql: &str, arguments: &[String]) -> Result<Vec<T>> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map(params_from_iter(arguments.iter()), |row| row.get::<_, String>(0))?;
    let mut records = Vec::new();
    for row in rows {
        records.push(from_json(what, &row?)?);
    }
    Ok(records)
}

/// `sql` with ` WHERE buyer_id = ?1` when `buyer` is given, then `order`.
fn by_buyer(sql: &str, buyer: Option<&PartyId>, order: &str) -> (String, Vec<String>) {
    match buyer {
        Some(buyer) => (format!("{sql} WHERE buyer_id = ?1 {order}"), vec![buyer.to_string()]),
        None => (format!("{sql} {order}"), Vec::new()),
    }
}

// ---- sales orders ----

pub fn sales_order(connection: &Connection, sales_order_id: &str) -> Result<Option<SalesOrder>> {
    let body: Option<String> = connection
        .query_row(
            "SELECT body FROM sales_orders WHERE sales_order_id = ?1",
            [sales_order_id],
            |row| row.get(0),
        )
        .optional()?;
    body.map(|body| from_json("sales order", &body)).transpose()
}

pub fn sales_order_of_request(connection: &Connection, order_request_id: &str) -> Result<Option<SalesOrder>> {
    let body: Option<String> = connection
        .query_row(
            "SELECT body FROM sales_orders WHERE order_request_id = ?1",
            [order_request_id],
            |row| row.get(0),
        )
        .optional()?;
    body.map(|body| from_json("sales order", &body)).transpose()
}

/// Sales orders, oldest decision first, optionally of one buyer.
pub fn sales_orders(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<SalesOrder>> {
    let (sql, arguments) = by_buyer(
        "SELECT body FROM sales_orders",
        buyer,
        "ORDER BY decided_at, sales_order_id",
    );
    bodies(connection, "sales order", &sql, &arguments)
}

pub fn insert_sales_order(transaction: &Transaction<'_>, order: &SalesOrder, decided_by: &UserId) -> Result<()> {
    transaction.execute(
        "INSERT INTO sales_orders
           (sales_order_id, order_request_id, buyer_id, status, decided_at, decided_by, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            order.id.to_string(),
            order.order_request_id.to_string(),
            order.buyer_id().as_str(),
            crate::access::table::doc_name(&order.status),
            order.decided_at.to_string(),
            decided_by.as_str(),
            to_json("sales order", order)?,
        ],
    )?;
    Ok(())
}

// ---- stock ----

pub fn stock_book(connection: &Connection) -> Result<StockBook> {
    let body: Option<String> = connection
        .query_row("SELECT body FROM stock_book WHERE id = 1", [], |row| row.get(0))
        .optional()?;
    Ok(body
        .map(|body| from_json("stock book", &body))
        .transpose()?
        .unwrap_or_default())
}

/// Stores the book and refreshes the readable levels of the `touched` warehouse and product
/// pairs.
pub fn save_stock_book(
    transaction: &Transaction<'_>,
    book: &StockBook,
    touched: &[(WarehouseId, dms_domain::ProductId)],
) -> Result<()> {
    transaction.execute(
        "INSERT INTO stock_book (id, body, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        params![to_json("stock book", book)?, Timestamp::now().to_string()],
    )?;
    let mut upsert = transaction.prepare(
        "INSERT INTO stock_levels (warehouse_id, product_id, on_hand, reserved) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (warehouse_id, product_id) DO UPDATE SET
           on_hand = excluded.on_hand, reserved = excluded.reserved",
    )?;
    for (warehouse, product) in touched {
        let level = book.level(warehouse, product);
        upsert.execute(params![
            warehouse.as_str(),
            product.as_str(),
            level.on_hand.to_string(),
            level.reserved.to_string()
        ])?;
    }
    Ok(())
}

/// Records the reservations one call made and replaces the order's backorder lines.
pub fn record_reservation(
    transaction: &Transaction<'_>,
    sales_order_id: &str,
    outcome: &ReservationOutcome,
) -> Result<()> {
    let now = Timestamp::now().to_string();
    for reservation in &outcome.reservations {
        transaction.execute(
            "INSERT INTO stock_reservations
               (sales_order_id, line_no, product_id, warehouse_id, quantity, reserved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sales_order_id,
                reservation.line_no,
                reservation.product_id.as_str(),
                reservation.warehouse.as_str(),
                reservation.quantity.to_string(),
                now
            ],
        )?;
    }
    transaction.execute("DELETE FROM backorders WHERE sales_order_id = ?1", [sales_order_id])?;
    for line in &outcome.backorders {
        transaction.execute(
            "INSERT INTO backorders (sales_order_id, line_no, product_id, quantity) VALUES (?1, ?2, ?3, ?4)",
            params![
                sales_order_id,
                line.line_no,
                line.product_id.as_str(),
                line.quantity.to_string()
            ],
        )?;
    }
    Ok(())
}

// ---- shipments ----

pub fn shipment(connection: &Connection, shipment_id: &str) -> Result<Option<ShipmentRecord>> {
    let row: Option<(String, String, String)> = connection
        .query_row(
            "SELECT sales_order_id, buyer_id, body FROM shipments WHERE shipment_id = ?1",
            [shipment_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    row.map(|(sales_order_id, buyer_id, body)| stored_shipment(connection, sales_order_id, buyer_id, &body))
        .transpose()
}

/// Shipments by planned delivery date (the delivery schedule), optionally of one buyer.
pub fn shipments(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<ShipmentRecord>> {
    let (sql, arguments) = by_buyer(
        "SELECT sales_order_id, buyer_id, body FROM shipments",
        buyer,
        "ORDER BY planned_delivery_on, planned_dispatch_on, shipment_id",
    );
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(arguments.iter()), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut shipments = Vec::new();
    for row in rows {
        let (sales_order_id, buyer_id, body) = row?;
        shipments.push(stored_shipment(connection, sales_order_id, buyer_id, &body)?);
    }
    Ok(shipments)
}

fn stored_shipment(
    connection: &Connection,
    sales_order_id: String,
    buyer_id: String,
    body: &str,
) -> Result<ShipmentRecord> {
    let shipment: Shipment = from_json("shipment", body)?;
    let corrupt = |what: &str| ServerError::Corrupt(format!("shipment {}: {what}", shipment.id));
    let mut statement = connection.prepare(
        "SELECT status, changed_at, changed_by FROM shipment_status_history WHERE shipment_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map([shipment.id.to_string()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut history = Vec::new();
    for row in rows {
        let (status, changed_at, changed_by) = row?;
        history.push(StatusChange {
            status: from_json("shipment status", &format!("\"{status}\""))?,
            changed_at: changed_at.parse()?,
            changed_by,
        });
    }
    Ok(ShipmentRecord {
        sales_order_id: sales_order_id.parse().map_err(|_| corrupt("sales order id"))?,
        buyer_id: PartyId::new(buyer_id)?,
        exceptions: crate::orders::exceptions::exceptions_of_shipment(connection, &shipment.id.to_string())?,
        comments: super::planning_store::comments_of_shipment(connection, &shipment.id.to_string())?,
        delivery_visit: super::planning_store::delivery_visit(connection, &shipment.id.to_string())?,
        // Added for the seller's staff by the REST handlers, never stored with the shipment.
        acknowledgement: None,
        shipment,
        history,
    })
}

/// Inserts or updates a shipment and, when its status differs from the last one recorded,
/// appends the new status to its history, changed now.
pub fn save_shipment(
    transaction: &Transaction<'_>,
    shipment: &Shipment,
    sales_order_id: &str,
    buyer: &PartyId,
    changed_by: &UserId,
) -> Result<()> {
    save_shipment_at(
        transaction,
        shipment,
        sales_order_id,
        buyer,
        changed_by,
        Timestamp::now(),
    )
}

/// Saves a shipment as [`save_shipment`] does, with a new status recorded as changed at
/// `changed_at`, such as the sign-off time of the driver's delivery acknowledgement.
pub fn save_shipment_at(
    transaction: &Transaction<'_>,
    shipment: &Shipment,
    sales_order_id: &str,
    buyer: &PartyId,
    changed_by: &UserId,
    changed_at: Timestamp,
) -> Result<()> {
    let id = shipment.id.to_string();
    let status = crate::access::table::doc_name(&shipment.status);
    let now = Timestamp::now().to_string();
    transaction.execute(
        "INSERT INTO shipments
           (shipment_id, sales_order_id, buyer_id, status, planned_dispatch_on, planned_delivery_on,
            vehicle_number, lorry_receipt, updated_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (shipment_id) DO UPDATE SET
           status = excluded.status, vehicle_number = excluded.vehicle_number,
           lorry_receipt = excluded.lorry_receipt, updated_at = excluded.updated_at, body = excluded.body",
        params![
            id,
            sales_order_id,
            buyer.as_str(),
            status,
            shipment.planned_dispatch_on.to_string(),
            shipment.planned_delivery_on.to_string(),
            shipment
                .transport
                .vehicle
                .as_ref()
                .map(|vehicle| vehicle.as_str().to_owned()),
            shipment
                .transport
                .lorry_receipt
                .as_ref()
                .map(|receipt| receipt.number.clone()),
            now,
            to_json("shipment", shipment)?,
        ],
    )?;
    let last: Option<String> = transaction
        .query_row(
            "SELECT status FROM shipment_status_history WHERE shipment_id = ?1 ORDER BY seq DESC LIMIT 1",
            [&id],
            |row| row.get(0),
        )
        .optional()?;
    if last.as_deref() != Some(status.as_str()) {
        transaction.execute(
            "INSERT INTO shipment_status_history (shipment_id, status, changed_at, changed_by)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, status, changed_at.to_string(), changed_by.as_str()],
        )?;
    }
    Ok(())
}

// ---- invoice series ----

/// Loads the series of `kind` as last stored, or starts one in the financial year of `at`.
pub fn invoice_series(
    connection: &Connection,
    kind: SeriesKind,
    seller: &PartyId,
    at: Timestamp,
) -> Result<InvoiceSeries> {
    let row: Option<(i32, String, u32)> = connection
        .query_row(
            "SELECT financial_year, prefix, next_serial FROM invoice_series
             WHERE kind = ?1 ORDER BY financial_year DESC LIMIT 1",
            [kind.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    match row {
        Some((year, prefix, next)) => Ok(InvoiceSeries {
            seller: seller.clone(),
            prefix,
            financial_year: FinancialYear(year),
            next,
        }),
        None => Ok(InvoiceSeries::new(
            seller.clone(),
            kind.prefix(),
            FinancialYear::of(at),
        )?),
    }
}

/// Stores the series after an allocation, in the transaction that stores the document.
pub fn save_invoice_series(transaction: &Transaction<'_>, kind: SeriesKind, series: &InvoiceSeries) -> Result<()> {
    transaction.execute(
        "INSERT INTO invoice_series (kind, financial_year, prefix, next_serial) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, financial_year) DO UPDATE SET next_serial = excluded.next_serial",
        params![kind.as_str(), series.financial_year.0, series.prefix, series.next],
    )?;
    Ok(())
}

// ---- invoices and credit notes ----

pub fn invoice(connection: &Connection, invoice_id: &str) -> Result<Option<Invoice>> {
    let body: Option<String> = connection
        .query_row("SELECT body FROM invoices WHERE invoice_id = ?1", [invoice_id], |row| {
            row.get(0)
        })
        .optional()?;
    body.map(|body| from_json("invoice", &body)).transpose()
}

/// Invoices by date and number, optionally of one buyer.
pub fn invoices(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<Invoice>> {
    let (sql, arguments) = by_buyer("SELECT body FROM invoices", buyer, "ORDER BY invoice_date, number");
    bodies(connection, "invoice", &sql, &arguments)
}

pub fn invoices_of_order(connection: &Connection, sales_order_id: &str) -> Result<Vec<Invoice>> {
    bodies(
        connection,
        "invoice",
        "SELECT body FROM invoices WHERE sales_order_id = ?1 ORDER BY invoice_date, number",
        &[sales_order_id.to_owned()],
    )
}

pub fn insert_invoice(transaction: &Transaction<'_>, invoice: &Invoice) -> Result<()> {
    let id = invoice.id.to_string();
    let shipment_id = match &invoice.source {
        dms_orders::InvoiceSource::Shipment(shipment) => Some(shipment.to_string()),
        dms_orders::InvoiceSource::SalesOrder => None,
    };
    transaction.execute(
        "INSERT INTO invoices
           (invoice_id, number, sales_order_id, shipment_id, buyer_id, invoice_date, due_on, grand_total, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            invoice.number.as_str(),
            invoice.sales_order_id.to_string(),
            shipment_id,
            invoice.buyer_id().as_str(),
            invoice.invoice_date.to_string(),
            invoice.due_on.to_string(),
            String::from(invoice.grand_total()),
            to_json("invoice", invoice)?,
        ],
    )?;
    for line in &invoice.lines {
        transaction.execute(
            "INSERT INTO invoice_lines
               (invoice_id, line_no, order_line_no, shipment_line_no, product_id, quantity, taxable_value, total)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                line.line_no,
                line.order_line_no,
                line.shipment_line_no,
                line.product_id.as_str(),
                line.quantity.to_string(),
                String::from(line.taxable_value),
                String::from(line.total),
            ],
        )?;
    }
    Ok(())
}

/// Credit notes by date and number, optionally of one buyer.
pub fn credit_notes(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<CreditNote>> {
    let (sql, arguments) = by_buyer("SELECT body FROM credit_notes", buyer, "ORDER BY note_date, number");
    bodies(connection, "credit note", &sql, &arguments)
}

pub fn credit_notes_of_invoice(connection: &Connection, invoice_id: &str) -> Result<Vec<CreditNote>> {
    bodies(
        connection,
        "credit note",
        "SELECT body FROM credit_notes WHERE invoice_id = ?1 ORDER BY note_date, number",
        &[invoice_id.to_owned()],
    )
}

pub fn insert_credit_note(transaction: &Transaction<'_>, note: &CreditNote, buyer: &PartyId) -> Result<()> {
    transaction.execute(
        "INSERT INTO credit_notes (credit_note_id, number, invoice_id, buyer_id, note_date, grand_total, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            note.id.to_string(),
            note.number.as_str(),
            note.invoice_id.to_string(),
            buyer.as_str(),
            note.note_date.to_string(),
            String::from(note.grand_total()),
            to_json("credit note", note)?,
        ],
    )?;
    Ok(())
}

// ---- payments ----

/// Payments by date, optionally of one buyer.
pub fn payments(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<Payment>> {
    let (sql, arguments) = by_buyer("SELECT body FROM payments", buyer, "ORDER BY received_on, payment_id");
    bodies(connection, "payment", &sql, &arguments)
}

/// Allocations of payments, optionally of one buyer's payments, in the order made.
pub fn allocations(connection: &Connection, buyer: Option<&PartyId>) -> Result<Vec<Allocation>> {
    let mut sql = String::from(
        "SELECT a.payment_id, a.invoice_id, a.amount FROM payment_allocations a
         JOIN payments p ON p.payment_id = a.payment_id",
    );
    let mut arguments = Vec::new();
    if let Some(buyer) = buyer {
        sql.push_str(" WHERE p.buyer_id = ?1");
        arguments.push(buyer.to_string());
    }
    sql.push_str(" ORDER BY a.seq");
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(params_from_iter(arguments.iter()), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut allocations = Vec::new();
    for row in rows {
        let (payment_id, invoice_id, amount) = row?;
        let corrupt = |what: &str| ServerError::Corrupt(format!("payment allocation of {payment_id}: {what}"));
        allocations.push(Allocation {
            payment_id: payment_id.parse().map_err(|_| corrupt("payment id"))?,
            invoice_id: invoice_id.parse().map_err(|_| corrupt("invoice id"))?,
            amount: amount.parse()?,
        });
    }
    Ok(allocations)
}

pub fn insert_payment(transaction: &Transaction<'_>, payment: &Payment, recorded_by: &UserId) -> Result<()> {
    transaction.execute(
        "INSERT INTO payments (payment_id, buyer_id, received_on, amount, recorded_by, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            payment.id.to_string(),
            payment.buyer.as_str(),
            payment.received_on.to_string(),
            String::from(payment.amount),
            recorded_by.as_str(),
            to_json("payment", payment)?,
        ],
    )?;
    Ok(())
}

pub fn insert_allocations(transaction: &Transaction<'_>, allocations: &[Allocation]) -> Result<()> {
    for allocation in allocations {
        transaction.execute(
            "INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES (?1, ?2, ?3)",
            params![
                allocation.payment_id.to_string(),
                allocation.invoice_id.to_string(),
                String::from(allocation.amount)
            ],
        )?;
    }
    Ok(())
}
