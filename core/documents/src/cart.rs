//! The cart document: one automerge document per cart, edited offline on any number of
//! devices and merged without loss.
//!
//! # Layout
//! ```text
//! { schema: "dms.cart/1",
//!   header: { cart_id, tenant_id, buyer_id, created_by, created_at },
//!   status: "draft" | "submitted",
//!   submission?: { submitted_by, submitted_at, device_id,
//!                   total_seen?: "715.00", schemes_seen?: ["PCT10", …] },
//!   lines: { <product id>: { quantity: "2.5", unit_price_seen?: "52.00", updated_by, updated_at } } }
//! ```
//! Quantities and prices are decimal text, never automerge floats, so every replica reads the
//! same exact value. Timestamps are RFC 3339 text with their offset. `total_seen` and
//! `schemes_seen` record the grand total and the applied scheme ids the submitting device
//! showed. Carts submitted by older devices lack them and stay readable.
//!
//! # Merge rules for concurrent offline edits
//! 1. **Lines are keyed by product.** Two devices adding different products touch different
//!    keys, so both lines survive.
//! 2. **Setting a quantity replaces the whole line object.** When two devices set the same
//!    product concurrently, automerge keeps both values as a conflict and every replica shows
//!    the same winner: the operation with the greater Lamport counter, ties broken by the
//!    greater actor id. The losing quantity stays readable as
//!    [`CartLine::conflicting_quantities`] so an app can show it. We chose a
//!    last-writer-wins quantity over a counter because people type the quantity they want
//!    ("make it 10"); summing two such entries would order goods nobody asked for.
//! 3. **A change beats a concurrent removal.** A removal deletes only the line object the
//!    removing device had seen; a concurrent set writes a new object, which survives. Ordering
//!    a line someone is actively changing is safer than silently dropping it, and the buyer
//!    reviews the cart before submitting. A removal that happens after the device has seen
//!    the latest set removes the line.
//! 4. **Submission freezes the cart on the device that sees it.** `status` goes from `draft` to
//!    `submitted` once and never back; edit functions refuse a submitted cart. An edit made
//!    offline before a device learnt of the submission still merges into the document, but
//!    the server's order request keeps the lines as they were when it first saw the
//!    submission (see the server's reconciliation).
//! 5. **The header is written once**, by the device that creates the cart. Other devices get
//!    the cart by syncing it, never by creating it again, so there is no competing header.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, TenantId, Timestamp, UserId};
use serde::Serialize;

use crate::SCHEMA_KEY;
use crate::error::{DocumentError, Result};
use crate::fields::{Reader, commit};

/// Schema name written at the root of every cart document.
pub const CART_SCHEMA: &str = "dms.cart/1";

/// Fields written once when the cart is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CartHeader {
    pub cart_id: CartId,
    pub tenant_id: TenantId,
    /// The party (partner or distributor) buying.
    pub buyer_id: PartyId,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CartStatus {
    Draft,
    Submitted,
}

impl CartStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CartStatus::Draft => "draft",
            CartStatus::Submitted => "submitted",
        }
    }
}

/// The record of a submission: the user, the time, the device and what it showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub submitted_by: UserId,
    pub submitted_at: Timestamp,
    pub device_id: String,
    /// Grand total the submitting device showed, in rupees; `None` from older devices.
    pub total_seen: Option<Money>,
    /// Ids of the schemes the submitting device showed as applied; `None` from older devices.
    pub schemes_seen: Option<Vec<String>>,
}

/// The figures the submitting device showed for the cart, recorded with the submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricesSeen {
    pub total: Money,
    pub scheme_ids: Vec<String>,
}

/// One product line as merged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CartLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
    /// Price per pack the device showed when the line was last set, if it had a catalog.
    pub unit_price_seen: Option<Money>,
    pub updated_by: UserId,
    pub updated_at: Timestamp,
    /// Quantities set concurrently that lost to `quantity` under the merge rules.
    pub conflicting_quantities: Vec<Quantity>,
}

