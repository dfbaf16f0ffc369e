//! The device client: what runs on a field phone under the apps.
//!
//! - [`store`]: the local SQLite store (documents as change logs, the catalog cache, sync
//!   bookkeeping). Every edit is committed there before the edit call returns.
//! - [`device`]: the [`Device`] a app holds: browse the catalog, edit carts offline, submit.
//! - [`field`], [`field_plans`], [`business_plans`]: field documents offline: delivery
//!   acknowledgements and check-ins, creating and editing visit plans, and business plans.
//! - [`pricing`]: cart figures from the server's pricing engine, or at selling price with the
//!   reason when the device lacks pricing data.
//! - [`sync`]: one sync round with the server over the automerge-repo WebSocket protocol, plus
//!   the catalog and document list over REST.
//! - [`sqlite`]: opening SQLite with the durability settings both device and server use.

pub mod blobs;
pub mod business_plans;
pub mod device;
pub mod error;
pub mod field;
pub mod field_plans;
pub mod pricing;
pub mod sqlite;
pub mod store;
pub mod sync;
#[cfg(test)]
mod sync_tests;

pub use business_plans::{ActionStatus, BusinessPlanSummary, GoalDraft};
pub use device::{
    CartSummary, CartTotals, Device, DeviceConfig, DeviceIdentity, PricedLine, RefusedDocument, SyncStatus,
};
pub use error::{DeviceError, Result};
pub use field_plans::{VisitDraft, VisitPlanSummary};
pub use pricing::{FreeGoodsLine, PricingMethod, SchemeShown, TaxSummary};
pub use sync::SyncReport;
