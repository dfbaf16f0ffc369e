//! Errors of the documents crate.

use thiserror::Error;

/// Invalid documents, invalid edits and malformed protocol messages.
#[derive(Debug, Error)]
pub enum DocumentError {
    #[error("invalid document id {value:?}: {reason}")]
    InvalidDocumentId { value: String, reason: String },

    #[error("invalid protocol message: {0}")]
    InvalidMessage(String),

    #[error("protocol message of {size} bytes exceeds the limit of {limit} bytes")]
    MessageTooLarge { size: usize, limit: usize },

    #[error("invalid {kind} document: {reason}")]
    Invalid { kind: &'static str, reason: String },

    #[error("cart {cart_id} is submitted and can no longer be edited")]
    CartSubmitted { cart_id: String },

    #[error("cart {cart_id} has no line for product {product_id}")]
    LineNotFound { cart_id: String, product_id: String },

    #[error("acknowledgement {ack_id} was signed by {signed_by} at {signed_at} and can no longer be edited")]
    Signed {
        ack_id: String,
        signed_by: String,
        signed_at: String,
    },

    #[error("cart {cart_id} has no lines; add a product before submitting")]
    EmptyCart { cart_id: String },

    #[error(transparent)]
    Domain(#[from] dms_domain::DomainError),

    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

pub type Result<T, E = DocumentError> = std::result::Result<T, E>;