/// A validated reading of a cart document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CartView {
    pub header: CartHeader,
    pub status: CartStatus,
    pub submission: Option<Submission>,
    pub lines: BTreeMap<ProductId, CartLine>,
}

/// The kind a document declares in its root `schema` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Cart,
    /// A schema this version does not know.
    Other(String),
    /// No schema field: an empty document, or one made by a generic automerge-repo client.
    Untyped,
}

/// Reads the root `schema` field.
pub fn document_kind(doc: &Automerge) -> Result<DocumentKind> {
    match doc.get(ROOT, SCHEMA_KEY)? {
        None => Ok(DocumentKind::Untyped),
        Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
            ScalarValue::Str(schema) if schema.as_str() == CART_SCHEMA => Ok(DocumentKind::Cart),
            ScalarValue::Str(schema) => Ok(DocumentKind::Other(schema.to_string())),
            _ => Err(invalid("root field schema must be text")),
        },
        Some((Value::Object(_), _)) => Err(invalid("root field schema must be text")),
    }
}

impl CartView {
    /// Reads and validates a cart document. Any malformed field is an error naming it.
    pub fn read(doc: &Automerge) -> Result<CartView> {
        if document_kind(doc)? != DocumentKind::Cart {
            return Err(invalid("root field schema is not dms.cart/1"));
        }

        let header_obj = object(doc, &ROOT, "header")?;
        let header = CartHeader {
            cart_id: required_text(doc, &header_obj, "header.cart_id")?.parse()?,
            tenant_id: TenantId::new(required_text(doc, &header_obj, "header.tenant_id")?)?,
            buyer_id: PartyId::new(required_text(doc, &header_obj, "header.buyer_id")?)?,
            created_by: UserId::new(required_text(doc, &header_obj, "header.created_by")?)?,
            created_at: required_text(doc, &header_obj, "header.created_at")?.parse()?,
        };

        let status = match required_text(doc, &ROOT, "status")?.as_str() {
            "draft" => CartStatus::Draft,
            "submitted" => CartStatus::Submitted,
            other => return Err(invalid(&format!("status {other:?} is neither draft nor submitted"))),
        };

        let submission = match doc.get(ROOT, "submission")? {
            None => None,
            Some((Value::Object(ObjType::Map), submission_obj)) => Some(read_submission(doc, &submission_obj)?),
            Some(_) => return Err(invalid("submission must be a map")),
        };
        if status == CartStatus::Submitted && submission.is_none() {
            return Err(invalid("a submitted cart must record its submission"));
        }

        let lines_obj = object(doc, &ROOT, "lines")?;
        let mut lines = BTreeMap::new();
        for key in doc.keys(&lines_obj) {
            let product_id = ProductId::new(key.clone())?;
            let line = read_line(doc, &lines_obj, product_id)?;
            lines.insert(line.product_id.clone(), line);
        }

        Ok(CartView {
            header,
            status,
            submission,
            lines,
        })
    }

    /// What the device showed: the grand total recorded with the submission, else (for carts
    /// submitted by older devices, and drafts) the sum of quantity times price seen over lines
    /// with a price. The server prices authoritatively.
    pub fn total_seen(&self) -> Money {
        if let Some(total) = self.submission.as_ref().and_then(|submission| submission.total_seen) {
            return total;
        }
        self.lines
            .values()
            .filter_map(|line| line.unit_price_seen.map(|price| price * line.quantity))
            .sum()
    }
}

