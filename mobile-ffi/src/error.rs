//! The one error type apps see, and the one place that maps the device client's errors to it.
//!
//! The variants are the cases a screen handles differently: fix the input, show "not found",
//! retry later, show the server's message, or report a broken local store. Each variant carries
//! a readable `message`, already in the words of the underlying error (a quantity of "-3"
//! reads `invalid quantity "-3": must be greater than zero`).
//!
//! Failures the app cannot act on (local storage, internal errors) are logged here with
//! `tracing` before they cross the boundary. Input errors are not logged, because they are
//! part of normal use.

use dms_device::DeviceError;
use dms_documents::DocumentError;
use dms_domain::DomainError;

/// An error returned by any `DeviceClient` call.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DeviceClientError {
    /// A value passed in is invalid: a quantity, an id, an empty cart to submit, a buyer the
    /// user may not buy for. The message names the value and the rule it broke.
    #[error("{message}")]
    InvalidInput { message: String },

    /// The cart, product, cart line, document, or a visit, goal or action of a plan is not on
    /// this device. For a product or a document, syncing may bring it.
    #[error("{message}")]
    NotFound { message: String },

    /// The cart is submitted and can no longer be edited.
    #[error("{message}")]
    CartSubmitted { message: String },

    /// The server could not be reached or the sync round timed out. Edits stay on the
    /// device; retry later.
    #[error("{message}")]
    Network { message: String },

    /// The server rejected the sync (for example an expired token); `message` is the
    /// server's message.
    #[error("{message}")]
    Refused { message: String },

    /// The local store could not be read or written, or contains data this version cannot read.
    #[error("{message}")]
    Storage { message: String },

    /// A failure inside the library, such as the background runtime failing to start.
    #[error("{message}")]
    Internal { message: String },
}

impl From<DeviceError> for DeviceClientError {
    fn from(error: DeviceError) -> Self {
        let message = error.to_string();
        match error {
            DeviceError::InvalidInput(_) => Self::InvalidInput { message },
            DeviceError::CartNotFound(_)
            | DeviceError::DocumentNotFound(_)
            | DeviceError::UnknownProduct(_)
            | DeviceError::NotInDocument { .. }
            | DeviceError::WrongDocumentKind { .. } => Self::NotFound { message },
            DeviceError::Network(_) | DeviceError::SyncTimedOut { .. } => Self::Network { message },
            DeviceError::Refused(_) | DeviceError::Unauthorized(_) => Self::Refused { message },
            DeviceError::Domain(error) => error.into(),
            DeviceError::Document(error) => error.into(),
            DeviceError::Store(_) | DeviceError::Corrupt(_) | DeviceError::StoreUnavailable { .. } => storage(message),
            DeviceError::Task(_) => internal(message),
        }
    }
}

impl From<DocumentError> for DeviceClientError {
    fn from(error: DocumentError) -> Self {
        let message = error.to_string();
        match error {
            DocumentError::CartSubmitted { .. } => Self::CartSubmitted { message },
            DocumentError::LineNotFound { .. } => Self::NotFound { message },
            DocumentError::EmptyCart { .. } | DocumentError::Signed { .. } => Self::InvalidInput { message },
            DocumentError::Domain(error) => error.into(),
            DocumentError::Invalid { .. } | DocumentError::Automerge(_) => storage(message),
            // Protocol errors are handled inside a sync round and should not reach an app.
            DocumentError::InvalidDocumentId { .. }
            | DocumentError::InvalidMessage(_)
            | DocumentError::MessageTooLarge { .. } => internal(message),
        }
    }
}

impl From<DomainError> for DeviceClientError {
    /// Maps an invalid quantity, amount, id or timestamp to `InvalidInput`.
    ///
    /// NOTE: the device client can also return a `DomainError` when an id it stored fails to
    /// parse back, and that case is reported as `InvalidInput` too, because the two cases look
    /// the same here.
    fn from(error: DomainError) -> Self {
        Self::InvalidInput {
            message: error.to_string(),
        }
    }
}

/// Logs a local storage failure and wraps it.
fn storage(message: String) -> DeviceClientError {
    tracing::error!(error = %message, "device store failed");
    DeviceClientError::Storage { message }
}

/// Logs a failure inside the library and wraps it.
pub(crate) fn internal(message: String) -> DeviceClientError {
    tracing::error!(error = %message, "internal failure in the device bindings");
    DeviceClientError::Internal { message }
}

#[cfg(test)]
mod tests {
    use dms_domain::Quantity;

    use super::*;

    #[test]
    fn negative_quantity_is_invalid_input() {
        let error: DeviceClientError = "-3".parse::<Quantity>().unwrap_err().into();
        assert!(
            matches!(&error, DeviceClientError::InvalidInput { message } if message.contains("\"-3\"")),
            "{error:?}"
        );
    }

    #[test]
    fn unknown_product_is_not_found() {
        let error: DeviceClientError = DeviceError::UnknownProduct("DM-999".to_owned()).into();
        assert!(matches!(error, DeviceClientError::NotFound { .. }), "{error:?}");
    }

    #[test]
    fn submitted_cart_edit_is_cart_submitted() {
        let source = DeviceError::Document(DocumentError::CartSubmitted {
            cart_id: "01J0000000000000000000000".to_owned(),
        });
        let error: DeviceClientError = source.into();
        assert!(matches!(error, DeviceClientError::CartSubmitted { .. }), "{error:?}");
    }

    #[test]
    fn sync_timeout_is_network() {
        let error: DeviceClientError = DeviceError::SyncTimedOut { seconds: 60 }.into();
        assert!(matches!(error, DeviceClientError::Network { .. }), "{error:?}");
    }
}
