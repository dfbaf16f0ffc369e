//! The device's SQLite store.
//!
//! A document is stored as the list of its changes, appended one per edit in the same
//! commit that makes the edit durable, and reloaded in order on open. Changes from the server
//! are appended the same way. `acked_heads` records the heads the server last confirmed it
//! holds, so "unsynced edits" is a comparison, not a guess.
//!
//! Known shortcoming: change logs are never compacted into a snapshot. A cart is a few hundred
//! changes at most, so loading stays fast, but a long-lived document would grow without bound.

use std::path::Path;

use automerge::{Automerge, Change, ChangeHash};
use dms_documents::DocumentId;
use dms_domain::catalog::{PackSize, Product};
use dms_domain::{Money, ProductId, Timestamp};
use dms_orders::BuyerOrderStatus;
use dms_pricing::{PricingTerms, ProductPricing};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::error::{DeviceError, Result};

const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE documents (
        document_id TEXT PRIMARY KEY,
        acked_heads TEXT NOT NULL DEFAULT '',   -- heads the server confirmed, hex joined by ','
        created_at  TEXT NOT NULL
    );
    CREATE TABLE document_changes (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id TEXT NOT NULL REFERENCES documents(document_id),
        hash        TEXT NOT NULL,
        bytes       BLOB NOT NULL,
        UNIQUE (document_id, hash)
    );
    CREATE TABLE catalog_products (
        product_id    TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        brand         TEXT NOT NULL,
        mrp           TEXT NOT NULL,
        selling_price TEXT NOT NULL,
        pack_size     TEXT NOT NULL,
        category      TEXT NOT NULL,
        sub_category  TEXT NOT NULL,
        search_text   TEXT NOT NULL         -- lower-case name, brand and categories
    );
"#,
    r#"
    -- Pricing data per product and the user's pricing terms, to price carts offline.
    ALTER TABLE catalog_products ADD COLUMN pricing TEXT;   -- JSON ProductPricing, NULL if not sent
    CREATE TABLE pricing_terms (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version TEXT NOT NULL,
        body    TEXT NOT NULL                 -- JSON PricingTerms
    );
    -- A catalog cached before this migration has no pricing data: download it again.
    DELETE FROM meta WHERE key = 'catalog_version';
"#,
    r#"
    -- Documents the server refused, at the heads it refused. They are not offered again
    -- until a local edit moves their heads, so one refused cart cannot stop the others
    -- from syncing, and its edits stay on the device.
    CREATE TABLE refused_documents (
        document_id TEXT PRIMARY KEY REFERENCES documents(document_id),
        heads       TEXT NOT NULL,
        reason      TEXT NOT NULL,
        refused_at  TEXT NOT NULL
    );
"#,
    r#"
    -- Signature and photo images by the SHA-256 of their bytes, until the server has them.
    CREATE TABLE blobs (
        sha256      TEXT PRIMARY KEY,
        media_type  TEXT NOT NULL,
        bytes       BLOB NOT NULL,
        created_at  TEXT NOT NULL,
        uploaded_at TEXT
    );
"#,
    r#"
    -- The buyer's order status as the server last sent it (JSON of
    -- dms_orders::BuyerOrderStatus), shown offline until the next sync round replaces it.
    CREATE TABLE order_status (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        body        TEXT NOT NULL,
        fetched_at  TEXT NOT NULL
    );
"#,
];

/// A catalog product with its pricing data, `None` when the server sent none.
pub type PricedProduct = (Product, Option<ProductPricing>);

pub struct DeviceStore {
    connection: Connection,
}