fn read_submission(doc: &Automerge, submission_obj: &ObjId) -> Result<Submission> {
    let total_seen = match optional_text(doc, submission_obj, "submission.total_seen")? {
        Some(text) => Some(Money::parse_price(&text)?),
        None => None,
    };
    let reader = Reader::new(doc, "cart");
    let schemes_seen = match reader.optional_list(submission_obj, "schemes_seen", "submission.schemes_seen")? {
        Some(_) => Some(reader.text_list(submission_obj, "schemes_seen", "submission.schemes_seen")?),
        None => None,
    };
    Ok(Submission {
        submitted_by: UserId::new(required_text(doc, submission_obj, "submission.submitted_by")?)?,
        submitted_at: required_text(doc, submission_obj, "submission.submitted_at")?.parse()?,
        device_id: required_text(doc, submission_obj, "submission.device_id")?,
        total_seen,
        schemes_seen,
    })
}

fn read_line(doc: &Automerge, lines_obj: &ObjId, product_id: ProductId) -> Result<CartLine> {
    let field = |name: &str| format!("lines.{product_id}.{name}");

    // All concurrent line objects: `get` returns automerge's deterministic winner, `get_all`
    // also returns the values that lost.
    let candidates = doc.get_all(lines_obj, product_id.as_str())?;
    let (winner_value, winner_obj) = doc
        .get(lines_obj, product_id.as_str())?
        .ok_or_else(|| invalid(&format!("line {product_id} disappeared while reading")))?;
    if !matches!(winner_value, Value::Object(ObjType::Map)) {
        return Err(invalid(&format!("line {product_id} must be a map")));
    }

    let mut conflicting_quantities = Vec::new();
    for (value, obj) in candidates {
        if obj == winner_obj {
            continue;
        }
        if !matches!(value, Value::Object(ObjType::Map)) {
            return Err(invalid(&format!("line {product_id} must be a map")));
        }
        conflicting_quantities.push(required_text(doc, &obj, &field("quantity"))?.parse()?);
    }

    let unit_price_seen = match optional_text(doc, &winner_obj, &field("unit_price_seen"))? {
        Some(text) => Some(Money::parse_price(&text)?),
        None => None,
    };

    Ok(CartLine {
        quantity: required_text(doc, &winner_obj, &field("quantity"))?.parse()?,
        unit_price_seen,
        updated_by: UserId::new(required_text(doc, &winner_obj, &field("updated_by"))?)?,
        updated_at: required_text(doc, &winner_obj, &field("updated_at"))?.parse()?,
        conflicting_quantities,
        product_id,
    })
}

/// The user, device and time of an edit, recorded on the line or submission it touches.
#[derive(Clone, Debug)]
pub struct EditContext {
    pub user_id: UserId,
    pub device_id: String,
    pub at: Timestamp,
}

/// Writes a new cart's schema, header, status and empty lines as one change.
pub fn create_cart(doc: &mut Automerge, header: &CartHeader) -> Result<()> {
    if !doc.get_heads().is_empty() {
        return Err(invalid("a cart can only be created in an empty document"));
    }
    commit(doc, &header.created_at, "create cart", |tx| {
        tx.put(ROOT, SCHEMA_KEY, CART_SCHEMA)?;
        let header_obj = tx.put_object(ROOT, "header", ObjType::Map)?;
        tx.put(&header_obj, "cart_id", header.cart_id.to_string())?;
        tx.put(&header_obj, "tenant_id", header.tenant_id.as_str())?;
        tx.put(&header_obj, "buyer_id", header.buyer_id.as_str())?;
        tx.put(&header_obj, "created_by", header.created_by.as_str())?;
        tx.put(&header_obj, "created_at", header.created_at.to_string())?;
        tx.put(ROOT, "status", CartStatus::Draft.as_str())?;
        tx.put_object(ROOT, "lines", ObjType::Map)?;
        Ok(())
    })
}

