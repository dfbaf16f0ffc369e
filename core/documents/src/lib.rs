//! Collaborative documents and the sync wire protocol, without I/O.
//!
//! - [`document_id`]: automerge-repo document ids (base58check of 16 bytes), derived from ULIDs.
//! - [`wire`]: the automerge-repo WebSocket protocol, version 1, as typed messages with a
//!   strict CBOR decoder.
//! - [`cart`]: the cart document schema, its validation and its edits, with the merge rules
//!   for concurrent offline edits written at the top of the module.
//!
//! The device client and the sync server both build on these; neither reimplements them.

pub mod business_plan;
pub mod cart;
pub mod cart_order;
pub mod delivery_ack;
pub mod document_id;
pub mod error;
mod fields;
pub mod visit_plan;
pub mod wire;

pub use document_id::DocumentId;
pub use error::{DocumentError, Result};

/// Root key naming a document's schema, such as `dms.cart/1`.
pub const SCHEMA_KEY: &str = "schema";
