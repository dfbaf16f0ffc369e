//! Ids of the order-to-cash records. Documents made by people in the app (order requests,
//! sales orders, invoices, credit notes, payments, supply entries, shipment comments) get
//! ULIDs from the caller, like carts do, so they can be made offline. A warehouse is master data with a code chosen
//! by people ("WH-PUNE"), so its id is validated text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

use crate::error::{OrderError, Result};

macro_rules! ulid_id {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("ULID of ", $kind, ".")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn generate() -> Self {
                Self(Ulid::generate())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = OrderError;

            fn from_str(value: &str) -> Result<Self> {
                Ulid::from_string(value)
                    .map(Self)
                    .map_err(|_| OrderError::InvalidValue {
                        kind: concat!($kind, " id"),
                        value: value.to_owned(),
                        reason: "not a ULID (26 characters of Crockford base 32)",
                    })
            }
        }
    };
}

ulid_id!(OrderRequestId, "an order request");
ulid_id!(SalesOrderId, "a sales order");
ulid_id!(InvoiceId, "an invoice");
ulid_id!(CreditNoteId, "a credit note");
ulid_id!(PaymentId, "a payment");
ulid_id!(SupplyEntryId, "a supply entry");
ulid_id!(ShipmentCommentId, "a shipment comment");

/// Code of a warehouse: 1 to 32 ASCII letters, digits, `-` or `_`, such as "WH-PUNE".
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WarehouseId(String);

impl WarehouseId {
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        let invalid = |reason| OrderError::InvalidValue {
            kind: "warehouse id",
            value: value.clone(),
            reason,
        };
        if value.is_empty() || value.len() > 32 {
            return Err(invalid("must be 1 to 32 characters long"));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(invalid("only ASCII letters, digits, '-' and '_' are allowed"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WarehouseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for WarehouseId {
    type Error = OrderError;

    fn try_from(value: String) -> Result<Self> {
        Self::new(value)
    }
}

impl From<WarehouseId> for String {
    fn from(id: WarehouseId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warehouse_id_accepts_codes_and_rejects_paths() {
        assert_eq!(WarehouseId::new("WH-PUNE").unwrap().as_str(), "WH-PUNE");
        assert!(WarehouseId::new("").is_err());
        assert!(WarehouseId::new("a/b").is_err());
        assert!(WarehouseId::new("x".repeat(33)).is_err());
    }

    #[test]
    fn invoice_id_round_trips_through_text() {
        let id = InvoiceId::generate();
        assert_eq!(id.to_string().parse::<InvoiceId>().unwrap(), id);
        assert!("not-a-ulid".parse::<InvoiceId>().is_err());
    }
}