/// Sets a product's quantity, adding the line if it is new. One change.
pub fn set_line(
    doc: &mut Automerge,
    product_id: &ProductId,
    quantity: Quantity,
    unit_price_seen: Option<Money>,
    context: &EditContext,
) -> Result<()> {
    editable(doc)?;
    let lines_obj = object(doc, &ROOT, "lines")?;

    commit(doc, &context.at, "set line", |tx| {
        let line_obj = tx.put_object(&lines_obj, product_id.as_str(), ObjType::Map)?;
        tx.put(&line_obj, "quantity", quantity.to_string())?;
        if let Some(price) = unit_price_seen {
            tx.put(&line_obj, "unit_price_seen", price.to_string())?;
        }
        tx.put(&line_obj, "updated_by", context.user_id.as_str())?;
        tx.put(&line_obj, "updated_at", context.at.to_string())?;
        Ok(())
    })
}

/// Removes a product's line. One change; an error if the cart has no such line.
pub fn remove_line(doc: &mut Automerge, product_id: &ProductId, context: &EditContext) -> Result<()> {
    let view = editable(doc)?;
    if !view.lines.contains_key(product_id) {
        return Err(DocumentError::LineNotFound {
            cart_id: view.header.cart_id.to_string(),
            product_id: product_id.to_string(),
        });
    }
    let lines_obj = object(doc, &ROOT, "lines")?;

    commit(doc, &context.at, "remove line", |tx| {
        tx.delete(&lines_obj, product_id.as_str())?;
        Ok(())
    })
}

/// Marks the cart submitted and records who submitted it. One change; an empty cart is refused.
pub fn submit(doc: &mut Automerge, context: &EditContext) -> Result<()> {
    submit_with(doc, context, None)
}

/// Marks the cart submitted like [`submit`] and records what the device showed. One change.
pub fn submit_priced(doc: &mut Automerge, context: &EditContext, seen: &PricesSeen) -> Result<()> {
    submit_with(doc, context, Some(seen))
}

fn submit_with(doc: &mut Automerge, context: &EditContext, seen: Option<&PricesSeen>) -> Result<()> {
    let view = editable(doc)?;
    if view.lines.is_empty() {
        return Err(DocumentError::EmptyCart {
            cart_id: view.header.cart_id.to_string(),
        });
    }

    commit(doc, &context.at, "submit cart", |tx| {
        let submission_obj = tx.put_object(ROOT, "submission", ObjType::Map)?;
        tx.put(&submission_obj, "submitted_by", context.user_id.as_str())?;
        tx.put(&submission_obj, "submitted_at", context.at.to_string())?;
        tx.put(&submission_obj, "device_id", context.device_id.as_str())?;
        if let Some(seen) = seen {
            tx.put(&submission_obj, "total_seen", seen.total.to_string())?;
            let schemes_obj = tx.put_object(&submission_obj, "schemes_seen", ObjType::List)?;
            for (index, scheme_id) in seen.scheme_ids.iter().enumerate() {
                tx.insert(&schemes_obj, index, scheme_id.as_str())?;
            }
        }
        tx.put(ROOT, "status", CartStatus::Submitted.as_str())?;
        Ok(())
    })
}

/// Reads the cart and refuses edits once it is submitted.
fn editable(doc: &Automerge) -> Result<CartView> {
    let view = CartView::read(doc)?;
    if view.status == CartStatus::Submitted {
        return Err(DocumentError::CartSubmitted {
            cart_id: view.header.cart_id.to_string(),
        });
    }
    Ok(view)
}

fn invalid(reason: &str) -> DocumentError {
    DocumentError::Invalid {
        kind: "cart",
        reason: reason.to_owned(),
    }
}

fn object(doc: &Automerge, parent: &ObjId, name: &str) -> Result<ObjId> {
    Reader::new(doc, "cart").object(parent, name, name)
}

fn optional_text(doc: &Automerge, obj: &ObjId, path: &str) -> Result<Option<String>> {
    let name = path.rsplit('.').next().unwrap_or(path);
    Reader::new(doc, "cart").optional_text(obj, name, path)
}

fn required_text(doc: &Automerge, obj: &ObjId, path: &str) -> Result<String> {
    optional_text(doc, obj, path)?.ok_or_else(|| invalid(&format!("missing field {path}")))
}
