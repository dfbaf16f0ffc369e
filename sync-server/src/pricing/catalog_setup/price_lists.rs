//! Price lists with their items and assignments.

use dms_domain::ProductId;
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use super::*;

pub fn price_lists(connection: &Connection) -> Result<Vec<PriceList>> {
    let mut statement =
        connection.prepare("SELECT price_list_id, name, currency FROM price_lists ORDER BY price_list_id")?;
    let lists = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<Vec<(String, String, String)>>>()?;
    let mut items = connection
        .prepare("SELECT product_id, price, unit FROM price_list_items WHERE price_list_id = ?1 ORDER BY product_id")?;
    let mut assignments = connection.prepare(
        "SELECT target_kind, target_id FROM price_list_assignments WHERE price_list_id = ?1
         ORDER BY target_kind, target_id",
    )?;
    let mut result = Vec::with_capacity(lists.len());
    for (id, name, currency) in lists {
        let mut list = PriceList {
            id: id.clone(),
            name,
            currency,
            items: Vec::new(),
            assignments: Vec::new(),
        };
        let rows = items.query_map([&id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?))
        })?;
        for row in rows {
            let (product, price, unit) = row?;
            list.items.push(PriceListItem {
                product_id: ProductId::new(product)?,
                price: price
                    .parse()
                    .map_err(|_| ServerError::Corrupt(format!("price {price:?} on price list {id}")))?,
                unit,
            });
        }
        let rows = assignments.query_map([&id], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
        for row in rows {
            let (kind, target) = row?;
            list.assignments.push(Target::from_row(&kind, target)?);
        }
        result.push(list);
    }
    Ok(result)
}

/// Inserts or replaces a price list with its items and assignments. Every item's product
/// must be in the catalog, with a price from 0 to [`MAX_AMOUNT`] rupees.
pub fn put_price_list(connection: &mut Connection, list: &PriceList) -> Result<()> {
    check_id("price list", &list.id)?;
    if list.currency != "INR" {
        return Err(ServerError::InvalidInput(format!(
            "price list {} is in {}; only INR is supported",
            list.id, list.currency
        )));
    }
    if list.assignments.contains(&Target::Everyone) {
        return Err(ServerError::InvalidInput(format!(
            "price list {} cannot be assigned to everyone: the catalog selling price is the default",
            list.id
        )));
    }

    let transaction = connection.transaction()?;
    transaction.execute(
        "INSERT INTO price_lists (price_list_id, name, currency, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (price_list_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
        params![list.id, list.name, list.currency, now()],
    )?;
    transaction.execute("DELETE FROM price_list_items WHERE price_list_id = ?1", [&list.id])?;
    transaction.execute(
        "DELETE FROM price_list_assignments WHERE price_list_id = ?1",
        [&list.id],
    )?;
    for item in &list.items {
        if item.price < Decimal::ZERO || item.price > MAX_AMOUNT {
            return Err(ServerError::InvalidInput(format!(
                "price {} of product {} on price list {} must be from 0 to {MAX_AMOUNT}",
                item.price, item.product_id, list.id
            )));
        }
        require_product(&transaction, &item.product_id)?;
        transaction.execute(
            "INSERT OR REPLACE INTO price_list_items (price_list_id, product_id, price, unit) VALUES (?1, ?2, ?3, ?4)",
            params![
                list.id,
                item.product_id.as_str(),
                item.price.normalize().to_string(),
                item.unit
            ],
        )?;
    }
    for target in &list.assignments {
        transaction.execute(
            "INSERT OR IGNORE INTO price_list_assignments (price_list_id, target_kind, target_id) VALUES (?1, ?2, ?3)",
            params![list.id, target.kind(), target.id()],
        )?;
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

pub fn delete_price_list(connection: &mut Connection, id: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    transaction.execute("DELETE FROM price_list_items WHERE price_list_id = ?1", [id])?;
    transaction.execute("DELETE FROM price_list_assignments WHERE price_list_id = ?1", [id])?;
    if transaction.execute("DELETE FROM price_lists WHERE price_list_id = ?1", [id])? == 0 {
        return Err(not_found("price list", id));
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}
