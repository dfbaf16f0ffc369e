//! SQL for the tenant's pricing data: per-product pricing columns of `catalog_products`, the
//! `schemes` table and the `pricing_settings` row (tenant migration 2). The functions take
//! the tenant's connection from [`crate::tenant::store::TenantStore`], under the tenant lock.

use std::collections::BTreeMap;

use dms_domain::catalog::Product;
use dms_domain::{ProductId, Timestamp};
use dms_pricing::gst::{PlaceOfSupplyBasis, StateCode};
use dms_pricing::{Scheme, SchemeBook};
use rusqlite::{Connection, OptionalExtension, params};

use super::{PricingSettings, ProductPricing};
use crate::error::{Result, ServerError};

/// Writes a product's HSN code, GST rate and GST treatment from a catalog import. The
/// product's catalog row must exist. Its units are kept, because an import always states the
/// default base unit and no conversions, and `PUT /orgs/{org}/products/{product}/pricing` may
/// have set others that price lists are quoted in.
pub fn write_product_pricing(connection: &Connection, product_id: &ProductId, pricing: &ProductPricing) -> Result<()> {
    connection.execute(
        "UPDATE catalog_products SET hsn = ?2, gst_rate = ?3, price_includes_gst = ?4 WHERE product_id = ?1",
        params![
            product_id.as_str(),
            pricing.hsn,
            pricing.gst_rate.map(|rate| rate.normalize().to_string()),
            pricing.price_includes_gst,
        ],
    )?;
    Ok(())
}

/// Pricing data of every catalog product, by id.
pub fn all_product_pricing(connection: &Connection) -> Result<BTreeMap<ProductId, ProductPricing>> {
    let mut statement = connection.prepare(
        "SELECT product_id, hsn, gst_rate, base_unit, unit_conversions, price_includes_gst, gst_rates
         FROM catalog_products ORDER BY product_id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, bool>(5)?,
            row.get::<_, String>(6)?,
        ))
    })?;
    let mut pricing = BTreeMap::new();
    for row in rows {
        let (id, hsn, gst_rate, base_unit, conversions, price_includes_gst, gst_rates) = row?;
        let corrupt = |what: &str| ServerError::Corrupt(format!("pricing data of product {id}: {what}"));
        let gst_rate = gst_rate
            .map(|rate| rate.parse().map_err(|_| corrupt("GST rate")))
            .transpose()?;
        let unit_conversions = serde_json::from_str(&conversions).map_err(|_| corrupt("unit conversions"))?;
        let gst_rates = serde_json::from_str(&gst_rates).map_err(|_| corrupt("dated GST rates"))?;
        pricing.insert(
            ProductId::new(id.clone())?,
            ProductPricing {
                hsn,
                gst_rate,
                base_unit,
                unit_conversions,
                price_includes_gst,
                gst_rates,
                ..ProductPricing::default()
            },
        );
    }
    Ok(pricing)
}

/// Catalog products joined with their pricing data, by id.
pub fn priced_catalog(
    connection: &Connection,
    products: Vec<Product>,
) -> Result<BTreeMap<ProductId, (Product, ProductPricing)>> {
    let mut pricing = all_product_pricing(connection)?;
    Ok(products
        .into_iter()
        .map(|product| {
            let data = pricing.remove(&product.id).unwrap_or_default();
            (product.id.clone(), (product, data))
        })
        .collect())
}

/// Reads the schemes in the book, sorted by id.
pub fn current_schemes(connection: &Connection) -> Result<Vec<Scheme>> {
    read_schemes(
        connection,
        "SELECT scheme_id, body, removed_at FROM schemes WHERE removed_at IS NULL ORDER BY scheme_id",
    )
    .map(|schemes| schemes.into_iter().map(|(scheme, _)| scheme).collect())
}

