//! REST handlers under `/api/v1`. Each authenticates, resolves its acting context
//! ([`crate::auth::Acting`]), asks [`crate::access::authorize`], and runs its blocking work
//! off the async threads. The routes themselves are listed once, in [`crate::routes`].
//!
//! Handlers read bodies and query strings with [`ApiJson`] and [`ApiQuery`], never with
//! axum's `Json` and `Query`, so that every rejection is problem+json (see [`extract`]).

pub mod admin;
pub mod billing;
pub mod catalog_setup;
pub mod delivery_visits;
pub mod extract;
pub mod field;
pub mod login;
pub mod orders;
pub mod planning;
pub mod pricing;
pub mod problems;
pub mod shipment_comments;
pub mod tenant_data;

pub use extract::{ApiJson, ApiQuery};

use crate::error::{Result, ServerError};

/// Runs blocking work (SQLite, Argon2, the tenant lock) on the blocking pool.
pub async fn blocking<T, F>(work: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ServerError::Task(error.to_string()))?
}
