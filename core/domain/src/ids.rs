//! Typed identifiers. Records made on a device (carts, lines, devices) get ULIDs generated
//! there, so ids never need a round trip to the server. Tenants, users, parties and products
//! come from outside systems (a GSTIN, a catalog's product code), so they are validated text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

use crate::error::{DomainError, Result};

/// Longest text id accepted, in bytes. Ids appear in file names and document headers.
pub const MAX_TEXT_ID_LEN: usize = 64;

macro_rules! ulid_id {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("ULID of a ", $kind, ", generated on the device that creates it.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn generate() -> Self {
                Self(Ulid::generate())
            }

            pub fn to_bytes(self) -> [u8; 16] {
                self.0.to_bytes()
            }

            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Ulid::from_bytes(bytes))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(value: &str) -> Result<Self> {
                Ulid::from_string(value)
                    .map(Self)
                    .map_err(|error| DomainError::InvalidId {
                        kind: $kind,
                        value: value.to_owned(),
                        reason: error.to_string(),
                    })
            }
        }
    };
}

macro_rules! text_id {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("Identifier of a ", $kind, ": 1 to 64 bytes of ASCII letters, digits, `-`, `_` or `.`.")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Result<Self> {
                let value = value.into();
                validate_text_id($kind, &value)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(value: &str) -> Result<Self> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;

            fn try_from(value: String) -> Result<Self> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

ulid_id!(CartId, "cart");
ulid_id!(DeviceId, "device");
ulid_id!(PlanId, "plan");
ulid_id!(VisitId, "visit");
ulid_id!(ShipmentId, "shipment");
ulid_id!(AcknowledgementId, "delivery acknowledgement");

text_id!(TenantId, "tenant");
text_id!(UserId, "user");
text_id!(PartyId, "party");
text_id!(ProductId, "product");

fn validate_text_id(kind: &'static str, value: &str) -> Result<()> {
    let invalid = |reason: &str| DomainError::InvalidId {
        kind,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };

    if value.is_empty() {
        return Err(invalid("must not be empty"));
    }
    if value.len() > MAX_TEXT_ID_LEN {
        return Err(invalid("longer than 64 bytes"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !value.chars().all(allowed) {
        return Err(invalid("only ASCII letters, digits, '-', '_' and '.' are allowed"));
    }
    if value.starts_with('.') {
        return Err(invalid("must not start with '.'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_id_accepts_catalog_codes() {
        assert_eq!(ProductId::new("40075537").unwrap().as_str(), "40075537");
        assert_eq!(TenantId::new("acme-foods_01").unwrap().as_str(), "acme-foods_01");
    }

    #[test]
    fn text_id_rejects_path_tricks() {
        assert!(TenantId::new("../etc").is_err());
        assert!(TenantId::new(".hidden").is_err());
        assert!(TenantId::new("a/b").is_err());
        assert!(TenantId::new("").is_err());
        assert!(TenantId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn cart_id_round_trips_through_text_and_bytes() {
        let id = CartId::generate();
        assert_eq!(id.to_string().parse::<CartId>().unwrap(), id);
        assert_eq!(CartId::from_bytes(id.to_bytes()), id);
    }
}