/// Schemes taken out of the book, with the time each was taken out.
pub fn removed_schemes(connection: &Connection) -> Result<Vec<(Scheme, Timestamp)>> {
    let schemes = read_schemes(
        connection,
        "SELECT scheme_id, body, removed_at FROM schemes WHERE removed_at IS NOT NULL ORDER BY scheme_id",
    )?;
    Ok(schemes
        .into_iter()
        .filter_map(|(scheme, removed_at)| removed_at.map(|at| (scheme, at)))
        .collect())
}

fn read_schemes(connection: &Connection, sql: &str) -> Result<Vec<(Scheme, Option<Timestamp>)>> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut schemes = Vec::new();
    for row in rows {
        let (id, body, removed_at) = row?;
        let scheme: Scheme =
            serde_json::from_str(&body).map_err(|error| ServerError::Corrupt(format!("scheme {id}: {error}")))?;
        let removed_at = removed_at.map(|text| text.parse()).transpose()?;
        schemes.push((scheme, removed_at));
    }
    Ok(schemes)
}

/// Replaces the scheme book. The schemes are validated together first ([`SchemeBook::new`]);
/// an invalid book is rejected as invalid input and nothing is stored. Schemes left out are
/// kept as removed, and a scheme that returns is put back in the book.
pub fn replace_schemes(connection: &mut Connection, schemes: Vec<Scheme>) -> Result<SchemeBook> {
    let book = SchemeBook::new(schemes)
        .map_err(|error| ServerError::InvalidInput(format!("the scheme book was not stored: {error}")))?;
    let now = Timestamp::now().to_string();
    let transaction = connection.transaction()?;
    transaction.execute("UPDATE schemes SET removed_at = ?1 WHERE removed_at IS NULL", [&now])?;
    {
        let mut upsert = transaction.prepare(
            "INSERT INTO schemes (scheme_id, body, updated_at, removed_at) VALUES (?1, ?2, ?3, NULL)
             ON CONFLICT (scheme_id) DO UPDATE SET
               body = excluded.body,
               removed_at = NULL,
               updated_at = CASE WHEN schemes.body = excluded.body
                                 THEN schemes.updated_at ELSE excluded.updated_at END",
        )?;
        for scheme in book.schemes() {
            let body = serde_json::to_string(scheme)
                .map_err(|error| ServerError::Corrupt(format!("scheme {}: {error}", scheme.id)))?;
            upsert.execute(params![scheme.id.as_str(), body, now])?;
        }
    }
    transaction.commit()?;
    Ok(book)
}

/// Reads the tenant's GST settings.
pub fn pricing_settings(connection: &Connection) -> Result<PricingSettings> {
    let row: Option<(Option<String>, String)> = connection
        .query_row(
            "SELECT supplier_state, place_of_supply_basis FROM pricing_settings WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((supplier_state, basis)) = row else {
        return Ok(PricingSettings::default());
    };
    let supplier_state = supplier_state
        .map(|code| StateCode::new(code.clone()).map_err(|_| ServerError::Corrupt(format!("supplier state {code:?}"))))
        .transpose()?;
    let place_of_supply_basis = match basis.as_str() {
        "ship_to" => PlaceOfSupplyBasis::ShipTo,
        _ => PlaceOfSupplyBasis::BillTo,
    };
    Ok(PricingSettings {
        supplier_state,
        place_of_supply_basis,
    })
}

/// Stores the tenant's GST settings.
pub fn set_pricing_settings(connection: &Connection, settings: &PricingSettings) -> Result<()> {
    let basis = match settings.place_of_supply_basis {
        PlaceOfSupplyBasis::BillTo => "bill_to",
        PlaceOfSupplyBasis::ShipTo => "ship_to",
    };
    connection.execute(
        "INSERT INTO pricing_settings (id, supplier_state, place_of_supply_basis, updated_at)
         VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET supplier_state = excluded.supplier_state,
           place_of_supply_basis = excluded.place_of_supply_basis, updated_at = excluded.updated_at",
        params![
            settings.supplier_state.as_ref().map(StateCode::as_str),
            basis,
            Timestamp::now().to_string()
        ],
    )?;
    Ok(())
}
