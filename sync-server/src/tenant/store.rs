//! The tenant's SQLite database: documents and their changes, the catalog, order requests.
//! Every method is blocking; callers run them off the async threads.

use std::path::Path;

use automerge::{Automerge, Change, ChangeHash};
use dms_documents::DocumentId;
use dms_domain::catalog::{PackSize, Product};
use dms_domain::{Money, PartyId, ProductId, Timestamp, UserId};
use rusqlite::{Connection, OptionalExtension, params};

use crate::access::DocumentAccess;
use crate::error::{Result, ServerError};
use crate::pricing::ProductPricing;
use crate::pricing::store::write_product_pricing;
use crate::tenant::field_store::{FieldRecords, write_field_records};
use crate::tenant::reconcile::{OrderRequest, insert_order_pricing};
use crate::tenant::schema::MIGRATIONS;

/// A document's row, without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRecord {
    pub document_id: DocumentId,
    pub access: DocumentAccess,
    pub owner_user: UserId,
    pub status: Option<String>,
    pub heads: Vec<ChangeHash>,
}

impl DocumentRecord {
    pub fn kind(&self) -> &'static str {
        match self.access {
            DocumentAccess::Cart { .. } => "cart",
            DocumentAccess::Untyped { .. } => "untyped",
            DocumentAccess::VisitPlan { .. } => "visit_plan",
            DocumentAccess::DeliveryAck { .. } => "delivery_ack",
            DocumentAccess::BusinessPlan { .. } => "business_plan",
        }
    }

    /// The buying party the document concerns: a cart's or acknowledgement's buyer, a
    /// business plan's distributor.
    pub fn buyer(&self) -> Option<&PartyId> {
        match &self.access {
            DocumentAccess::Cart { buyer_id } | DocumentAccess::DeliveryAck { buyer_id, .. } => Some(buyer_id),
            DocumentAccess::BusinessPlan { distributor } => Some(distributor),
            DocumentAccess::Untyped { .. } | DocumentAccess::VisitPlan { .. } => None,
        }
    }

    /// The user the document is about: a visit plan's rep, an acknowledgement's driver.
    pub fn subject_user(&self) -> Option<&UserId> {
        match &self.access {
            DocumentAccess::VisitPlan { rep } => Some(rep),
            DocumentAccess::DeliveryAck { driver, .. } => Some(driver),
            _ => None,
        }
    }
}

/// Everything one accepted sync message writes, committed as one SQLite transaction.
pub struct ChangeBatch<'a> {
    pub record: &'a DocumentRecord,
    pub is_new: bool,
    pub changes: Vec<Change>,
    pub received_from: &'a UserId,
    pub order_request: Option<OrderRequest>,
    pub late_edit: bool,
    /// The reconciled rows of a field document.
    pub field: Option<FieldRecords>,
}

pub struct TenantStore {
    connection: Connection,
}

impl TenantStore {
    pub fn open(path: &Path) -> Result<TenantStore> {
        let connection = dms_device::sqlite::open(path, MIGRATIONS)?;
        Ok(TenantStore { connection })
    }

    /// The connection, for the pricing tables' SQL in [`crate::pricing::store`].
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    // ---- catalog ----

    /// Inserts or updates products and bumps the catalog version, in one transaction.
    /// Existing pricing data of the products is kept.
    pub fn upsert_products(&mut self, products: &[Product]) -> Result<i64> {
        self.upsert_catalog(products, &[])
    }

