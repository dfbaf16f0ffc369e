//! The result of pricing an order: every line with the schemes that changed it and why, the
//! derived free lines, the order-level discounts and the GST breakdown. Everything here is
//! serializable, so a device can store what it showed and the server can compare it with its
//! own result byte for byte.

use dms_domain::ProductId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::dates::iso_date;
use crate::gst::TaxBreakdown;
use crate::scheme::{Benefit, OrderBenefit, SchemeId};

/// Effect of an applied scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SchemeEffect {
    /// A price benefit on the line (for a slab scheme, the benefit of the matched slab).
    Discount { benefit: Benefit },
    /// Free goods earned by this line's product; the goods themselves are a [`FreeLine`].
    FreeGoods {
        product_id: ProductId,
        quantity: Decimal,
        unit: String,
    },
    /// A discount on the whole order.
    OrderDiscount { benefit: OrderBenefit },
}

/// One scheme applied to a line or to the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedScheme {
    pub scheme_id: SchemeId,
    pub scheme_name: String,
    pub priority: i32,
    pub effect: SchemeEffect,
    /// Rupees taken off by this scheme, in paise; zero for free goods.
    pub amount: Decimal,
    /// Explanation for people of why the scheme applied and how the amount was computed.
    pub explanation: String,
}

/// A scheme whose conditions were met but which lost to a higher priority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAsideScheme {
    pub scheme_id: SchemeId,
    pub priority: i32,
    pub reason: String,
}

/// A paid line after pricing. Amounts are in rupees rounded to paise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub line_id: String,
    pub product_id: ProductId,
    pub hsn: String,
    /// Quantity in `unit`, as ordered.
    pub quantity: Decimal,
    pub unit: String,
    pub base_quantity: Decimal,
    pub base_unit: String,
    /// List rate per `unit`.
    pub list_rate: Decimal,
    /// List rate × quantity.
    pub gross_amount: Decimal,
    /// Line-level schemes in the order they were applied.
    pub applied: Vec<AppliedScheme>,
    pub set_aside: Vec<SetAsideScheme>,
    /// Sum of the line-level scheme amounts.
    pub line_discount: Decimal,
    /// `gross_amount − line_discount`: the line's price before any order-level discount.
    pub net_amount: Decimal,
    /// `net_amount / quantity`, per `unit`, rounded to paise for display.
    pub net_rate: Decimal,
    /// `net_amount / base_quantity`, per base unit, rounded to paise for display.
    pub net_rate_per_base_unit: Decimal,
    /// This line's share of the order-level discounts.
    pub order_discount: Decimal,
    /// `net_amount − order_discount`: the amount GST is computed on or backed out of.
    pub final_amount: Decimal,
    pub amount_includes_gst: bool,
    pub gst_rate: Decimal,
}

/// Goods given free by a scheme. Derived on every pricing call; never part of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeLine {
    pub scheme_id: SchemeId,
    pub product_id: ProductId,
    pub hsn: String,
    pub quantity: Decimal,
    pub unit: String,
    pub base_quantity: Decimal,
    pub base_unit: String,
    /// The product whose order quantity earned these goods.
    pub earned_by: ProductId,
    /// Value of the goods at list rate, for information; the line is not charged.
    pub list_value: Decimal,
    pub explanation: String,
}

/// A priced order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedOrder {
    pub order_id: String,
    #[serde(with = "iso_date")]
    pub date: Date,
    /// In the order of the input lines.
    pub lines: Vec<PricedLine>,
    /// Sorted by earning product, scheme id and free product.
    pub free_lines: Vec<FreeLine>,
    pub order_schemes: Vec<AppliedScheme>,
    pub order_set_aside: Vec<SetAsideScheme>,
    /// Sum of the lines' `net_amount`: the amount order-level schemes see.
    pub net_total: Decimal,
    /// Sum of the order-level scheme amounts.
    pub order_discount: Decimal,
    pub tax: TaxBreakdown,
}

impl PricedOrder {
    /// Ids of every scheme applied to a line, earning free goods or applied to the order,
    /// sorted and without repeats.
    pub fn applied_scheme_ids(&self) -> Vec<String> {
        let line_schemes = self.lines.iter().flat_map(|line| &line.applied);
        let mut ids: Vec<String> = line_schemes
            .chain(&self.order_schemes)
            .map(|applied| applied.scheme_id.as_str().to_owned())
            .chain(self.free_lines.iter().map(|free| free.scheme_id.as_str().to_owned()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}
