//! Errors of the domain crate.

use thiserror::Error;

/// Invalid domain values, each naming the value and the rule it broke.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("invalid quantity {value:?}: {reason}")]
    InvalidQuantity { value: String, reason: &'static str },

    #[error("invalid amount {value:?}: {reason}")]
    InvalidMoney { value: String, reason: &'static str },

    #[error("invalid {kind} id {value:?}: {reason}")]
    InvalidId {
        kind: &'static str,
        value: String,
        reason: String,
    },

    #[error("invalid position {value:?}: {reason}")]
    InvalidPosition { value: String, reason: &'static str },

    #[error("invalid timestamp {value:?}: {reason}")]
    InvalidTimestamp { value: String, reason: String },
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;