impl DeviceStore {
    pub fn open(path: &Path) -> Result<DeviceStore> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| DeviceError::StoreUnavailable {
                path: path.display().to_string(),
                reason: format!("cannot create folder {}: {error}", parent.display()),
            })?;
        }
        let connection = crate::sqlite::open(path, MIGRATIONS)?;
        Ok(DeviceStore { connection })
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    // ---- documents ----

    pub fn document_ids(&self) -> Result<Vec<DocumentId>> {
        let mut statement = self
            .connection
            .prepare("SELECT document_id FROM documents ORDER BY document_id")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        rows.map(|row| Ok(row?.parse()?)).collect()
    }

    pub fn load_document(&self, document_id: &DocumentId) -> Result<Automerge> {
        let mut statement = self
            .connection
            .prepare("SELECT bytes FROM document_changes WHERE document_id = ?1 ORDER BY seq")?;
        let rows = statement.query_map([document_id.to_string()], |row| row.get::<_, Vec<u8>>(0))?;
        let mut doc = Automerge::new();
        for bytes in rows {
            doc.load_incremental(&bytes?)
                .map_err(|error| DeviceError::Corrupt(format!("document {document_id}: {error}")))?;
        }
        Ok(doc)
    }

    /// Appends changes to a document (creating its row if new) in one durable commit.
    pub fn append_changes(&mut self, document_id: &DocumentId, changes: Vec<Change>) -> Result<()> {
        let id = document_id.to_string();
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "INSERT OR IGNORE INTO documents (document_id, created_at) VALUES (?1, ?2)",
            params![id, Timestamp::now().to_string()],
        )?;
        {
            let mut insert = transaction
                .prepare("INSERT OR IGNORE INTO document_changes (document_id, hash, bytes) VALUES (?1, ?2, ?3)")?;
            for mut change in changes {
                let hash = change.hash().to_string();
                insert.execute(params![id, hash, change.bytes().as_ref()])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    pub fn acked_heads(&self, document_id: &DocumentId) -> Result<Vec<ChangeHash>> {
        let text: Option<String> = self
            .connection
            .query_row(
                "SELECT acked_heads FROM documents WHERE document_id = ?1",
                [document_id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        parse_heads(&text.unwrap_or_default())
    }

    pub fn set_acked_heads(&mut self, document_id: &DocumentId, heads: &[ChangeHash]) -> Result<()> {
        self.connection.execute(
            "UPDATE documents SET acked_heads = ?2 WHERE document_id = ?1",
            params![document_id.to_string(), join_heads(heads)],
        )?;
        Ok(())
    }

    /// Records that the server refused `document_id` at `heads`, with its reason.
    pub fn mark_refused(&mut self, document_id: &DocumentId, heads: &[ChangeHash], reason: &str) -> Result<()> {
        self.connection.execute(
            "INSERT INTO refused_documents (document_id, heads, reason, refused_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (document_id) DO UPDATE SET
               heads = excluded.heads, reason = excluded.reason, refused_at = excluded.refused_at",
            params![
                document_id.to_string(),
                join_heads(heads),
                reason,
                Timestamp::now().to_string()
            ],
        )?;
        Ok(())
    }

    /// Returns the heads at which the server rejected `document_id`, if it did.
    pub fn refused_heads(&self, document_id: &DocumentId) -> Result<Option<Vec<ChangeHash>>> {
        let text: Option<String> = self
            .connection
            .query_row(
                "SELECT heads FROM refused_documents WHERE document_id = ?1",
                [document_id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        text.map(|text| parse_heads(&text)).transpose()
    }

    /// Refused documents and the server's reasons, oldest first.
    pub fn refused_documents(&self) -> Result<Vec<(DocumentId, String)>> {
        let mut statement = self
            .connection
            .prepare("SELECT document_id, reason FROM refused_documents ORDER BY refused_at, document_id")?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (id, reason) = row?;
            Ok((id.parse()?, reason))
        })
        .collect()
    }

    /// Forgets a refusal once the server has accepted the document.
    pub fn clear_refused(&mut self, document_id: &DocumentId) -> Result<()> {
        self.connection.execute(
            "DELETE FROM refused_documents WHERE document_id = ?1",
            [document_id.to_string()],
        )?;
        Ok(())
    }

    // ---- key-value metadata ----

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .connection
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| row.get(0))
            .optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.connection.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    // ---- tokens ----

    /// Stores a refreshed token pair together with `login_access_token`, the access token the
    /// app's configuration holds, in one transaction. The pair replaces that login's tokens
    /// until the app configures the device with another login.
    pub fn save_tokens(&mut self, login_access_token: &str, access_token: &str, refresh_token: &str) -> Result<()> {
        let transaction = self.connection.transaction()?;
        for (key, value) in [
            ("tokens_replace", login_access_token),
            ("access_token", access_token),
            ("refresh_token", refresh_token),
        ] {
            transaction.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// The refreshed access and refresh tokens that replace the login whose access token is
    /// `login_access_token`, if this device refreshed them.
    pub fn saved_tokens(&self, login_access_token: &str) -> Result<Option<(String, String)>> {
        if self.meta("tokens_replace")?.as_deref() != Some(login_access_token) {
            return Ok(None);
        }
        Ok(self.meta("access_token")?.zip(self.meta("refresh_token")?))
    }

    // ---- catalog ----

    /// Stores one catalog download in one transaction: the catalog with each product's pricing
    /// data when `catalog` is given, the pricing terms and their version when `terms` is given.
    /// A failed download never leaves half a catalog or a catalog with another's terms.
    pub fn replace_download(
        &mut self,
        catalog: Option<(i64, &[PricedProduct])>,
        terms: Option<(&str, &PricingTerms)>,
    ) -> Result<()> {
        let transaction = self.connection.transaction()?;
        if let Some((version, products)) = catalog {
            write_catalog(&transaction, version, products)?;
        }
        if let Some((version, terms)) = terms {
            let body = serde_json::to_string(terms)
                .map_err(|error| DeviceError::Corrupt(format!("pricing terms: {error}")))?;
            transaction.execute(
                "INSERT INTO pricing_terms (id, version, body) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body",
                params![version, body],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// The cached pricing terms with their version, if the server sent any.
    pub fn pricing_terms(&self) -> Result<Option<(String, PricingTerms)>> {
        let row: Option<(String, String)> = self
            .connection
            .query_row("SELECT version, body FROM pricing_terms WHERE id = 1", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        row.map(|(version, body)| {
            let terms = serde_json::from_str(&body)
                .map_err(|error| DeviceError::Corrupt(format!("stored pricing terms: {error}")))?;
            Ok((version, terms))
        })
        .transpose()
    }

    /// A product's cached pricing data; `None` when the product or its data is not cached.
    pub fn product_pricing(&self, product_id: &ProductId) -> Result<Option<ProductPricing>> {
        let body: Option<Option<String>> = self
            .connection
            .query_row(
                "SELECT pricing FROM catalog_products WHERE product_id = ?1",
                [product_id.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        body.flatten()
            .map(|body| {
                serde_json::from_str(&body)
                    .map_err(|error| DeviceError::Corrupt(format!("pricing data of {product_id}: {error}")))
            })
            .transpose()
    }

    /// Replaces the stored order status with the one just fetched.
    pub fn set_order_status(&mut self, status: &BuyerOrderStatus) -> Result<()> {
        let body = serde_json::to_string(status)
            .map_err(|error| DeviceError::Corrupt(format!("order status cannot be written as JSON: {error}")))?;
        self.connection.execute(
            "INSERT INTO order_status (id, body, fetched_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            params![body, Timestamp::now().to_string()],
        )?;
        Ok(())
    }

    /// The order status of the last sync round; `None` before the first or for staff.
    pub fn order_status(&self) -> Result<Option<BuyerOrderStatus>> {
        let body: Option<String> = self
            .connection
            .query_row("SELECT body FROM order_status WHERE id = 1", [], |row| row.get(0))
            .optional()?;
        body.map(|body| {
            serde_json::from_str(&body).map_err(|error| DeviceError::Corrupt(format!("stored order status: {error}")))
        })
        .transpose()
    }

    pub fn catalog_version(&self) -> Result<Option<i64>> {
        match self.meta("catalog_version")? {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| DeviceError::Corrupt(format!("catalog version {text:?}"))),
        }
    }

    pub fn product(&self, product_id: &ProductId) -> Result<Option<Product>> {
        let row = self
            .connection
            .query_row(
                &format!("SELECT {PRODUCT_COLUMNS} FROM catalog_products WHERE product_id = ?1"),
                [product_id.as_str()],
                read_product_row,
            )
            .optional()?;
        row.map(|row| row.into_product()).transpose()
    }

    /// Products whose name, brand or categories contain every word of `query`. Products whose
    /// name itself contains every word come first; ties are ordered by name.
    pub fn search_products(&self, query: &str, limit: u32) -> Result<Vec<Product>> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(|word| format!("%{}%", escape_like(&word.to_lowercase())))
            .collect();
        let mut filter = String::from("1 = 1");
        let mut name_rank = String::from("1 = 1");
        for index in 1..=words.len() {
            filter.push_str(&format!(" AND search_text LIKE ?{index} ESCAPE '\\'"));
            name_rank.push_str(&format!(" AND lower(name) LIKE ?{index} ESCAPE '\\'"));
        }
        let sql = format!(
            "SELECT {PRODUCT_COLUMNS} FROM catalog_products WHERE {filter}
             ORDER BY ({name_rank}) DESC, name, product_id LIMIT {limit}"
        );

        let mut statement = self.connection.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(words.iter()), read_product_row)?;
        rows.map(|row| row?.into_product()).collect()
    }

    pub fn product_count(&self) -> Result<i64> {
        Ok(self
            .connection
            .query_row("SELECT COUNT(*) FROM catalog_products", [], |row| row.get(0))?)
    }
}

fn write_catalog(transaction: &Transaction<'_>, version: i64, products: &[PricedProduct]) -> Result<()> {
    transaction.execute("DELETE FROM catalog_products", [])?;
    let mut insert = transaction.prepare(
        "INSERT INTO catalog_products
           (product_id, name, brand, mrp, selling_price, pack_size, category, sub_category, search_text, pricing)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (product, pricing) in products {
        let pack_size = serde_json::to_string(&product.pack_size)
            .map_err(|error| DeviceError::Corrupt(format!("pack size of {}: {error}", product.id)))?;
        let pricing = pricing
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|error| DeviceError::Corrupt(format!("pricing data of {}: {error}", product.id)))?;
        let search_text = format!(
            "{} {} {} {}",
            product.name, product.brand, product.category, product.sub_category
        )
        .to_lowercase();
        insert.execute(params![
            product.id.as_str(),
            product.name,
            product.brand,
            String::from(product.mrp),
            String::from(product.selling_price),
            pack_size,
            product.category,
            product.sub_category,
            search_text,
            pricing,
        ])?;
    }
    transaction.execute(
        "INSERT INTO meta (key, value) VALUES ('catalog_version', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [version.to_string()],
    )?;
    Ok(())
}

const PRODUCT_COLUMNS: &str = "product_id, name, brand, mrp, selling_price, pack_size, category, sub_category";

struct ProductRow([String; 8]);

fn read_product_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ProductRow> {
    Ok(ProductRow([
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ]))
}

impl ProductRow {
    fn into_product(self) -> Result<Product> {
        let [id, name, brand, mrp, selling_price, pack_size, category, sub_category] = self.0;
        let corrupt = |what: &str| DeviceError::Corrupt(format!("catalog product {id}: {what}"));
        let pack_size: PackSize = serde_json::from_str(&pack_size).map_err(|_| corrupt("pack size"))?;
        let mrp: Money = mrp.parse().map_err(|_| corrupt("mrp"))?;
        let selling_price: Money = selling_price.parse().map_err(|_| corrupt("selling price"))?;
        Ok(Product {
            id: ProductId::new(id)?,
            name,
            brand,
            mrp,
            selling_price,
            pack_size,
            category,
            sub_category,
        })
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub fn join_heads(heads: &[ChangeHash]) -> String {
    heads.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

pub fn parse_heads(text: &str) -> Result<Vec<ChangeHash>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|hash| {
            hash.parse()
                .map_err(|_| DeviceError::Corrupt(format!("stored change hash {hash:?} is not valid")))
        })
        .collect()
}
