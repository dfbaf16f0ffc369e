//! The seller and the buyer as they appear on a tax invoice: GSTIN, legal name, address and
//! location (GST state code, district, PIN code). The location also decides how deliveries
//! are grouped ([`crate::delivery_plan`]) and, through the state code, the place of supply.

use dms_domain::PartyId;
use dms_pricing::gst::StateCode;
use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};

/// An Indian postal PIN code: six digits, the first not zero.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pincode(String);

impl Pincode {
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        let is_pin = value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) && !value.starts_with('0');
        if !is_pin {
            return Err(OrderError::InvalidValue {
                kind: "PIN code",
                value,
                reason: "must be six digits not starting with 0, such as \"411001\"",
            });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Pincode {
    type Error = OrderError;

    fn try_from(value: String) -> Result<Self> {
        Self::new(value)
    }
}

impl From<Pincode> for String {
    fn from(pin: Pincode) -> String {
        pin.0
    }
}

/// A GST identification number: 15 characters, the state code, the holder's PAN (five
/// letters, four digits, a letter), an entity number, "Z" and a check character.
///
/// NOTE: the check character is not verified, so a GSTIN with a mistyped letter or digit
/// passes here as long as its shape is right.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gstin(String);

impl Gstin {
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into().trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        let shape_ok = bytes.len() == 15
            && bytes[..2].iter().all(u8::is_ascii_digit)
            && bytes[2..7].iter().all(u8::is_ascii_uppercase)
            && bytes[7..11].iter().all(u8::is_ascii_digit)
            && bytes[11].is_ascii_uppercase()
            && bytes[12].is_ascii_alphanumeric()
            && bytes[13] == b'Z'
            && bytes[14].is_ascii_alphanumeric();
        if !shape_ok {
            return Err(OrderError::InvalidValue {
                kind: "GSTIN",
                value,
                reason: "must be 15 characters: state code, PAN, entity number, 'Z', check character, \
                         such as \"27AAPFU0939F1ZV\"",
            });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the state code in the first two digits.
    pub fn state_code(&self) -> &str {
        &self.0[..2]
    }
}

impl TryFrom<String> for Gstin {
    type Error = OrderError;

    fn try_from(value: String) -> Result<Self> {
        Self::new(value)
    }
}

impl From<Gstin> for String {
    fn from(gstin: Gstin) -> String {
        gstin.0
    }
}

/// The location of a party: GST state code, district and PIN code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub state: StateCode,
    pub district: String,
    pub pin: Pincode,
}

/// A seller or buyer with the details a tax invoice prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyDetails {
    pub party_id: PartyId,
    pub gstin: Gstin,
    pub legal_name: String,
    /// First address line, such as "Plot 12, MIDC Bhosari".
    pub address: String,
    /// Town or city, printed as the e-invoice's `Loc`.
    pub place: String,
    pub location: Location,
}

impl PartyDetails {
    /// Checks that the name, address and place are filled in and that the GSTIN belongs to
    /// the party's state.
    pub fn validate(&self) -> Result<()> {
        let blank = |kind, value: &str| OrderError::InvalidValue {
            kind,
            value: value.to_owned(),
            reason: "must not be blank",
        };
        if self.legal_name.trim().is_empty() {
            return Err(blank("legal name", &self.legal_name));
        }
        if self.address.trim().is_empty() {
            return Err(blank("address", &self.address));
        }
        if self.place.trim().is_empty() {
            return Err(blank("place", &self.place));
        }
        if self.gstin.state_code() != self.location.state.as_str() {
            return Err(OrderError::InvalidValue {
                kind: "GSTIN",
                value: self.gstin.as_str().to_owned(),
                reason: "its state code (first two digits) differs from the party's state",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pincode_needs_six_digits_not_starting_with_zero() {
        assert_eq!(Pincode::new("411001").unwrap().as_str(), "411001");
        for bad in ["011001", "41100", "4110011", "41100A"] {
            assert!(Pincode::new(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn gstin_shape_is_checked() {
        let gstin = Gstin::new("27aapfu0939f1zv").unwrap();
        assert_eq!(gstin.as_str(), "27AAPFU0939F1ZV");
        assert_eq!(gstin.state_code(), "27");
        assert!(Gstin::new("27AAPFU0939F1V").is_err());
        assert!(Gstin::new("2XAAPFU0939F1ZV").is_err());
        assert!(Gstin::new("27AAPFU0939F1XV").is_err());
    }
}
