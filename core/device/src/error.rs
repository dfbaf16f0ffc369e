//! Errors of the device client.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DeviceError {
    #[error("cart {0} is not on this device")]
    CartNotFound(String),

    #[error("document {0} is not on this device; sync to receive it")]
    DocumentNotFound(String),

    #[error("product {0} is not in this device's catalog; sync to refresh the catalog")]
    UnknownProduct(String),

    /// A visit, goal or action id that the named plan on this device does not contain.
    #[error("{item} {id} is not in {document}")]
    NotInDocument {
        item: &'static str,
        id: String,
        document: String,
    },

    /// An id that names a document of another kind on this device.
    #[error("document {document} is a {found} document, not {expected}")]
    WrongDocumentKind {
        document: String,
        expected: String,
        found: String,
    },

    #[error("{0}")]
    InvalidInput(String),

    #[error("the server refused the sync: {0}")]
    Refused(String),

    #[error("the server did not accept the access token ({0}); log in again")]
    Unauthorized(String),

    #[error("could not reach the server: {0}")]
    Network(String),

    #[error("sync did not finish within {seconds} seconds")]
    SyncTimedOut { seconds: u64 },

    #[error(transparent)]
    Document(#[from] dms_documents::DocumentError),

    #[error(transparent)]
    Domain(#[from] dms_domain::DomainError),

    #[error("local store: {0}")]
    Store(#[from] rusqlite::Error),

    #[error("local store is corrupt: {0}")]
    Corrupt(String),

    #[error("cannot open the local store at {path}: {reason}")]
    StoreUnavailable { path: String, reason: String },

    #[error("a background task failed: {0}")]
    Task(String),
}

pub type Result<T, E = DeviceError> = std::result::Result<T, E>;