    /// Inserts or updates products, then writes the given pricing data, and bumps the catalog
    /// version, in one transaction. Products not in `pricing` keep the pricing data they had.
    pub fn upsert_catalog(&mut self, products: &[Product], pricing: &[(ProductId, ProductPricing)]) -> Result<i64> {
        let now = Timestamp::now().to_string();
        let transaction = self.connection.transaction()?;
        {
            let mut statement = transaction.prepare(
                "INSERT INTO catalog_products
                   (product_id, name, brand, mrp, selling_price, pack_size, category, sub_category, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (product_id) DO UPDATE SET
                   name = excluded.name, brand = excluded.brand, mrp = excluded.mrp,
                   selling_price = excluded.selling_price, pack_size = excluded.pack_size,
                   category = excluded.category, sub_category = excluded.sub_category,
                   updated_at = excluded.updated_at",
            )?;
            for product in products {
                let pack_size = serde_json::to_string(&product.pack_size)
                    .map_err(|error| ServerError::Corrupt(format!("pack size of {}: {error}", product.id)))?;
                statement.execute(params![
                    product.id.as_str(),
                    product.name,
                    product.brand,
                    String::from(product.mrp),
                    String::from(product.selling_price),
                    pack_size,
                    product.category,
                    product.sub_category,
                    now,
                ])?;
            }
        }
        for (product_id, data) in pricing {
            write_product_pricing(&transaction, product_id, data)?;
        }
        crate::pricing::catalog_setup::attach_imported_categories(&transaction)?;
        transaction.execute("UPDATE catalog_state SET version = version + 1 WHERE id = 1", [])?;
        let version = transaction.query_row("SELECT version FROM catalog_state WHERE id = 1", [], |row| row.get(0))?;
        transaction.commit()?;
        Ok(version)
    }

    pub fn catalog_version(&self) -> Result<i64> {
        Ok(self
            .connection
            .query_row("SELECT version FROM catalog_state WHERE id = 1", [], |row| row.get(0))?)
    }

    pub fn products(&self) -> Result<Vec<Product>> {
        let mut statement = self.connection.prepare(
            "SELECT product_id, name, brand, mrp, selling_price, pack_size, category, sub_category
             FROM catalog_products ORDER BY product_id",
        )?;
        let rows = statement.query_map([], product_columns)?;
        rows.map(|row| row?.into_product()).collect()
    }

    pub fn product(&self, product_id: &ProductId) -> Result<Option<Product>> {
        let row = self
            .connection
            .query_row(
                "SELECT product_id, name, brand, mrp, selling_price, pack_size, category, sub_category
                 FROM catalog_products WHERE product_id = ?1",
                [product_id.as_str()],
                product_columns,
            )
            .optional()?;
        row.map(ProductColumns::into_product).transpose()
    }

    // ---- documents ----

    pub fn document_record(&self, document_id: &DocumentId) -> Result<Option<DocumentRecord>> {
        let row = self
            .connection
            .query_row(
                "SELECT document_id, kind, owner_user, buyer_id, status, heads, subject_user
                 FROM documents WHERE document_id = ?1",
                [document_id.to_string()],
                record_columns,
            )
            .optional()?;
        row.map(RecordColumns::into_record).transpose()
    }

    pub fn document_records(&self) -> Result<Vec<DocumentRecord>> {
        let mut statement = self.connection.prepare(
            "SELECT document_id, kind, owner_user, buyer_id, status, heads, subject_user
             FROM documents ORDER BY document_id",
        )?;
        let rows = statement.query_map([], record_columns)?;
        rows.map(|row| row?.into_record()).collect()
    }

    /// Rebuilds a document from its stored changes.
    pub fn load_document(&self, document_id: &DocumentId) -> Result<Automerge> {
        let mut statement = self
            .connection
            .prepare("SELECT bytes FROM document_changes WHERE document_id = ?1 ORDER BY seq")?;
        let rows = statement.query_map([document_id.to_string()], |row| row.get::<_, Vec<u8>>(0))?;
        let mut doc = Automerge::new();
        for bytes in rows {
            doc.load_incremental(&bytes?)
                .map_err(|error| ServerError::Corrupt(format!("document {document_id}: {error}")))?;
        }
        Ok(doc)
    }

    /// Stores an accepted batch: the document row, its new changes, and any order request or
    /// late edit that reconciliation produced. All or nothing.
    pub fn commit_batch(&mut self, batch: ChangeBatch<'_>) -> Result<()> {
        let record = batch.record;
        let now = Timestamp::now().to_string();
        let document_id = record.document_id.to_string();
        let heads = join_heads(&record.heads);
        let buyer_id = record.buyer().map(ToString::to_string);
        let subject_user = record.subject_user().map(ToString::to_string);

        let transaction = self.connection.transaction()?;
        if batch.is_new {
            transaction.execute(
                "INSERT INTO documents
                   (document_id, kind, owner_user, buyer_id, status, heads, created_at, updated_at, subject_user)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
                params![
                    document_id,
                    record.kind(),
                    record.owner_user.as_str(),
                    buyer_id,
                    record.status,
                    heads,
                    now,
                    subject_user
                ],
            )?;
        } else {
            transaction.execute(
                "UPDATE documents SET kind = ?2, buyer_id = ?3, status = ?4, heads = ?5, updated_at = ?6,
                   subject_user = ?7
                 WHERE document_id = ?1",
                params![
                    document_id,
                    record.kind(),
                    buyer_id,
                    record.status,
                    heads,
                    now,
                    subject_user
                ],
            )?;
        }

        {
            let mut insert = transaction.prepare(
                "INSERT OR IGNORE INTO document_changes (document_id, hash, bytes, received_from, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for mut change in batch.changes {
                let hash = change.hash().to_string();
                insert.execute(params![
                    document_id,
                    hash,
                    change.bytes().as_ref(),
                    batch.received_from.as_str(),
                    now
                ])?;
            }
        }

        if let Some(order) = &batch.order_request {
            insert_order_request(&transaction, order, &document_id)?;
        }
        if let Some(field) = &batch.field {
            write_field_records(&transaction, field, &document_id, &now)?;
        }
        if batch.late_edit {
            let cart_id = record.document_id.as_cart_id().to_string();
            transaction.execute(
                "INSERT INTO late_cart_edits (cart_id, heads, received_from, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![cart_id, heads, batch.received_from.as_str(), now],
            )?;
        }
        transaction.commit()?;
        Ok(())
    }

    // ---- order requests ----

    pub fn has_order_request(&self, cart_id: &str) -> Result<bool> {
        let found: Option<i64> = self
            .connection
            .query_row("SELECT 1 FROM order_requests WHERE cart_id = ?1", [cart_id], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(found.is_some())
    }

    /// Order requests, newest first, optionally only those of one buyer.
    pub fn order_requests(&self, buyer: Option<&PartyId>) -> Result<Vec<OrderRequest>> {
        crate::tenant::reconcile::read_order_requests(&self.connection, buyer)
    }

    /// Carts with more than one order request. The UNIQUE constraint makes this empty; the
    /// demo still checks it, because a wrong schema would make it not so.
    pub fn duplicate_order_requests(&self) -> Result<i64> {
        Ok(self.connection.query_row(
            "SELECT COUNT(*) FROM (SELECT cart_id FROM order_requests GROUP BY cart_id HAVING COUNT(*) > 1)",
            [],
            |row| row.get(0),
        )?)
    }

    pub fn late_edit_count(&self) -> Result<i64> {
        Ok(self
            .connection
            .query_row("SELECT COUNT(*) FROM late_cart_edits", [], |row| row.get(0))?)
    }

    pub fn change_count(&self) -> Result<i64> {
        Ok(self
            .connection
            .query_row("SELECT COUNT(*) FROM document_changes", [], |row| row.get(0))?)
    }
}

fn insert_order_request(
    transaction: &rusqlite::Transaction<'_>,
    order: &OrderRequest,
    document_id: &str,
) -> Result<()> {
    transaction.execute(
        "INSERT INTO order_requests
           (order_request_id, cart_id, document_id, buyer_id, created_by, submitted_by, submitted_at,
            submitted_from_device, submitted_heads, total, total_seen, reconciled_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            order.order_request_id.to_string(),
            order.cart_id.to_string(),
            document_id,
            order.buyer_id.as_str(),
            order.created_by.as_str(),
            order.submitted_by.as_str(),
            order.submitted_at.to_string(),
            order.submitted_from_device,
            join_heads(&order.submitted_heads),
            String::from(order.total),
            String::from(order.total_seen),
            order.reconciled_at.to_string(),
        ],
    )?;
    let mut insert = transaction.prepare(
        "INSERT INTO order_request_lines
           (order_request_id, product_id, product_name, quantity, unit_price, unit_price_seen, line_total)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for line in &order.lines {
        insert.execute(params![
            order.order_request_id.to_string(),
            line.product_id.as_str(),
            line.product_name,
            line.quantity.to_string(),
            String::from(line.unit_price),
            line.unit_price_seen.map(String::from),
            String::from(line.line_total),
        ])?;
    }
    insert_order_pricing(transaction, order)
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
                .map_err(|_| ServerError::Corrupt(format!("stored change hash {hash:?} is not valid")))
        })
        .collect()
}

struct ProductColumns {
    id: String,
    name: String,
    brand: String,
    mrp: String,
    selling_price: String,
    pack_size: String,
    category: String,
    sub_category: String,
}

fn product_columns(row: &rusqlite::Row<'_>) -> rusqlite::Result<ProductColumns> {
    Ok(ProductColumns {
        id: row.get(0)?,
        name: row.get(1)?,
        brand: row.get(2)?,
        mrp: row.get(3)?,
        selling_price: row.get(4)?,
        pack_size: row.get(5)?,
        category: row.get(6)?,
        sub_category: row.get(7)?,
    })
}

impl ProductColumns {
    fn into_product(self) -> Result<Product> {
        let corrupt = |what: &str| ServerError::Corrupt(format!("catalog product {}: {what}", self.id));
        let pack_size: PackSize = serde_json::from_str(&self.pack_size).map_err(|_| corrupt("pack size"))?;
        Ok(Product {
            id: ProductId::new(self.id.clone())?,
            mrp: self.mrp.parse::<Money>().map_err(|_| corrupt("mrp"))?,
            selling_price: self
                .selling_price
                .parse::<Money>()
                .map_err(|_| corrupt("selling price"))?,
            name: self.name,
            brand: self.brand,
            pack_size,
            category: self.category,
            sub_category: self.sub_category,
        })
    }
}

struct RecordColumns {
    document_id: String,
    kind: String,
    owner_user: String,
    buyer_id: Option<String>,
    status: Option<String>,
    heads: String,
    subject_user: Option<String>,
}

fn record_columns(row: &rusqlite::Row<'_>) -> rusqlite::Result<RecordColumns> {
    Ok(RecordColumns {
        document_id: row.get(0)?,
        kind: row.get(1)?,
        owner_user: row.get(2)?,
        buyer_id: row.get(3)?,
        status: row.get(4)?,
        heads: row.get(5)?,
        subject_user: row.get(6)?,
    })
}

impl RecordColumns {
    fn into_record(self) -> Result<DocumentRecord> {
        let owner_user = UserId::new(self.owner_user)?;
        let access = match (self.kind.as_str(), self.buyer_id, self.subject_user) {
            ("cart", Some(buyer_id), _) => DocumentAccess::Cart {
                buyer_id: PartyId::new(buyer_id)?,
            },
            ("untyped", _, _) => DocumentAccess::Untyped {
                owner: owner_user.clone(),
            },
            ("visit_plan", _, Some(rep)) => DocumentAccess::VisitPlan { rep: UserId::new(rep)? },
            ("delivery_ack", Some(buyer_id), Some(driver)) => DocumentAccess::DeliveryAck {
                buyer_id: PartyId::new(buyer_id)?,
                driver: UserId::new(driver)?,
            },
            ("business_plan", Some(distributor), _) => DocumentAccess::BusinessPlan {
                distributor: PartyId::new(distributor)?,
            },
            (kind, _, _) => {
                return Err(ServerError::Corrupt(format!(
                    "document {} has kind {kind:?} without the fields it needs",
                    self.document_id
                )));
            }
        };
        Ok(DocumentRecord {
            document_id: self.document_id.parse()?,
            access,
            owner_user,
            status: self.status,
            heads: parse_heads(&self.heads)?,
        })
    }
}
