//! Quantities of goods. A quantity is a positive decimal with at most three decimal places
//! (grams of a kilogram, millilitres of a litre), kept exactly as `rust_decimal`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// Most decimal places a quantity may carry.
pub const MAX_QUANTITY_SCALE: u32 = 3;

/// Largest quantity on one line. Larger values are typing mistakes, not orders.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// A positive quantity, normalised so that "2", "2.0" and "2.000" are the same value and text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quantity(Decimal);

impl Quantity {
    pub fn new(value: Decimal) -> Result<Self> {
        let invalid = |reason| DomainError::InvalidQuantity {
            value: value.to_string(),
            reason,
        };

        if value <= Decimal::ZERO {
            return Err(invalid("must be greater than zero"));
        }
        if value > MAX_QUANTITY {
            return Err(invalid("must not exceed 1000000"));
        }
        let normalized = value.normalize();
        if normalized.scale() > MAX_QUANTITY_SCALE {
            return Err(invalid("must have at most 3 decimal places"));
        }
        Ok(Self(normalized))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Quantity {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self> {
        let value = Decimal::from_str_exact(text.trim()).map_err(|_| DomainError::InvalidQuantity {
            value: text.to_owned(),
            reason: "not a decimal number",
        })?;
        Self::new(value)
    }
}

impl TryFrom<String> for Quantity {
    type Error = DomainError;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Quantity> for String {
    fn from(quantity: Quantity) -> String {
        quantity.to_string()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn quantity_normalises_trailing_zeros() {
        assert_eq!("2.000".parse::<Quantity>().unwrap().to_string(), "2");
        assert_eq!("0.250".parse::<Quantity>().unwrap().value(), dec!(0.25));
    }

    #[test]
    fn quantity_rejects_zero_negative_and_excess_precision() {
        assert!("0".parse::<Quantity>().is_err());
        assert!("-3".parse::<Quantity>().is_err());
        assert!("1.2345".parse::<Quantity>().is_err());
        assert!("1000001".parse::<Quantity>().is_err());
        assert!("ten".parse::<Quantity>().is_err());
        assert!("1e3".parse::<Quantity>().is_err());
    }
}
