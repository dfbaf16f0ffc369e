//! Pricing, trade schemes and GST for the distributor management system. The same code runs
//! on field devices, offline, and on the server, which re-prices every order authoritatively.
//! Both must reach the same figures, so the engine is pure (no clock, no I/O, no hash-order
//! iteration) and uses `rust_decimal` for every amount and quantity.
//!
//! Entry point: [`price_order`] takes an [`Order`] and a [`PricingContext`] (catalog, schemes,
//! GST rates, place-of-supply basis) and returns a [`PricedOrder`]. The scheme rules (priority,
//! stacking, conflicts, free goods) are described in `select.rs`, `applicability.rs` and
//! `free_goods.rs`; GST rounding step by step in [`gst::rounding`]. The only input parsing is
//! [`gst::load_cbic_goods_rates`], which reads the CBIC goods rate schedule from any `Read`.
//!
//! Serialized decimals are JSON strings ("82.50"), as the workspace enables `rust_decimal`'s
//! `serde-str` feature; dates are "YYYY-MM-DD".

mod applicability;
mod catalog;
mod dates;
mod discount;
mod engine;
mod error;
mod free_goods;
pub mod gst;
mod offline;
mod order;
mod order_discount;
mod priced;
mod scheme;
mod select;
mod simulation;
mod units;

pub use catalog::{Catalog, MAX_AMOUNT, Product};
pub use engine::{MAX_ORDER_AMOUNT, PricingContext, price_order};
pub use error::{PricingError, Result};
pub use offline::{DEFAULT_BASE_UNIT, DatedGstRate, ListRate, PricingTerms, ProductPricing};
pub use order::{Order, OrderLine, OrderParties};
pub use priced::{AppliedScheme, FreeLine, PricedLine, PricedOrder, SchemeEffect, SetAsideScheme};
pub use scheme::{
    Benefit, FreeGoods, FreeGoodsSlab, OrderBenefit, Scheme, SchemeBook, SchemeId, SchemeKind, Slab, StackingPolicy,
    Targeting, Trigger,
};
pub use simulation::{Simulation, SimulationInput, simulate};
pub use units::{MAX_BASE_UNITS_PER_UNIT, ProductUnits, UnitConversion};
