//! The pricing view of products: list rate, units, HSN code and GST treatment. The catalog is
//! handed to the engine whole, so pricing never looks anything up elsewhere and a device prices
//! exactly as the server does with the same catalog.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{PricingError, Result};
use crate::gst::rates::{validate_gst_rate, validate_hsn};
use crate::units::ProductUnits;

/// Largest rate or scheme amount accepted, in rupees (one lakh crore). Bounding inputs keeps
/// every product of amount, quantity and rate inside `Decimal`'s range, so no step overflows.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

/// A product's pricing data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    #[serde(default)]
    pub name: String,
    /// HSN code of 2, 4, 6 or 8 digits, used to find the GST rate and for the HSN summary.
    pub hsn: String,
    pub units: ProductUnits,
    /// List rate in rupees per `rate_unit`, before any scheme.
    pub list_rate: Decimal,
    /// Unit the list rate is quoted in; `None` means the base unit.
    #[serde(default)]
    pub rate_unit: Option<String>,
    /// Whether the list rate includes GST (an MRP-style price). Tax is then backed out of the
    /// line amount instead of added to it.
    #[serde(default)]
    pub rate_includes_gst: bool,
    /// GST rate in percent (IGST-equivalent, such as 18) that overrides the rate table. Set it
    /// where the schedule gives several rates for one HSN heading depending on the description.
    #[serde(default)]
    pub gst_rate: Option<Decimal>,
}

impl Product {
    /// Checks the units, the HSN code, the list rate and the GST rate override.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| PricingError::InvalidProduct {
            product: self.id.clone(),
            reason,
        };

        self.units.validate(&self.id)?;
        self.units.base_units_per(&self.id, self.rate_unit.as_deref())?;
        validate_hsn(&self.hsn)?;
        if self.list_rate < Decimal::ZERO || self.list_rate > MAX_AMOUNT {
            return Err(invalid(format!(
                "list rate {} must be from 0 to {MAX_AMOUNT}",
                self.list_rate
            )));
        }
        if let Some(rate) = self.gst_rate {
            validate_gst_rate(rate, &format!("product {}", self.id))?;
        }
        Ok(())
    }

    /// List amount, unrounded, for a quantity in base units.
    pub(crate) fn list_amount(&self, base_quantity: Decimal) -> Result<Decimal> {
        let per_rate_unit = self.units.base_units_per(&self.id, self.rate_unit.as_deref())?;
        Ok(crate::units::amount_for_base_quantity(
            self.list_rate,
            base_quantity,
            per_rate_unit,
        ))
    }
}

/// The products that can be priced, keyed by id. Serialized as a list of products.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Product>", into = "Vec<Product>")]
pub struct Catalog {
    products: BTreeMap<ProductId, Product>,
}

impl Catalog {
    /// Validates every product and rejects duplicate ids.
    pub fn new(products: Vec<Product>) -> Result<Self> {
        let mut by_id = BTreeMap::new();
        for product in products {
            product.validate()?;
            if by_id.contains_key(&product.id) {
                return Err(PricingError::DuplicateProduct { product: product.id });
            }
            by_id.insert(product.id.clone(), product);
        }
        Ok(Self { products: by_id })
    }

    pub fn get(&self, id: &ProductId) -> Option<&Product> {
        self.products.get(id)
    }

    pub fn products(&self) -> impl Iterator<Item = &Product> {
        self.products.values()
    }
}

impl TryFrom<Vec<Product>> for Catalog {
    type Error = PricingError;

    fn try_from(products: Vec<Product>) -> Result<Self> {
        Self::new(products)
    }
}

impl From<Catalog> for Vec<Product> {
    fn from(catalog: Catalog) -> Self {
        catalog.products.into_values().collect()
    }
}
