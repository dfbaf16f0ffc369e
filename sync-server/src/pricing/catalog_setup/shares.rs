//! Catalog shares and the categories and products each makes visible.

use dms_domain::ProductId;
use rusqlite::{Connection, OptionalExtension, params};

use super::*;

pub fn catalog_shares(connection: &Connection) -> Result<Vec<CatalogShare>> {
    let mut statement = connection
        .prepare("SELECT share_id, target_kind, target_id, all_products FROM catalog_shares ORDER BY share_id")?;
    let shares = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, bool>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut items = connection.prepare(
        "SELECT item_kind, item_id FROM catalog_share_items WHERE share_id = ?1 ORDER BY item_kind, item_id",
    )?;
    let mut result = Vec::with_capacity(shares.len());
    for (id, kind, target, all_products) in shares {
        let mut share = CatalogShare {
            id: id.clone(),
            to: Target::from_row(&kind, target)?,
            categories: Vec::new(),
            products: Vec::new(),
            all_products,
        };
        let rows = items.query_map([&id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
        for row in rows {
            match row? {
                (kind, item) if kind == "category" => share.categories.push(item),
                (_, item) => share.products.push(ProductId::new(item)?),
            }
        }
        result.push(share);
    }
    Ok(result)
}

/// Inserts or replaces a catalog share. Its categories must exist.
pub fn put_catalog_share(connection: &mut Connection, share: &CatalogShare) -> Result<()> {
    check_id("catalog share", &share.id)?;
    let transaction = connection.transaction()?;
    transaction.execute(
        "INSERT INTO catalog_shares (share_id, target_kind, target_id, all_products, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (share_id) DO UPDATE SET target_kind = excluded.target_kind,
           target_id = excluded.target_id, all_products = excluded.all_products, updated_at = excluded.updated_at",
        params![share.id, share.to.kind(), share.to.id(), share.all_products, now()],
    )?;
    transaction.execute("DELETE FROM catalog_share_items WHERE share_id = ?1", [&share.id])?;
    for category in &share.categories {
        let known: Option<i64> = transaction
            .query_row("SELECT 1 FROM categories WHERE category_id = ?1", [category], |row| {
                row.get(0)
            })
            .optional()?;
        if known.is_none() {
            return Err(ServerError::InvalidInput(format!("category {category} does not exist")));
        }
        transaction.execute(
            "INSERT OR IGNORE INTO catalog_share_items (share_id, item_kind, item_id) VALUES (?1, 'category', ?2)",
            params![share.id, category],
        )?;
    }
    for product in &share.products {
        require_product(&transaction, product)?;
        transaction.execute(
            "INSERT OR IGNORE INTO catalog_share_items (share_id, item_kind, item_id) VALUES (?1, 'product', ?2)",
            params![share.id, product.as_str()],
        )?;
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

pub fn delete_catalog_share(connection: &mut Connection, id: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    transaction.execute("DELETE FROM catalog_share_items WHERE share_id = ?1", [id])?;
    if transaction.execute("DELETE FROM catalog_shares WHERE share_id = ?1", [id])? == 0 {
        return Err(not_found("catalog share", id));
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}
