//! Server-side pricing with the `dms-pricing` engine: the tenant's pricing data per product,
//! its scheme book and GST settings, the catalog CSV with HSN codes and GST rates, and the
//! authoritative pricing of submitted carts and draft orders.
//!
//! The server keeps no GST rate table. A product has pricing data only when it has both an
//! HSN code and a GST rate, and the rate is handed to the engine as the product's own rate.
//! A product without them is priced at selling price times quantity, and the order request
//! says so.

pub mod admin;
pub mod buyer_view;
pub mod cart;
pub mod catalog_csv;
pub mod catalog_setup;
pub mod hsn_map;
pub mod order;
pub mod store;
pub mod terms;

use dms_pricing::gst::{PlaceOfSupplyBasis, StateCode};
use serde::{Deserialize, Serialize};

/// A product's pricing data as stored on its catalog row, and the base unit of imported
/// products. Both live in `dms-pricing` because devices price with the same data.
pub use dms_pricing::{DEFAULT_BASE_UNIT, ProductPricing};

/// The tenant's GST settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingSettings {
    /// State where the seller is registered for GST. `None` means the state of the seller's
    /// GSTIN in the registry, if it has one.
    pub supplier_state: Option<StateCode>,
    #[serde(default)]
    pub place_of_supply_basis: PlaceOfSupplyBasis,
}

/// The GST state code at the start of a GSTIN, if `registration` has the shape of one:
/// 15 characters, two digits of a valid state code, then a PAN (5 letters, 4 digits, a letter).
pub fn state_of_gstin(registration: &str) -> Option<StateCode> {
    let bytes = registration.trim().as_bytes();
    if bytes.len() != 15 {
        return None;
    }
    let pan = &bytes[2..12];
    let pan_shape = pan[..5].iter().all(u8::is_ascii_uppercase)
        && pan[5..9].iter().all(u8::is_ascii_digit)
        && pan[9].is_ascii_uppercase();
    if !pan_shape || !bytes[12..].iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    StateCode::new(String::from_utf8_lossy(&bytes[..2]).into_owned()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstin_state_is_its_first_two_digits() {
        assert_eq!(state_of_gstin("27AAACA1234A1Z5").unwrap().as_str(), "27");
        assert_eq!(state_of_gstin(" 24AAACA1234A1Z5 ").unwrap().as_str(), "24");
        assert!(state_of_gstin("TENANT-ACME").is_none());
        assert!(state_of_gstin("99AAACA1234A1Z5").is_none());
        assert!(state_of_gstin("27AAACA12B4A1Z5").is_none());
    }
}
