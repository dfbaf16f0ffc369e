//! Units of measure of a product. Every product has one base unit (the unit its stock is kept
//! in, such as "pcs" or "Nos") and any number of larger units defined by how many base units
//! they contain ("1 Box = 5 units", "1 case = 24 pcs").
//!
//! Quantities are compared and aggregated in base units. An amount stated per some unit is
//! turned into an amount for a base quantity as `amount × base_quantity / base_units_per_unit`,
//! multiplying before dividing, so that "85 per Box of 3" on 3 base units is exactly 85 and
//! never 84.99999… from a rounded per-base-unit rate. Unit names match case-insensitively
//! ("Box" and "BOX" are the same unit) because field data mixes both spellings.

use dms_domain::ProductId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{PricingError, Result};

/// Largest number of base units one unit may contain. With quantities up to 1,000,000 and
/// amounts up to [`crate::catalog::MAX_AMOUNT`], every product stays inside `Decimal`'s range.
pub const MAX_BASE_UNITS_PER_UNIT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// One larger unit: `1 unit = base_units` of the product's base unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitConversion {
    pub unit: String,
    pub base_units: Decimal,
}

/// The base unit of a product and the larger units it is also sold or counted in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductUnits {
    pub base_unit: String,
    #[serde(default)]
    pub conversions: Vec<UnitConversion>,
}

impl ProductUnits {
    pub fn new(base_unit: impl Into<String>) -> Self {
        Self {
            base_unit: base_unit.into(),
            conversions: Vec::new(),
        }
    }

    /// Adds a larger unit: `1 unit = base_units` base units.
    pub fn with_conversion(mut self, unit: impl Into<String>, base_units: Decimal) -> Self {
        self.conversions.push(UnitConversion {
            unit: unit.into(),
            base_units,
        });
        self
    }

    /// Checks that names are non-empty and unique and that every factor is positive.
    pub fn validate(&self, product: &ProductId) -> Result<()> {
        let invalid = |unit: &str, base_units: Decimal, reason| PricingError::InvalidUnitConversion {
            product: product.clone(),
            unit: unit.to_owned(),
            base_units,
            reason,
        };

        if self.base_unit.trim().is_empty() {
            return Err(invalid("", Decimal::ONE, "the base unit name is empty"));
        }
        for (index, conversion) in self.conversions.iter().enumerate() {
            if conversion.unit.trim().is_empty() {
                return Err(invalid(
                    &conversion.unit,
                    conversion.base_units,
                    "the unit name is empty",
                ));
            }
            if conversion.base_units <= Decimal::ZERO {
                return Err(invalid(
                    &conversion.unit,
                    conversion.base_units,
                    "must be greater than zero",
                ));
            }
            if conversion.base_units > MAX_BASE_UNITS_PER_UNIT {
                return Err(invalid(
                    &conversion.unit,
                    conversion.base_units,
                    "must not exceed 1000000",
                ));
            }
            let clashes_with_base = same_unit(&conversion.unit, &self.base_unit);
            let defined_before = self.conversions[..index]
                .iter()
                .any(|earlier| same_unit(&earlier.unit, &conversion.unit));
            if clashes_with_base || defined_before {
                return Err(invalid(
                    &conversion.unit,
                    conversion.base_units,
                    "the unit is defined twice",
                ));
            }
        }
        Ok(())
    }

    /// Returns how many base units one `unit` contains; `None` means the base unit.
    pub fn base_units_per(&self, product: &ProductId, unit: Option<&str>) -> Result<Decimal> {
        let Some(unit) = unit else {
            return Ok(Decimal::ONE);
        };
        if same_unit(unit, &self.base_unit) {
            return Ok(Decimal::ONE);
        }
        self.conversions
            .iter()
            .find(|conversion| same_unit(&conversion.unit, unit))
            .map(|conversion| conversion.base_units)
            .ok_or_else(|| PricingError::UnknownUnit {
                product: product.clone(),
                unit: unit.to_owned(),
                defined: self.defined_units(),
            })
    }

    /// Converts a quantity in `unit` to base units.
    pub fn to_base(&self, product: &ProductId, quantity: Decimal, unit: Option<&str>) -> Result<Decimal> {
        Ok(quantity * self.base_units_per(product, unit)?)
    }

    /// Returns the name of `unit` as the product spells it, for display.
    pub fn display_name<'a>(&'a self, unit: Option<&'a str>) -> &'a str {
        let Some(unit) = unit else {
            return &self.base_unit;
        };
        self.conversions
            .iter()
            .find(|conversion| same_unit(&conversion.unit, unit))
            .map_or(unit, |conversion| conversion.unit.as_str())
    }

    fn defined_units(&self) -> String {
        let mut names = vec![format!("{} (base)", self.base_unit)];
        names.extend(
            self.conversions
                .iter()
                .map(|conversion| format!("{} = {} {}", conversion.unit, conversion.base_units, self.base_unit)),
        );
        names.join(", ")
    }
}

/// Scales an amount stated per `per_unit_base_units` base units to `base_quantity` base units.
/// Multiplies before dividing so that whole units give exact amounts.
pub(crate) fn amount_for_base_quantity(
    amount: Decimal,
    base_quantity: Decimal,
    per_unit_base_units: Decimal,
) -> Decimal {
    amount * base_quantity / per_unit_base_units
}

fn same_unit(left: &str, right: &str) -> bool {
    left.trim().eq_ignore_ascii_case(right.trim())
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn product() -> ProductId {
        ProductId::new("P1").unwrap()
    }

    #[test]
    fn box_converts_to_base_units() {
        let units = ProductUnits::new("unit").with_conversion("Box", dec!(5));
        assert_eq!(units.to_base(&product(), dec!(2), Some("Box")).unwrap(), dec!(10));
        assert_eq!(units.to_base(&product(), dec!(2), Some("box")).unwrap(), dec!(10));
        assert_eq!(units.to_base(&product(), dec!(2), None).unwrap(), dec!(2));
        assert_eq!(units.to_base(&product(), dec!(2), Some("UNIT")).unwrap(), dec!(2));
    }

    #[test]
    fn unknown_unit_names_product_and_defined_units() {
        let units = ProductUnits::new("pcs").with_conversion("case", dec!(24));
        let error = units.to_base(&product(), dec!(1), Some("Box")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unit \"Box\" is not defined for product P1; defined units: pcs (base), case = 24 pcs"
        );
    }

    #[test]
    fn zero_or_duplicate_conversion_is_invalid() {
        let zero = ProductUnits::new("pcs").with_conversion("case", dec!(0));
        assert!(zero.validate(&product()).is_err());
        let twice = ProductUnits::new("pcs")
            .with_conversion("case", dec!(24))
            .with_conversion("CASE", dec!(12));
        assert!(twice.validate(&product()).is_err());
        let clash = ProductUnits::new("pcs").with_conversion("PCS", dec!(2));
        assert!(clash.validate(&product()).is_err());
    }

    #[test]
    fn rate_per_box_scales_exactly() {
        assert_eq!(amount_for_base_quantity(dec!(85), dec!(3), dec!(3)), dec!(85));
        assert_eq!(amount_for_base_quantity(dec!(85), dec!(10), dec!(10)), dec!(85));
    }
}
