//! The device client: what runs on a field phone under the apps.
//!
//! - [`store`]: the local SQLite store (documents as change logs, the catalog cache, sync
//!   bookkeeping). Every edit is committed there before the edit call returns.
//! - [`device`]: the [`Device`] a app holds: browse the catalog, edit carts offline, submit.
//! - [`pricing`]: cart figures from the server's pricing engine, or at selling price with the
//!   reason when the device lacks pricing data.
//! - [`sync`]: one sync round with the server over the automerge-repo WebSocket protocol, plus
//!   the catalog and document list over REST.
//! - [`sqlite`]: opening SQLite with the durability settings both device and server use.

pub mod blobs;
pub mod device;
pub mod error;
pub mod field;
pub mod pricing;
pub mod sqlite;
pub mod store;
pub mod sync;

pub use device::{
    CartSummary, CartTotals, Device, DeviceConfig, DeviceIdentity, PricedLine, RefusedDocument, SyncStatus,
};
pub use error::{DeviceError, Result};
pub use pricing::{FreeGoodsLine, PricingMethod, SchemeShown, TaxSummary};
pub use sync::SyncReport;
