//! The [`Device`]: a field app's handle on its local store.
//!
//! Every edit runs on a copy of the cart document, is appended to SQLite as one change, and
//! only then replaces the in-memory cart. So when an edit call returns the change is on
//! disk, and when it fails nothing changed, in memory or on disk. Nothing here needs the
//! network; [`Device::sync_now`] is the only call that talks to the server.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use automerge::{Automerge, ChangeHash};
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, CartStatus, CartView, EditContext, PricesSeen};
use dms_domain::catalog::Product;
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, TenantId, Timestamp, UserId};
use dms_orders::BuyerOrderStatus;
use serde::Serialize;

use crate::error::{DeviceError, Result};
use crate::pricing::{CartQuote, buyer_selling_price, quote_cart};
pub use crate::pricing::{CartTotals, PricedLine};
use crate::store::DeviceStore;
use crate::sync::SyncReport;

/// Who this device acts as; it comes with the access token at login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceIdentity {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    /// The party a partner user buys for; `None` for the seller's staff.
    pub party_id: Option<PartyId>,
    /// A stable name for this device, recorded on submissions.
    pub device_id: String,
}

/// Connection settings of a device, from its login response.
///
/// When the server rejects the access token, a sync round trades `refresh_token` for a new
/// pair once, stores the pair in the device's store and retries. The stored pair is used
/// instead of these tokens until the device is opened with another access token.
#[derive(Clone, Debug)]
pub struct DeviceConfig {
    /// Base URL of the server, such as `http://127.0.0.1:8080`.
    pub server_url: String,
    pub access_token: String,
    /// The login's refresh token; without it an expired access token needs a new login.
    pub refresh_token: Option<String>,
    pub identity: DeviceIdentity,
}

/// The tokens a device currently uses.
#[derive(Clone)]
pub(crate) struct Tokens {
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CartSummary {
    pub cart_id: CartId,
    pub buyer_id: PartyId,
    pub status: CartStatus,
    pub line_count: u32,
    /// Whether this device holds edits the server has not confirmed.
    pub has_unsynced_edits: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    /// Documents with edits the server has not yet confirmed.
    pub pending_documents: u32,
    pub catalog_version: Option<i64>,
    pub catalog_products: i64,
    pub last_sync_at: Option<Timestamp>,
    pub last_sync_error: Option<String>,
    /// Documents the server refused, with its reasons; they wait for a local edit.
    pub refused_documents: Vec<RefusedDocument>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedDocument {
    pub document_id: String,
    pub reason: String,
}

/// A field device's local state. Cheap to clone; clones share the store.
#[derive(Clone)]
pub struct Device {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) config: DeviceConfig,
    /// The configured tokens, or the pair that last replaced them.
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) inner: Mutex<Inner>,
    /// Held for the whole of a sync round, so rounds on one device never overlap.
    pub(crate) sync_round: tokio::sync::Mutex<()>,
}

pub(crate) struct Inner {
    pub(crate) store: DeviceStore,
    pub(crate) documents: HashMap<DocumentId, Automerge>,
}

