//! A product's set-up: category, units, sellable units, HSN code and GST rates.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use rusqlite::{Connection, OptionalExtension, params};

use super::*;

/// Writes a product's set-up. The units and GST data are checked by building the engine
/// product for each date a GST rate starts.
pub fn put_product_setup(connection: &mut Connection, product: &ProductId, setup: &ProductSetup) -> Result<()> {
    for channel in setup.sellable_units.keys() {
        if !CHANNELS.contains(&channel.as_str()) {
            return Err(ServerError::InvalidInput(format!(
                "sellable unit for unknown channel {channel:?}: use \"distributor\" or \"partner\""
            )));
        }
    }
    let units = dms_pricing::ProductUnits {
        base_unit: setup.base_unit.clone(),
        conversions: setup.unit_conversions.clone(),
    };
    units
        .validate(product)
        .map_err(|error| ServerError::InvalidInput(format!("units of product {product}: {error}")))?;
    for unit in setup.sellable_units.values() {
        units
            .base_units_per(product, Some(unit))
            .map_err(|error| ServerError::InvalidInput(format!("sellable unit of product {product}: {error}")))?;
    }
    for entry in &setup.gst_rates {
        if let (Some(from), Some(to)) = (entry.from, entry.to)
            && to < from
        {
            return Err(ServerError::InvalidInput(format!(
                "GST rate {} of product {product} ends on {to}, before it starts on {from}",
                entry.rate
            )));
        }
    }
    let transaction = connection.transaction()?;
    let known: Option<i64> = transaction
        .query_row(
            "SELECT 1 FROM catalog_products WHERE product_id = ?1",
            [product.as_str()],
            |row| row.get(0),
        )
        .optional()?;
    if known.is_none() {
        return Err(not_found("product", product.as_str()));
    }
    if let Some(category) = &setup.category_id {
        let known: Option<i64> = transaction
            .query_row("SELECT 1 FROM categories WHERE category_id = ?1", [category], |row| {
                row.get(0)
            })
            .optional()?;
        if known.is_none() {
            return Err(ServerError::InvalidInput(format!("category {category} does not exist")));
        }
    }
    let json = |value: serde_json::Result<String>| {
        value.map_err(|error| ServerError::Corrupt(format!("set-up of product {product}: {error}")))
    };
    transaction.execute(
        "UPDATE catalog_products SET category_id = ?2, base_unit = ?3, unit_conversions = ?4,
           sellable_units = ?5, hsn = ?6, gst_rate = ?7, gst_rates = ?8, price_includes_gst = ?9
         WHERE product_id = ?1",
        params![
            product.as_str(),
            setup.category_id,
            setup.base_unit,
            json(serde_json::to_string(&setup.unit_conversions))?,
            json(serde_json::to_string(&setup.sellable_units))?,
            setup.hsn,
            setup.gst_rate.map(|rate| rate.normalize().to_string()),
            json(serde_json::to_string(&setup.gst_rates))?,
            setup.price_includes_gst,
        ],
    )?;
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

/// Each product's category and sellable unit per channel, by id.
pub type ProductPlacement = BTreeMap<ProductId, (Option<String>, BTreeMap<String, String>)>;

/// Reads each product's category and sellable units.
pub fn product_placement(connection: &Connection) -> Result<ProductPlacement> {
    let mut statement = connection
        .prepare("SELECT product_id, category_id, sellable_units FROM catalog_products ORDER BY product_id")?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut placement = BTreeMap::new();
    for row in rows {
        let (id, category, units) = row?;
        let units = serde_json::from_str(&units)
            .map_err(|error| ServerError::Corrupt(format!("sellable units of product {id}: {error}")))?;
        placement.insert(ProductId::new(id)?, (category, units));
    }
    Ok(placement)
}
