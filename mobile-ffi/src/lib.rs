//! uniffi bindings over the device client (`dms-device`) for Kotlin, Swift and Python.
//!
//! This crate only maps: strings to domain types on the way in, records and one error
//! enum on the way out. All behaviour lives in `dms-device`.
//!
//! - [`client`]: [`DeviceClient`], the exported object; an app opens one per logged-in user.
//! - [`records`]: the records and enums that cross the boundary. Amounts and quantities are
//!   decimal strings, never floats.
//! - [`field`]: the driver's and rep's calls: delivery acknowledgements and visit check-ins.
//! - [`field_plans`], [`business_plans`]: creating and editing visit plans and business plans,
//!   with their records and enums in [`plan_records`].
//! - [`error`]: [`DeviceClientError`] and the one mapping from the device client's errors.
//! - [`runtime`]: the tokio runtime the library owns for sync rounds.
//!
//! Bindings are generated from the compiled library by `scripts/generate-bindings.sh`.

pub mod business_plans;
pub mod client;
pub mod error;
pub mod field;
pub mod field_plans;
pub mod plan_records;
pub mod records;
mod runtime;

pub use client::DeviceClient;
pub use error::DeviceClientError;
pub use records::{
    CartLineRecord, CartStatus, CartSummaryRecord, CartTotalsRecord, DeviceSettings, ProductRecord, SyncReportRecord,
    SyncStatusRecord,
};

uniffi::setup_scaffolding!();
