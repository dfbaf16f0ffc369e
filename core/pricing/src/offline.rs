//! The data a field device needs to price a cart exactly as the server does. It is each
//! catalog product's pricing data, the seller's pricing terms for the buyers the device sells
//! to, and the one conversion from a catalog product to an engine [`Product`]. The server
//! stores and serves these types and the device caches them, so both build the same catalog.

use std::collections::BTreeMap;

use dms_domain::{PartyId, ProductId};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use time::Date;

use crate::catalog::Product;
use crate::dates::iso_date;
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
    /// GST rates with the dates they are in force. When not empty, the rate in force on the
    /// order date replaces `gst_rate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gst_rates: Vec<DatedGstRate>,
    /// The buyer's list rate in rupees per `rate_unit`, from its price list. `None` means the
    /// catalog selling price per base unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_rate: Option<Decimal>,
    /// Unit `list_rate` is quoted in; `None` means the base unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_unit: Option<String>,
    /// Unit the buyer orders in on its channel (such as "case"); `None` means the base unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sellable_unit: Option<String>,
}

/// A GST rate and the inclusive dates it is in force; an open end has no date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedGstRate {
    /// Total GST rate in percent.
    pub rate: Decimal,
    #[serde(default, with = "iso_date::option")]
    pub from: Option<Date>,
    #[serde(default, with = "iso_date::option")]
    pub to: Option<Date>,
}

impl DatedGstRate {
    fn covers(&self, date: Date) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }
}

impl Default for ProductPricing {
    fn default() -> Self {
        Self {
            hsn: None,
            gst_rate: None,
            base_unit: DEFAULT_BASE_UNIT.to_owned(),
            unit_conversions: Vec::new(),
            price_includes_gst: false,
            gst_rates: Vec::new(),
            list_rate: None,
            rate_unit: None,
            sellable_unit: None,
        }
    }
}

impl ProductPricing {
    /// Returns whether the engine can price the product: it needs an HSN code and a GST rate,
    /// plain or dated.
    pub fn is_complete(&self) -> bool {
        self.hsn.is_some() && (self.gst_rate.is_some() || !self.gst_rates.is_empty())
    }

    /// Returns the GST rate in force on `date`: the first entry of `gst_rates` covering the
    /// date when the list has entries, else `gst_rate`.
    pub fn gst_rate_on(&self, date: Date) -> Option<Decimal> {
        if self.gst_rates.is_empty() {
            return self.gst_rate;
        }
        self.gst_rates
            .iter()
            .find(|entry| entry.covers(date))
            .map(|entry| entry.rate)
    }

    /// Sets the buyer's price-list rate. Returns the selling price per base unit it implies,
    /// rounded half up to paise, for orders priced without the engine; `None` when the rate's
    /// unit is not one of the product's units.
    pub fn apply_list_rate(&mut self, product_id: &ProductId, rate: &ListRate) -> Option<Decimal> {
        self.list_rate = Some(rate.rate);
        self.rate_unit = rate.unit.clone();
        let units = ProductUnits {
            base_unit: self.base_unit.clone(),
            conversions: self.unit_conversions.clone(),
        };
        let per = units.base_units_per(product_id, rate.unit.as_deref()).ok()?;
        if per.is_zero() {
            return None;
        }
        Some((rate.rate / per).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// Builds the engine product for a catalog product on the order date `date`. The list
    /// rate is the buyer's price-list rate when set, else the selling price per base unit, and
    /// the product's GST rate in force on `date` overrides any rate table. Returns the reason
    /// when the data is incomplete or invalid.
    pub fn engine_product(&self, product: &dms_domain::catalog::Product, date: Date) -> Result<Product, String> {
        let Some(hsn) = &self.hsn else {
            return Err("no HSN code and GST rate".to_owned());
        };
        let Some(gst_rate) = self.gst_rate_on(date) else {
            return Err(if self.gst_rates.is_empty() {
                "no HSN code and GST rate".to_owned()
            } else {
                format!("no GST rate in force on {date}")
            });
        };
        let engine_product = Product {
            id: product.id.clone(),
            name: product.name.clone(),
            hsn: hsn.clone(),
            units: ProductUnits {
                base_unit: self.base_unit.clone(),
                conversions: self.unit_conversions.clone(),
            },
            list_rate: self.list_rate.unwrap_or_else(|| product.selling_price.rupees()),
            rate_unit: self.rate_unit.clone(),
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
    /// The partner groups of each buyer these terms cover, so schemes aimed at a group apply
    /// on the device as on the server.
    #[serde(default)]
    pub buyer_groups: BTreeMap<PartyId, Vec<String>>,
    /// Schemes in the book that can apply to these buyers, sorted by id.
    #[serde(default)]
    pub schemes: Vec<Scheme>,
    /// The territory of each buyer these terms cover that has one, so schemes aimed at a
    /// territory apply on the device as on the server.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub buyer_territories: BTreeMap<PartyId, String>,
    /// Staff terms only: the rates of every price list assigned to a buyer these terms cover,
    /// by price list id. A buyer's own device receives its catalog at its prices instead.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub price_lists: BTreeMap<String, BTreeMap<ProductId, ListRate>>,
    /// Staff terms only: each buyer's price lists in precedence order (its own lists, then
    /// its groups' lists, each by id). The first list that prices a product sets its rate.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub buyer_price_lists: BTreeMap<PartyId, Vec<String>>,
}

impl PricingTerms {
    /// Returns the territory of `buyer`, if it has one.
    pub fn territory_of(&self, buyer: &PartyId) -> Option<&str> {
        self.buyer_territories.get(buyer).map(String::as_str)
    }

    /// Returns the price-list rate of `product` for `buyer` from staff terms: the first of the
    /// buyer's price lists that prices it. `None` means the catalog price applies.
    pub fn list_rate(&self, buyer: &PartyId, product: &ProductId) -> Option<&ListRate> {
        self.buyer_price_lists
            .get(buyer)?
            .iter()
            .find_map(|list| self.price_lists.get(list)?.get(product))
    }
}

/// One product's rate on a price list: rupees per `unit`, or per base unit when `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRate {
    pub rate: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn gst_rate_on_picks_the_dated_rate() {
        let pricing = ProductPricing {
            gst_rate: Some(Decimal::from(28)),
            gst_rates: vec![
                DatedGstRate {
                    rate: Decimal::from(18),
                    from: None,
                    to: Some(date!(2025 - 09 - 21)),
                },
                DatedGstRate {
                    rate: Decimal::from(12),
                    from: Some(date!(2025 - 09 - 22)),
                    to: None,
                },
            ],
            ..ProductPricing::default()
        };
        assert_eq!(pricing.gst_rate_on(date!(2025 - 09 - 21)), Some(Decimal::from(18)));
        assert_eq!(pricing.gst_rate_on(date!(2025 - 09 - 22)), Some(Decimal::from(12)));
        let undated = ProductPricing {
            gst_rate: Some(Decimal::from(28)),
            ..ProductPricing::default()
        };
        assert_eq!(undated.gst_rate_on(date!(2025 - 09 - 22)), Some(Decimal::from(28)));
    }

    #[test]
    fn gap_between_dated_rates_has_no_rate() {
        let pricing = ProductPricing {
            hsn: Some("3402".to_owned()),
            gst_rates: vec![DatedGstRate {
                rate: Decimal::from(18),
                from: Some(date!(2026 - 01 - 01)),
                to: None,
            }],
            ..ProductPricing::default()
        };
        assert!(pricing.is_complete());
        assert_eq!(pricing.gst_rate_on(date!(2025 - 12 - 31)), None);
    }
}
