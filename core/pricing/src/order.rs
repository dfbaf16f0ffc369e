//! The order to be priced: who buys from whom, on which date, where the goods are billed and
//! shipped, and the paid lines. Free lines are never part of the input; the engine derives them
//! from the paid lines on every call.

use std::collections::BTreeSet;

use dms_domain::{PartyId, ProductId, Quantity};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::iso_date;
use crate::error::{PricingError, Result};
use crate::gst::SupplyAddresses;

/// The parties to an order, which scheme targeting matches against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderParties {
    pub distributor_id: PartyId,
    /// The partner (retailer) buying; `None` on an order the distributor places with the company.
    #[serde(default)]
    pub partner_id: Option<PartyId>,
    #[serde(default)]
    pub partner_group_ids: Vec<String>,
    #[serde(default)]
    pub territory: Option<String>,
}

/// One paid line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Unique within the order; results refer to lines by this id.
    pub line_id: String,
    pub product_id: ProductId,
    pub quantity: Quantity,
    /// Unit of `quantity`; `None` means the product's base unit.
    #[serde(default)]
    pub unit: Option<String>,
}

/// An order to price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    /// Date that selects the schemes in force and the GST rates in force.
    #[serde(with = "iso_date")]
    pub date: Date,
    pub parties: OrderParties,
    pub supply: SupplyAddresses,
    pub lines: Vec<OrderLine>,
}

impl Order {
    /// Checks that line ids are non-empty and unique.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| PricingError::InvalidOrder {
            order_id: self.id.clone(),
            reason,
        };

        let mut seen = BTreeSet::new();
        for line in &self.lines {
            if line.line_id.trim().is_empty() {
                return Err(invalid(format!(
                    "a line of product {} has an empty line id",
                    line.product_id
                )));
            }
            if !seen.insert(line.line_id.as_str()) {
                return Err(invalid(format!("line id {:?} is used more than once", line.line_id)));
            }
        }
        Ok(())
    }
}
