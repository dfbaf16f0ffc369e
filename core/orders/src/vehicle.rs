//! Indian vehicle registration numbers, checked loosely: the state's two letters, the RTO's
//! one or two digits, one to three series letters and one to four digits. Spaces and hyphens
//! are ignored and letters may be lower case, so "MH 12 AB 1234", "mh-12-ab-1234" and
//! "KA-01-F-0001" are accepted and stored as "MH12AB1234" and "KA01F0001".
//!
//! NOTE: the state letters are not checked against the list of states, and Bharat series
//! numbers ("22 BH 1234 AA") and temporary registrations are rejected.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VehicleNumber(String);

impl VehicleNumber {
    pub fn new(value: &str) -> Result<Self> {
        let compact: String = value
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !is_registration(&compact) {
            return Err(OrderError::InvalidValue {
                kind: "vehicle number",
                value: value.to_owned(),
                reason: "must be state letters, RTO digits, series letters and number digits, \
                         such as \"MH 12 AB 1234\" or \"KA-01-F-0001\"",
            });
        }
        Ok(Self(compact))
    }

    /// Returns the number without spaces or hyphens, such as "MH12AB1234".
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VehicleNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for VehicleNumber {
    type Error = OrderError;

    fn try_from(value: String) -> Result<Self> {
        Self::new(&value)
    }
}

impl From<VehicleNumber> for String {
    fn from(number: VehicleNumber) -> String {
        number.0
    }
}

/// Matches `[A-Z]{2}[0-9]{1,2}[A-Z]{1,3}[0-9]{1,4}` on the compacted text.
fn is_registration(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut position = 0;
    let mut run = |class: fn(&u8) -> bool, min: usize, max: usize| {
        let length = bytes[position..].iter().take_while(|b| class(b)).count();
        position += length;
        (min..=max).contains(&length)
    };
    run(u8::is_ascii_uppercase, 2, 2)
        && run(u8::is_ascii_digit, 1, 2)
        && run(u8::is_ascii_uppercase, 1, 3)
        && run(u8::is_ascii_digit, 1, 4)
        && position == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vehicle_number_accepts_spaced_and_hyphenated_forms() {
        assert_eq!(VehicleNumber::new("MH 12 AB 1234").unwrap().as_str(), "MH12AB1234");
        assert_eq!(VehicleNumber::new("KA-01-F-0001").unwrap().as_str(), "KA01F0001");
        assert_eq!(VehicleNumber::new("dl 1 cab 9").unwrap().as_str(), "DL1CAB9");
    }

    #[test]
    fn vehicle_number_rejects_other_shapes() {
        for bad in [
            "",
            "MH12",
            "MH 123 AB 1234",
            "MH 12 ABCD 1234",
            "MH 12 AB 12345",
            "12 MH AB 1234",
            "MH/12/AB/1234",
        ] {
            let error = VehicleNumber::new(bad).unwrap_err();
            assert!(error.to_string().contains("invalid vehicle number"), "{bad}: {error}");
        }
    }
}
