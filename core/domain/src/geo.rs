//! A position captured on a phone: latitude and longitude in decimal degrees with the
//! accuracy radius the phone reported, in metres. Kept as decimals so every replica reads
//! the same digits the phone recorded.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GeoPoint {
    pub latitude: Decimal,
    pub longitude: Decimal,
    /// Radius of the phone's 68 % confidence circle, in metres.
    pub accuracy_m: Decimal,
}

impl GeoPoint {
    pub fn new(latitude: Decimal, longitude: Decimal, accuracy_m: Decimal) -> Result<GeoPoint> {
        let invalid = |reason: &'static str| DomainError::InvalidPosition {
            value: format!("{latitude},{longitude} ±{accuracy_m} m"),
            reason,
        };
        if latitude < Decimal::from(-90) || latitude > Decimal::from(90) {
            return Err(invalid("latitude must be between -90 and 90 degrees"));
        }
        if longitude < Decimal::from(-180) || longitude > Decimal::from(180) {
            return Err(invalid("longitude must be between -180 and 180 degrees"));
        }
        if accuracy_m.is_sign_negative() {
            return Err(invalid("accuracy must not be negative"));
        }
        Ok(GeoPoint {
            latitude,
            longitude,
            accuracy_m,
        })
    }

    /// Parses the three decimal texts a document stores.
    pub fn parse(latitude: &str, longitude: &str, accuracy_m: &str) -> Result<GeoPoint> {
        let number = |text: &str| {
            Decimal::from_str_exact(text.trim()).map_err(|_| DomainError::InvalidPosition {
                value: text.to_owned(),
                reason: "not a decimal number",
            })
        };
        GeoPoint::new(number(latitude)?, number(longitude)?, number(accuracy_m)?)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn position_in_india_parses_exactly() {
        let point = GeoPoint::parse("19.0760", "72.8777", "12.5").unwrap();
        assert_eq!(point.latitude, dec!(19.0760));
        assert_eq!(point.accuracy_m, dec!(12.5));
    }

    #[test]
    fn position_out_of_range_is_rejected() {
        assert!(GeoPoint::parse("91", "72", "5").is_err());
        assert!(GeoPoint::parse("19", "181", "5").is_err());
        assert!(GeoPoint::parse("19", "72", "-1").is_err());
        assert!(GeoPoint::parse("north", "72", "5").is_err());
    }
}
