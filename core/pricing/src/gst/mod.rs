//! GST: place of supply, rates by HSN code and date, the tax on each invoice line, and the
//! invoice totals with the rupee round-off.
//!
//! A supply is intra-state when the supplier's state and the place of supply are the same
//! state. It then carries CGST and SGST in equal halves, with UTGST in a union territory
//! without a legislature reported in the `sgst` fields. Otherwise it is inter-state and
//! carries IGST.
//! When goods are delivered to a third party on the buyer's direction (bill-to, ship-to), section
//! 10(1)(b) of the IGST Act 2017 makes the buyer's principal place of business, the bill-to
//! state, the place of supply. Other deliveries follow where the goods end up (section
//! 10(1)(a)), so the basis is a setting ([`PlaceOfSupplyBasis`]) and the caller picks it.

mod heading;
pub mod invoice;
pub mod rates;
pub mod rounding;
pub mod schedule;
mod validate;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{PricingError, Result};

pub use invoice::{HsnSummaryRow, TaxBreakdown, TaxLine, TaxableLine, compute_tax_breakdown};
pub use rates::{GstRateEntry, GstRateTable};
pub use schedule::{RejectedScheduleRow, ScheduleImport, ScheduleRowProblem, load_cbic_goods_rates};
pub use validate::validate_tax_breakdown;

/// A two-digit GST state code, such as "27" (Maharashtra) or "24" (Gujarat).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StateCode(String);

impl StateCode {
    /// Accepts "01" to "38" and "97" (Other Territory).
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        let invalid = |reason| PricingError::InvalidStateCode {
            value: value.clone(),
            reason,
        };

        if value.len() != 2 || !value.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid("must be two digits, such as \"27\""));
        }
        let number: u8 = value
            .parse()
            .map_err(|_| invalid("must be two digits, such as \"27\""))?;
        if !(1..=38).contains(&number) && number != 97 {
            return Err(invalid("must be a state code from 01 to 38, or 97 for Other Territory"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StateCode {
    type Error = PricingError;

    fn try_from(value: String) -> Result<Self> {
        Self::new(value)
    }
}

impl From<StateCode> for String {
    fn from(code: StateCode) -> String {
        code.0
    }
}

/// Which address decides the place of supply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceOfSupplyBasis {
    /// The buyer's (bill-to) state: the rule for goods shipped to a third party on the buyer's order.
    #[default]
    BillTo,
    /// The state the goods are delivered to.
    ShipTo,
}

/// The states on an order: where the supplier is registered, where the buyer is billed and
/// where the goods go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyAddresses {
    pub supplier_state: StateCode,
    pub bill_to_state: StateCode,
    pub ship_to_state: StateCode,
}

/// Intra-state (CGST and SGST) or inter-state (IGST).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplyType {
    IntraState,
    InterState,
}

impl fmt::Display for SupplyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SupplyType::IntraState => "intra-state",
            SupplyType::InterState => "inter-state",
        })
    }
}

/// The place of supply of an order and how it was chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOfSupply {
    pub supplier_state: StateCode,
    pub state: StateCode,
    pub basis: PlaceOfSupplyBasis,
}

impl PlaceOfSupply {
    /// Picks the bill-to or ship-to state according to `basis`.
    pub fn determine(addresses: &SupplyAddresses, basis: PlaceOfSupplyBasis) -> Self {
        let state = match basis {
            PlaceOfSupplyBasis::BillTo => addresses.bill_to_state.clone(),
            PlaceOfSupplyBasis::ShipTo => addresses.ship_to_state.clone(),
        };
        Self {
            supplier_state: addresses.supplier_state.clone(),
            state,
            basis,
        }
    }

    pub fn supply_type(&self) -> SupplyType {
        if self.supplier_state == self.state {
            SupplyType::IntraState
        } else {
            SupplyType::InterState
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_code_accepts_two_digit_codes() {
        assert_eq!(StateCode::new("27").unwrap().as_str(), "27");
        assert_eq!(StateCode::new("97").unwrap().as_str(), "97");
        for bad in ["7", "00", "39", "99", "MH", "270"] {
            assert!(StateCode::new(bad).is_err(), "{bad} should be rejected");
        }
    }
}