impl Device {
    /// Opens (or creates) the store at `path` and loads every document in it.
    pub fn open(path: &Path, config: DeviceConfig) -> Result<Device> {
        let store = DeviceStore::open(path)?;
        let tokens = match store.saved_tokens(&config.access_token)? {
            Some((access_token, refresh_token)) => Tokens {
                access_token,
                refresh_token: Some(refresh_token),
            },
            None => Tokens {
                access_token: config.access_token.clone(),
                refresh_token: config.refresh_token.clone(),
            },
        };
        let mut documents = HashMap::new();
        for document_id in store.document_ids()? {
            documents.insert(document_id, store.load_document(&document_id)?);
        }
        tracing::info!(
            device_id = %config.identity.device_id, documents = documents.len(), "opened device store"
        );
        Ok(Device {
            shared: Arc::new(Shared {
                config,
                tokens: Mutex::new(tokens),
                inner: Mutex::new(Inner { store, documents }),
                sync_round: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub fn identity(&self) -> &DeviceIdentity {
        &self.shared.config.identity
    }

    pub fn config(&self) -> &DeviceConfig {
        &self.shared.config
    }

    // ---- catalog ----

    pub fn search_catalog(&self, query: &str, limit: u32) -> Result<Vec<Product>> {
        self.shared.lock().store.search_products(query, limit)
    }

    pub fn product(&self, product_id: &ProductId) -> Result<Option<Product>> {
        self.shared.lock().store.product(product_id)
    }

    // ---- carts ----

    /// Creates an empty draft cart. A partner user's cart is always for its own party; staff
    /// (a sales rep) must name the buyer.
    pub fn create_cart(&self, buyer_id: Option<PartyId>) -> Result<CartId> {
        let identity = self.identity();
        let buyer_id = match (&identity.party_id, buyer_id) {
            (Some(own), None) => own.clone(),
            (Some(own), Some(requested)) if &requested == own => requested,
            (Some(own), Some(requested)) => {
                return Err(DeviceError::InvalidInput(format!(
                    "user {} buys for {own} and cannot create a cart for {requested}",
                    identity.user_id
                )));
            }
            (None, Some(requested)) => requested,
            (None, None) => {
                return Err(DeviceError::InvalidInput(
                    "a staff user must name the buyer of a new cart".to_owned(),
                ));
            }
        };

        let cart_id = CartId::generate();
        let header = CartHeader {
            cart_id,
            tenant_id: identity.tenant_id.clone(),
            buyer_id,
            created_by: identity.user_id.clone(),
            created_at: Timestamp::now(),
        };
        let mut doc = Automerge::new();
        cart::create_cart(&mut doc, &header)?;

        let mut inner = self.shared.lock();
        inner.commit_edit(DocumentId::for_cart(cart_id), doc, &[])?;
        tracing::debug!(cart_id = %cart_id, "created cart");
        Ok(cart_id)
    }

    pub fn carts(&self) -> Result<Vec<CartSummary>> {
        let inner = self.shared.lock();
        let mut summaries = Vec::new();
        for (document_id, doc) in &inner.documents {
            let Ok(view) = CartView::read(doc) else { continue };
            summaries.push(CartSummary {
                cart_id: view.header.cart_id,
                buyer_id: view.header.buyer_id,
                status: view.status,
                line_count: view.lines.len() as u32,
                has_unsynced_edits: inner.store.acked_heads(document_id)? != doc.get_heads(),
            });
        }
        summaries.sort_by_key(|summary| summary.cart_id);
        Ok(summaries)
    }

    pub fn cart(&self, cart_id: CartId) -> Result<CartView> {
        let inner = self.shared.lock();
        Ok(CartView::read(inner.document(cart_id)?)?)
    }

    /// Returns the price per base unit the cart's buyer pays for `product`, recorded on the
    /// line as the price this device showed.
    fn price_seen(&self, store: &DeviceStore, buyer: &PartyId, product: &Product) -> Result<Money> {
        // A buyer's own catalog is already at its prices; only staff terms carry price lists.
        if self.identity().party_id.is_some() {
            return Ok(product.selling_price);
        }
        buyer_selling_price(store, buyer, product)
    }

    /// Sets a product's quantity on a cart, adding the line if needed.
    pub fn set_line(&self, cart_id: CartId, product_id: &ProductId, quantity: Quantity) -> Result<()> {
        let mut inner = self.shared.lock();
        let product = inner.known_product(product_id)?;
        let buyer = CartView::read(inner.document(cart_id)?)?.header.buyer_id;
        let price = self.price_seen(&inner.store, &buyer, &product)?;
        let context = self.edit_context();
        inner.edit(cart_id, |doc| {
            cart::set_line(doc, product_id, quantity, Some(price), &context)
        })
    }

    /// Adds `quantity` to a product's line (or starts the line) and returns the new quantity.
    /// Concurrent adds on two devices are not summed: the merged line keeps one device's
    /// result, as for any concurrent set.
    pub fn add_to_line(&self, cart_id: CartId, product_id: &ProductId, quantity: Quantity) -> Result<Quantity> {
        let mut inner = self.shared.lock();
        let product = inner.known_product(product_id)?;
        let view = CartView::read(inner.document(cart_id)?)?;
        let current = view
            .lines
            .get(product_id)
            .map(|line| line.quantity.value())
            .unwrap_or_default();
        let total = Quantity::new(current + quantity.value())?;
        let price = self.price_seen(&inner.store, &view.header.buyer_id, &product)?;
        let context = self.edit_context();
        inner.edit(cart_id, |doc| {
            cart::set_line(doc, product_id, total, Some(price), &context)
        })?;
        Ok(total)
    }

    pub fn remove_line(&self, cart_id: CartId, product_id: &ProductId) -> Result<()> {
        let mut inner = self.shared.lock();
        let context = self.edit_context();
        inner.edit(cart_id, |doc| cart::remove_line(doc, product_id, &context))
    }

    /// Marks the cart submitted and records the total and the schemes this device shows for
    /// it at the submission time. The order request is made when the server receives this.
    pub fn submit(&self, cart_id: CartId) -> Result<()> {
        let mut inner = self.shared.lock();
        let context = self.edit_context();
        let view = CartView::read(inner.document(cart_id)?)?;
        let totals = quote_cart(&inner.store, &view, context.at)?.totals;
        let seen = PricesSeen {
            total: totals.total,
            scheme_ids: totals.scheme_ids,
        };
        inner.edit(cart_id, |doc| cart::submit_priced(doc, &context, &seen))?;
        tracing::info!(cart_id = %cart_id, "submitted cart");
        Ok(())
    }

    /// Prices the cart's lines with the pricing engine when this device has pricing data for
    /// every product, else at selling price (see [`crate::pricing`]).
    pub fn cart_lines(&self, cart_id: CartId) -> Result<Vec<PricedLine>> {
        Ok(self.quote(cart_id)?.lines)
    }

    /// Prices the cart's totals like [`Device::cart_lines`], with the method used and the reason.
    pub fn cart_totals(&self, cart_id: CartId) -> Result<CartTotals> {
        Ok(self.quote(cart_id)?.totals)
    }

    /// Prices a draft as of now, and a submitted cart as of its submission, as the server does.
    fn quote(&self, cart_id: CartId) -> Result<CartQuote> {
        let inner = self.shared.lock();
        let view = CartView::read(inner.document(cart_id)?)?;
        let at = view
            .submission
            .as_ref()
            .map(|submission| submission.submitted_at)
            .unwrap_or_else(Timestamp::now);
        quote_cart(&inner.store, &view, at)
    }

    // ---- sync bookkeeping ----

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let inner = self.shared.lock();
        let mut pending = 0;
        for (document_id, doc) in &inner.documents {
            if inner.store.acked_heads(document_id)? != doc.get_heads() {
                pending += 1;
            }
        }
        Ok(SyncStatus {
            pending_documents: pending,
            catalog_version: inner.store.catalog_version()?,
            catalog_products: inner.store.product_count()?,
            last_sync_at: inner
                .store
                .meta("last_sync_at")?
                .map(|text| {
                    text.parse()
                        .map_err(|_| DeviceError::Corrupt(format!("stored last sync time {text:?}")))
                })
                .transpose()?,
            last_sync_error: inner.store.meta("last_sync_error")?.filter(|text| !text.is_empty()),
            refused_documents: inner
                .store
                .refused_documents()?
                .into_iter()
                .map(|(document_id, reason)| RefusedDocument {
                    document_id: document_id.to_string(),
                    reason,
                })
                .collect(),
        })
    }

    /// Current heads of a document on this device, empty if it is not here.
    pub fn document_heads(&self, document_id: &DocumentId) -> Vec<ChangeHash> {
        let inner = self.shared.lock();
        inner
            .documents
            .get(document_id)
            .map(Automerge::get_heads)
            .unwrap_or_default()
    }

    /// Returns the buyer's orders as of the last sync round: sales order decisions, shipments
    /// with transport details and status history, invoices, credit notes, payments and the
    /// outstanding amount. Works offline. `None` before the first round and on staff devices.
    pub fn orders(&self) -> Result<Option<BuyerOrderStatus>> {
        self.shared.lock().store.order_status()
    }

    /// One sync round with the server: catalog, document list, then documents over the
    /// WebSocket until both sides agree or the round times out.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        crate::sync::sync_now(self).await
    }

    fn edit_context(&self) -> EditContext {
        EditContext {
            user_id: self.identity().user_id.clone(),
            device_id: self.identity().device_id.clone(),
            at: Timestamp::now(),
        }
    }
}

impl Shared {
    pub(crate) fn tokens(&self) -> Tokens {
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn set_tokens(&self, tokens: Tokens) {
        *self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = tokens;
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // The documents map only changes after a successful SQLite commit, so a panic while
        // the lock was held cannot have left it ahead of the disk.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    pub(crate) fn document(&self, cart_id: CartId) -> Result<&Automerge> {
        self.documents
            .get(&DocumentId::for_cart(cart_id))
            .ok_or_else(|| DeviceError::CartNotFound(cart_id.to_string()))
    }

    fn known_product(&self, product_id: &ProductId) -> Result<Product> {
        self.store
            .product(product_id)?
            .ok_or_else(|| DeviceError::UnknownProduct(product_id.to_string()))
    }

    /// Applies `edit` to a copy of the cart, stores the new change, then keeps the copy.
    fn edit(&mut self, cart_id: CartId, edit: impl FnOnce(&mut Automerge) -> dms_documents::Result<()>) -> Result<()> {
        let document_id = DocumentId::for_cart(cart_id);
        let mut doc = self.document(cart_id)?.clone();
        let before = doc.get_heads();
        edit(&mut doc)?;
        self.commit_edit(document_id, doc, &before)
    }

    /// Stores the changes `doc` has beyond `before` and makes `doc` the live copy.
    pub(crate) fn commit_edit(&mut self, document_id: DocumentId, doc: Automerge, before: &[ChangeHash]) -> Result<()> {
        let changes = doc.get_changes(before);
        self.store.append_changes(&document_id, changes)?;
        self.documents.insert(document_id, doc);
        Ok(())
    }
}
