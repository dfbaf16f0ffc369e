//! Amounts in Indian rupees. Stored as `rust_decimal` rupees with paise as two decimal places;
//! arithmetic keeps full precision and [`Money::round_paise`] rounds half up (away from zero)
//! when an amount is shown or stored on an invoice.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Sub};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::quantity::Quantity;

/// An amount in rupees. May be negative (a discount, a credit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn from_rupees(value: Decimal) -> Self {
        Self(value)
    }

    pub fn rupees(self) -> Decimal {
        self.0
    }

    /// Rounds to paise, half up: 0.005 becomes 0.01.
    pub fn round_paise(self) -> Self {
        Self(self.0.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// Parses a non-negative price such as "174.35" or "52"; at most two decimal places.
    pub fn parse_price(text: &str) -> Result<Self> {
        let invalid = |reason| DomainError::InvalidMoney {
            value: text.to_owned(),
            reason,
        };
        let value = Decimal::from_str_exact(text.trim()).map_err(|_| invalid("not a decimal number"))?;
        if value.is_sign_negative() {
            return Err(invalid("must not be negative"));
        }
        if value.normalize().scale() > 2 {
            return Err(invalid("must have at most 2 decimal places (paise)"));
        }
        Ok(Self(value))
    }
}

impl fmt::Display for Money {
    /// Formats with exactly two decimal places: "52.00", "174.35".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = self.round_paise().0;
        write!(f, "{:.2}", rounded)
    }
}

impl FromStr for Money {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self> {
        Decimal::from_str_exact(text.trim())
            .map(Self)
            .map_err(|_| DomainError::InvalidMoney {
                value: text.to_owned(),
                reason: "not a decimal number",
            })
    }
}

impl TryFrom<String> for Money {
    type Error = DomainError;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Money> for String {
    /// Writes at least two decimal places ("724.50", "0.125"), never dropping precision.
    fn from(money: Money) -> String {
        let mut value = money.0.normalize();
        if value.scale() < 2 {
            value.rescale(2);
        }
        value.to_string()
    }
}

impl Add for Money {
    type Output = Money;

    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sub for Money {
    type Output = Money;

    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl Mul<Quantity> for Money {
    type Output = Money;

    fn mul(self, quantity: Quantity) -> Money {
        Money(self.0 * quantity.value())
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn money_rounds_half_up_to_paise() {
        assert_eq!(Money::from_rupees(dec!(10.005)).round_paise().rupees(), dec!(10.01));
        assert_eq!(Money::from_rupees(dec!(10.004)).round_paise().rupees(), dec!(10.00));
        assert_eq!(Money::from_rupees(dec!(0.125)).round_paise().rupees(), dec!(0.13));
    }

    #[test]
    fn money_displays_two_decimals() {
        assert_eq!(Money::from_rupees(dec!(52)).to_string(), "52.00");
        assert_eq!(Money::from_rupees(dec!(174.35)).to_string(), "174.35");
    }

    #[test]
    fn money_text_keeps_paise_and_extra_precision() {
        assert_eq!(String::from(Money::from_rupees(dec!(724.5))), "724.50");
        assert_eq!(String::from(Money::from_rupees(dec!(7))), "7.00");
        assert_eq!(String::from(Money::from_rupees(dec!(0.125))), "0.125");
        assert_eq!(String::from(Money::from_rupees(dec!(10.000))), "10.00");
    }

    #[test]
    fn price_parse_rejects_negative_and_sub_paise() {
        assert!(Money::parse_price("-1").is_err());
        assert!(Money::parse_price("1.005").is_err());
        assert_eq!(Money::parse_price("174.35").unwrap().rupees(), dec!(174.35));
    }

    #[test]
    fn price_times_quantity_is_exact() {
        let price = Money::parse_price("52.50").unwrap();
        let quantity: Quantity = "3".parse().unwrap();
        assert_eq!((price * quantity).rupees(), dec!(157.50));
    }
}
