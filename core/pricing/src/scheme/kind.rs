//! The kinds of scheme and their benefits. Quantities in a scheme may be stated in any unit the
//! product defines (`None` means the base unit). They are converted to base units before they
//! are compared, so one scheme works for a line entered in boxes and a line entered in pieces.
//!
//! Slab bounds are inclusive at both ends: a slab "5–7 units" covers 5, 6.5 and 7 but not 7.2.
//! `max: None` leaves a slab open-ended.

use dms_domain::ProductId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The effect of a scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SchemeKind {
    /// A discount on every line of the listed products.
    Discount { products: Vec<ProductId>, benefit: Benefit },

    /// A discount chosen by the order's total quantity of the product, per product.
    QuantitySlabs {
        products: Vec<ProductId>,
        /// Unit of the slab bounds; `None` means each product's base unit.
        #[serde(default)]
        unit: Option<String>,
        slabs: Vec<Slab>,
    },

    /// A discount chosen by the order's total list amount of the product, per product.
    AmountSlabs { products: Vec<ProductId>, slabs: Vec<Slab> },

    /// For every complete `buy` quantity of `product` in the order, `free` is given. Partial
    /// multiples give nothing: free quantity = floor(bought / buy) × free quantity.
    BuyGetFree {
        product: ProductId,
        buy: Decimal,
        #[serde(default)]
        buy_unit: Option<String>,
        free: FreeGoods,
    },

    /// Free goods chosen by the order's total quantity of `product`, a fixed quantity per slab.
    FreeGoodsSlabs {
        product: ProductId,
        #[serde(default)]
        unit: Option<String>,
        slabs: Vec<FreeGoodsSlab>,
    },

    /// A discount on the listed products once the order contains enough of another product.
    CrossProductDiscount {
        trigger: Trigger,
        products: Vec<ProductId>,
        benefit: Benefit,
    },

    /// A discount on the whole order, allocated to its lines in proportion to their amounts.
    OrderDiscount {
        #[serde(default)]
        min_order_amount: Option<Decimal>,
        benefit: OrderBenefit,
    },
}

/// A price benefit on a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Benefit {
    /// Percent off the amount the benefit is applied to (list amount, or the running amount when compounding).
    PercentOff { percent: Decimal },
    /// Rupees off per unit bought; `unit: None` means per base unit.
    FlatOffPerUnit {
        amount: Decimal,
        #[serde(default)]
        unit: Option<String>,
    },
    /// Rupees off once per order line, whatever its quantity.
    FlatOffPerLine { amount: Decimal },
    /// Sets the rate, in rupees per `unit` (`None` means per base unit). A rate above the
    /// current rate has no effect, because a scheme never raises a price.
    RateOverride {
        rate: Decimal,
        #[serde(default)]
        unit: Option<String>,
    },
}

/// One slab of a quantity or amount slab scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slab {
    pub min: Decimal,
    #[serde(default)]
    pub max: Option<Decimal>,
    pub benefit: Benefit,
}

/// Goods given free: `quantity` of `product` in `unit` (`None` means its base unit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeGoods {
    pub product: ProductId,
    pub quantity: Decimal,
    #[serde(default)]
    pub unit: Option<String>,
}

/// One slab of a free goods slab scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeGoodsSlab {
    pub min: Decimal,
    #[serde(default)]
    pub max: Option<Decimal>,
    pub free: FreeGoods,
}

/// The condition on another product that unlocks a cross-product discount. The amount is the
/// trigger product's list amount in the order, before any scheme, so the condition never
/// depends on which schemes the trigger product itself receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "measure", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    Quantity {
        product: ProductId,
        min: Decimal,
        #[serde(default)]
        unit: Option<String>,
    },
    Amount {
        product: ProductId,
        min: Decimal,
    },
}

impl Trigger {
    pub fn product(&self) -> &ProductId {
        match self {
            Trigger::Quantity { product, .. } | Trigger::Amount { product, .. } => product,
        }
    }
}

/// A benefit on the whole order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OrderBenefit {
    PercentOff { percent: Decimal },
    FlatOff { amount: Decimal },
}

impl SchemeKind {
    /// Products whose lines this scheme can change or whose quantity can trigger free goods.
    pub fn line_products(&self) -> Vec<&ProductId> {
        match self {
            SchemeKind::Discount { products, .. }
            | SchemeKind::QuantitySlabs { products, .. }
            | SchemeKind::AmountSlabs { products, .. }
            | SchemeKind::CrossProductDiscount { products, .. } => products.iter().collect(),
            SchemeKind::BuyGetFree { product, .. } | SchemeKind::FreeGoodsSlabs { product, .. } => {
                vec![product]
            }
            SchemeKind::OrderDiscount { .. } => Vec::new(),
        }
    }

    /// Returns whether this is an order-level scheme rather than a line-level one.
    pub fn is_order_level(&self) -> bool {
        matches!(self, SchemeKind::OrderDiscount { .. })
    }
}
