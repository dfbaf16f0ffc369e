//! [`DeviceClient`]: the exported handle on a device's local store.
//!
//! Each method parses its string arguments into domain types, calls one method of
//! [`dms_device::Device`], and converts the result into a record. Parsing errors and device
//! errors both become [`DeviceClientError`].
//!
//! Threading: every method except [`DeviceClient::sync_now`] runs on the caller's thread and
//! reads or writes SQLite before it returns, committing each edit with a full fsync. Those
//! calls are short, but apps should still make them off the UI thread. `sync_now` is async:
//! it runs the sync round on the library's own tokio runtime and awaits the result, so it
//! becomes a `suspend fun` in Kotlin, an `async` function in Swift and a coroutine in Python.

use std::path::Path;
use std::sync::Arc;

use dms_device::Device;
use dms_domain::{CartId, PartyId, ProductId, Quantity};

use crate::error::{DeviceClientError, internal};
use crate::records::{
    CartLineRecord, CartSummaryRecord, CartTotalsRecord, DeviceSettings, ProductRecord, SyncReportRecord,
    SyncStatusRecord,
};
use crate::runtime::runtime;

type Result<T, E = DeviceClientError> = std::result::Result<T, E>;

/// A field device's local store and its connection settings. Edits work offline and are
/// on disk when the call returns; `sync_now` exchanges them with the server.
#[derive(uniffi::Object)]
pub struct DeviceClient {
    pub(crate) device: Device,
}

#[uniffi::export]
impl DeviceClient {
    /// Opens the store at `path`, creating the file and its folder if needed, and loads
    /// every cart in it.
    #[uniffi::constructor]
    pub fn open(path: String, config: DeviceSettings) -> Result<Arc<Self>> {
        let config = config.into_config()?;
        let device = Device::open(Path::new(&path), config)?;
        Ok(Arc::new(Self { device }))
    }

    /// Searches the cached catalog by name, brand and category, returning at most `limit`
    /// products.
    pub fn search_catalog(&self, query: String, limit: u32) -> Result<Vec<ProductRecord>> {
        let products = self.device.search_catalog(&query, limit)?;
        Ok(products.into_iter().map(ProductRecord::from).collect())
    }

    /// Looks a product up in the cached catalog; `None` if the catalog lacks it.
    pub fn product(&self, product_id: String) -> Result<Option<ProductRecord>> {
        let product_id = parse_product_id(&product_id)?;
        Ok(self.device.product(&product_id)?.map(ProductRecord::from))
    }

    /// Creates an empty draft cart and returns its id. A partner user passes `None` (or
    /// its own party); a staff user must name the buyer.
    pub fn create_cart(&self, buyer_id: Option<String>) -> Result<String> {
        let buyer_id = buyer_id.map(PartyId::new).transpose()?;
        Ok(self.device.create_cart(buyer_id)?.to_string())
    }

    /// Lists the carts on this device, ordered by id (which is creation order).
    pub fn carts(&self) -> Result<Vec<CartSummaryRecord>> {
        let carts = self.device.carts()?;
        Ok(carts.into_iter().map(CartSummaryRecord::from).collect())
    }

    /// Adds `quantity` packs to a product's line, starting the line if needed, and returns
    /// the line's new quantity. Two devices adding to the same line offline do not sum: the
    /// merged line keeps one device's result.
    pub fn add_line(&self, cart_id: String, product_id: String, quantity: String) -> Result<String> {
        let cart_id = parse_cart_id(&cart_id)?;
        let product_id = parse_product_id(&product_id)?;
        let quantity = parse_quantity(&quantity)?;
        Ok(self.device.add_to_line(cart_id, &product_id, quantity)?.to_string())
    }

    /// Sets a product's quantity on a cart, adding the line if needed.
    pub fn set_line(&self, cart_id: String, product_id: String, quantity: String) -> Result<()> {
        let cart_id = parse_cart_id(&cart_id)?;
        let product_id = parse_product_id(&product_id)?;
        let quantity = parse_quantity(&quantity)?;
        Ok(self.device.set_line(cart_id, &product_id, quantity)?)
    }

    /// Removes a product's line from a cart.
    pub fn remove_line(&self, cart_id: String, product_id: String) -> Result<()> {
        let cart_id = parse_cart_id(&cart_id)?;
        let product_id = parse_product_id(&product_id)?;
        Ok(self.device.remove_line(cart_id, &product_id)?)
    }

    /// Returns a cart's lines ordered by product id, priced with the server's pricing engine
    /// when the device has pricing data for every product, else at selling price.
    pub fn cart_lines(&self, cart_id: String) -> Result<Vec<CartLineRecord>> {
        let lines = self.device.cart_lines(parse_cart_id(&cart_id)?)?;
        Ok(lines.into_iter().map(CartLineRecord::from).collect())
    }

    /// Returns a cart's totals: with the engine, schemes, free goods, GST and round-off; else
    /// selling price times quantity, with `fallback_reason` saying why.
    pub fn cart_totals(&self, cart_id: String) -> Result<CartTotalsRecord> {
        Ok(self.device.cart_totals(parse_cart_id(&cart_id)?)?.into())
    }

    /// Marks a cart submitted. The server makes the order request when a sync brings it the
    /// submission; after this call the cart can no longer be edited.
    pub fn submit(&self, cart_id: String) -> Result<()> {
        Ok(self.device.submit(parse_cart_id(&cart_id)?)?)
    }

    /// Returns the sync bookkeeping: documents not yet confirmed by the server, the catalog
    /// version and the outcome of the last round.
    pub fn sync_status(&self) -> Result<SyncStatusRecord> {
        Ok(self.device.sync_status()?.into())
    }

    /// Runs one sync round with the server: catalog, then every cart, until both sides agree
    /// or the round times out after 60 seconds (`dms_device::sync::SYNC_TIMEOUT`).
    ///
    /// The round runs on the library's runtime. If the caller cancels the call (a cancelled
    /// coroutine or Swift task), the round still finishes in the background. Calls are not
    /// serialized, so a second call while a round runs starts a second round.
    pub async fn sync_now(&self) -> Result<SyncReportRecord> {
        let device = self.device.clone();
        let task = runtime()?.spawn(async move { device.sync_now().await });
        match task.await {
            Ok(outcome) => Ok(outcome?.into()),
            Err(error) => Err(internal(format!("the sync task failed: {error}"))),
        }
    }
}

fn parse_cart_id(text: &str) -> Result<CartId> {
    Ok(text.parse()?)
}

fn parse_product_id(text: &str) -> Result<ProductId> {
    Ok(ProductId::new(text)?)
}

fn parse_quantity(text: &str) -> Result<Quantity> {
    Ok(text.parse()?)
}
