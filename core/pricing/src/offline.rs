//! The data a field device needs to price a cart exactly as the server does. It is each
//! catalog product's pricing data, the seller's pricing terms for the buyers the device sells
//! to, and the one conversion from a catalog product to an engine [`Product`]. The server
//! stores and serves these types and the device caches them, so both build the same catalog.

use std::collections::BTreeMap;

use dms_domain::PartyId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::Product;
use crate::gst::{PlaceOfSupplyBasis, StateCode};
use crate::scheme::Scheme;
use crate::units::{ProductUnits, UnitConversion};

/// Base unit of an imported product: catalog prices and cart quantities are per pack.
pub const DEFAULT_BASE_UNIT: &str = "pack";

/// A catalog product's pricing data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPricing {
    /// HSN code of 2, 4, 6 or 8 digits.
    pub hsn: Option<String>,
    /// Total GST rate in percent (IGST, or CGST plus SGST).
    pub gst_rate: Option<Decimal>,
    /// Unit the selling price is quoted in, and the unit cart quantities are in.
    pub base_unit: String,
    pub unit_conversions: Vec<UnitConversion>,
    /// Whether the selling price includes GST, so tax is backed out of it instead of added.
    pub price_includes_gst: bool,
}

impl Default for ProductPricing {
    fn default() -> Self {
        Self {
            hsn: None,
            gst_rate: None,
            base_unit: DEFAULT_BASE_UNIT.to_owned(),
            unit_conversions: Vec::new(),
            price_includes_gst: false,
        }
    }
}

impl ProductPricing {
    /// Whether the engine can price the product: it needs both an HSN code and a GST rate.
    pub fn is_complete(&self) -> bool {
        self.hsn.is_some() && self.gst_rate.is_some()
    }

    /// Builds the engine product for a catalog product: the selling price per base unit is
    /// the list rate and the product's own GST rate overrides any rate table. Returns the
    /// reason when the data is incomplete or invalid.
    pub fn engine_product(&self, product: &dms_domain::catalog::Product) -> Result<Product, String> {
        let (Some(hsn), Some(gst_rate)) = (&self.hsn, self.gst_rate) else {
            return Err("no HSN code and GST rate".to_owned());
        };
        let engine_product = Product {
            id: product.id.clone(),
            name: product.name.clone(),
            hsn: hsn.clone(),
            units: ProductUnits {
                base_unit: self.base_unit.clone(),
                conversions: self.unit_conversions.clone(),
            },
            list_rate: product.selling_price.rupees(),
            rate_unit: None,
            rate_includes_gst: self.price_includes_gst,
            gst_rate: Some(gst_rate),
        };
        engine_product
            .validate()
            .map_err(|error| format!("invalid pricing data: {error}"))?;
        Ok(engine_product)
    }
}

/// The seller's pricing terms as one user's device downloads them: the schemes that can
/// apply to the buyers the user orders for, the GST settings and the buyers' GST states.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingTerms {
    /// State where the seller is registered for GST. `None` when the server has none on
    /// record, and then the engine prices no cart.
    pub supplier_state: Option<StateCode>,
    #[serde(default)]
    pub place_of_supply_basis: PlaceOfSupplyBasis,
    /// Every buyer these terms cover, with its GST state when its registration is a GSTIN.
    /// A buyer with `None` is billed in the supplier's state.
    #[serde(default)]
    pub buyer_states: BTreeMap<PartyId, Option<StateCode>>,
    /// Schemes in the book that can apply to these buyers, sorted by id.
    #[serde(default)]
    pub schemes: Vec<Scheme>,
}
