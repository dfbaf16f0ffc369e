//! The category tree: list, insert or replace, delete.

use rusqlite::{Connection, OptionalExtension, params};

use super::*;

pub fn categories(connection: &Connection) -> Result<Vec<Category>> {
    let mut statement =
        connection.prepare("SELECT category_id, parent_id, name FROM categories ORDER BY category_id")?;
    let rows = statement.query_map([], |row| {
        Ok(Category {
            id: row.get(0)?,
            parent_id: row.get(1)?,
            name: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts or replaces a category. The parent must exist and must not be the category or
/// one of its descendants.
pub fn put_category(connection: &mut Connection, category: &Category) -> Result<()> {
    check_id("category", &category.id)?;
    if category.name.trim().is_empty() {
        return Err(ServerError::InvalidInput(format!(
            "category {} needs a name",
            category.id
        )));
    }
    let transaction = connection.transaction()?;
    if let Some(parent) = &category.parent_id {
        let mut ancestor = Some(parent.clone());
        while let Some(current) = ancestor {
            if current == category.id {
                return Err(ServerError::InvalidInput(format!(
                    "category {} cannot be under {parent}: that would make a cycle",
                    category.id
                )));
            }
            ancestor = transaction
                .query_row(
                    "SELECT parent_id FROM categories WHERE category_id = ?1",
                    [&current],
                    |row| row.get::<_, Option<String>>(0),
                )
                .optional()?
                .ok_or_else(|| ServerError::InvalidInput(format!("parent category {current} does not exist")))?;
        }
    }
    transaction.execute(
        "INSERT INTO categories (category_id, parent_id, name, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (category_id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name,
           updated_at = excluded.updated_at",
        params![category.id, category.parent_id, category.name.trim(), now()],
    )?;
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}

/// Deletes a category that has no sub-categories and no products.
pub fn delete_category(connection: &mut Connection, id: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let children: i64 = transaction.query_row("SELECT COUNT(*) FROM categories WHERE parent_id = ?1", [id], |row| {
        row.get(0)
    })?;
    let products: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM catalog_products WHERE category_id = ?1",
        [id],
        |row| row.get(0),
    )?;
    if children > 0 || products > 0 {
        return Err(ServerError::Conflict(format!(
            "category {id} has {children} sub-categories and {products} products; move them first"
        )));
    }
    if transaction.execute("DELETE FROM categories WHERE category_id = ?1", [id])? == 0 {
        return Err(not_found("category", id));
    }
    bump_catalog_version(&transaction)?;
    transaction.commit()?;
    Ok(())
}
