//! The sync server: automerge-repo WebSocket sync, one SQLite database per tenant, and the
//! REST API. `dms-server` (in `main.rs`) is a thin command line over this library.

pub mod access;
pub mod admin;
pub mod app;
pub mod auth;
pub mod demo;
pub mod error;
pub mod orders;
pub mod password;
pub mod pricing;
pub mod registry;
pub mod reports;
pub mod rest;
pub mod routes;
pub mod sync;
pub mod tenant;
pub mod throttle;

pub use app::{AppState, router, serve};
pub use error::{Result, ServerError};
