//! Document ids as automerge-repo writes them: the base58check encoding of 16 random bytes.
//!
//! A cart's ULID is 16 bytes, so a cart's document id is derived from its cart id and back,
//! and an existing automerge-repo client sees an ordinary document id.

use std::fmt;
use std::str::FromStr;

use dms_domain::CartId;

use crate::error::{DocumentError, Result};

/// A document id: 16 bytes, shown as base58check text ("2j9knpCseyhnK8izDmLpGP5WMdZQ").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

impl DocumentId {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    pub fn for_cart(cart_id: CartId) -> Self {
        Self(cart_id.to_bytes())
    }

    /// Reads the id as a cart id. Every 16-byte value is a valid ULID, so this cannot fail;
    /// whether the document really is a cart is decided by its schema field.
    pub fn as_cart_id(&self) -> CartId {
        CartId::from_bytes(self.0)
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl FromStr for DocumentId {
    type Err = DocumentError;

    fn from_str(text: &str) -> Result<Self> {
        let invalid = |reason: String| DocumentError::InvalidDocumentId {
            value: text.chars().take(64).collect(),
            reason,
        };

        let bytes = bs58::decode(text)
            .with_check(None)
            .into_vec()
            .map_err(|error| invalid(error.to_string()))?;
        let bytes: [u8; 16] = bytes
            .try_into()
            .map_err(|bytes: Vec<u8>| invalid(format!("decodes to {} bytes, expected 16", bytes.len())))?;
        Ok(Self(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_id_round_trips_through_text() {
        let id = DocumentId::for_cart(CartId::generate());
        let parsed: DocumentId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
    }

    #[test]
    fn document_id_matches_base58check_vector() {
        // The bytes 0..16 with a 4-byte double-SHA-256 checksum, encoded by a separate Python
        // script while writing this test.
        let id = DocumentId::from_bytes(std::array::from_fn(|i| i as u8));
        assert_eq!(id.to_string(), "1Bhh3pU9gLXZiNDL6PEa1Gs9fh");
        assert_eq!("1Bhh3pU9gLXZiNDL6PEa1Gs9fh".parse::<DocumentId>().unwrap(), id);
    }

    #[test]
    fn corrupted_checksum_is_rejected() {
        let mut text = DocumentId::for_cart(CartId::generate()).to_string();
        let last = text.pop().unwrap();
        text.push(if last == '2' { '3' } else { '2' });
        assert!(text.parse::<DocumentId>().is_err());
    }

    #[test]
    fn wrong_length_is_rejected() {
        let text = bs58::encode([1u8; 8]).with_check().into_string();
        let error = text.parse::<DocumentId>().unwrap_err().to_string();
        assert!(error.contains("decodes to 8 bytes"), "{error}");
    }
}
