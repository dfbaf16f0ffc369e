//! Decides whether a line-level scheme applies to a product in this order, and what it gives.
//!
//! Conditions are measured on the whole order, per product: a slab looks at the total base
//! quantity (or list amount) of the product over all its lines, so splitting one line into two
//! never changes which slab applies. A scheme applies only when it would have an effect: a slab
//! scheme whose quantity is in no slab, or a buy-X-get-Y scheme below X, does not apply, and so
//! does not take part in the priority contest.
//!
//! Amounts used as conditions are list amounts (before any scheme), so a condition never
//! depends on the outcome of another scheme and the order in which products are priced does
//! not matter.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use rust_decimal::Decimal;

use crate::catalog::{Catalog, Product};
use crate::error::Result;
use crate::free_goods::complete_lots;
use crate::gst::rounding::round_paise;
use crate::scheme::{Benefit, FreeGoods, Scheme, SchemeKind, Trigger};

/// The order's total of one product over all its lines.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProductTotals {
    pub(crate) base_quantity: Decimal,
    /// List amount, unrounded.
    pub(crate) list_amount: Decimal,
}

/// Benefit that an applicable scheme gives a product.
#[derive(Clone, Debug)]
pub(crate) enum Resolution {
    Discount {
        benefit: Benefit,
        reason: String,
    },
    FreeGoods {
        free: FreeGoods,
        /// Free quantity in `free.unit`.
        quantity: Decimal,
        reason: String,
    },
}

/// Returns what `scheme` gives `product` in an order with these per-product totals, or
/// `None` when its condition is not met.
pub(crate) fn resolve(
    scheme: &Scheme,
    product: &Product,
    totals: &BTreeMap<ProductId, ProductTotals>,
    catalog: &Catalog,
) -> Result<Option<Resolution>> {
    let own = totals.get(&product.id).copied().unwrap_or_default();
    let units = &product.units;
    let id = &product.id;

    let resolution = match &scheme.kind {
        SchemeKind::Discount { benefit, .. } => Some(Resolution::Discount {
            benefit: benefit.clone(),
            reason: String::new(),
        }),

        SchemeKind::QuantitySlabs { unit, slabs, .. } => {
            let per_unit = units.base_units_per(id, unit.as_deref())?;
            let unit_name = units.display_name(unit.as_deref());
            find_slab(slabs, |slab| (slab.min, slab.max), own.base_quantity, per_unit).map(|slab| {
                Resolution::Discount {
                    benefit: slab.benefit.clone(),
                    reason: format!(
                        "order quantity {} {unit_name} is in slab {} {unit_name}; ",
                        shown(own.base_quantity / per_unit),
                        slab_range(slab.min, slab.max)
                    ),
                }
            })
        }

        SchemeKind::AmountSlabs { slabs, .. } => {
            find_slab(slabs, |slab| (slab.min, slab.max), own.list_amount, Decimal::ONE).map(|slab| {
                Resolution::Discount {
                    benefit: slab.benefit.clone(),
                    reason: format!(
                        "order list amount {} is in slab {}; ",
                        round_paise(own.list_amount),
                        slab_range(slab.min, slab.max)
                    ),
                }
            })
        }

        SchemeKind::BuyGetFree {
            buy, buy_unit, free, ..
        } => {
            let per_unit = units.base_units_per(id, buy_unit.as_deref())?;
            let buy_name = units.display_name(buy_unit.as_deref());
            let multiples = complete_lots(own.base_quantity, *buy * per_unit);
            (multiples > Decimal::ZERO).then(|| {
                let quantity = multiples * free.quantity;
                Resolution::FreeGoods {
                    free: free.clone(),
                    quantity,
                    reason: format!(
                        "order quantity {} {buy_name} contains {} full lot(s) of {} {buy_name}; ",
                        shown(own.base_quantity / per_unit),
                        shown(multiples),
                        shown(*buy)
                    ),
                }
            })
        }

        SchemeKind::FreeGoodsSlabs { unit, slabs, .. } => {
            let per_unit = units.base_units_per(id, unit.as_deref())?;
            let unit_name = units.display_name(unit.as_deref());
            find_slab(slabs, |slab| (slab.min, slab.max), own.base_quantity, per_unit).map(|slab| {
                Resolution::FreeGoods {
                    free: slab.free.clone(),
                    quantity: slab.free.quantity,
                    reason: format!(
                        "order quantity {} {unit_name} is in slab {} {unit_name}; ",
                        shown(own.base_quantity / per_unit),
                        slab_range(slab.min, slab.max)
                    ),
                }
            })
        }

        SchemeKind::CrossProductDiscount { trigger, benefit, .. } => {
            trigger_reason(trigger, totals, catalog)?.map(|reason| Resolution::Discount {
                benefit: benefit.clone(),
                reason,
            })
        }

        SchemeKind::OrderDiscount { .. } => None,
    };
    Ok(resolution)
}

/// Returns the reason text when the trigger is met, `None` when it is not.
fn trigger_reason(
    trigger: &Trigger,
    totals: &BTreeMap<ProductId, ProductTotals>,
    catalog: &Catalog,
) -> Result<Option<String>> {
    let trigger_product = trigger.product();
    let found = totals.get(trigger_product).copied().unwrap_or_default();
    match trigger {
        Trigger::Quantity { min, unit, .. } => {
            // A trigger product outside the catalog cannot be in the order, so it is never met.
            let Some(product) = catalog.get(trigger_product) else {
                return Ok(None);
            };
            let per_unit = product.units.base_units_per(trigger_product, unit.as_deref())?;
            let unit_name = product.units.display_name(unit.as_deref());
            let met = found.base_quantity >= *min * per_unit;
            Ok(met.then(|| {
                format!(
                    "order quantity of {trigger_product} {} {unit_name} reached the minimum {} {unit_name}; ",
                    shown(found.base_quantity / per_unit),
                    shown(*min)
                )
            }))
        }
        Trigger::Amount { min, .. } => {
            let met = found.list_amount >= *min;
            Ok(met.then(|| {
                format!(
                    "order list amount of {trigger_product} {} reached the minimum {}; ",
                    round_paise(found.list_amount),
                    round_paise(*min)
                )
            }))
        }
    }
}

/// Finds the slab whose inclusive bounds, in units of `per_unit` base units, contain `value`.
fn find_slab<T>(
    slabs: &[T],
    bounds: impl Fn(&T) -> (Decimal, Option<Decimal>),
    value: Decimal,
    per_unit: Decimal,
) -> Option<&T> {
    slabs.iter().find(|slab| {
        let (min, max) = bounds(slab);
        let above_min = value >= min * per_unit;
        let below_max = max.is_none_or(|max| value <= max * per_unit);
        above_min && below_max
    })
}

fn slab_range(min: Decimal, max: Option<Decimal>) -> String {
    match max {
        Some(max) => format!("{}–{}", shown(min), shown(max)),
        None => format!("{} or more", shown(min)),
    }
}

/// Drops trailing zeros for messages: "5", not "5.000".
pub(crate) fn shown(value: Decimal) -> Decimal {
    value.normalize()
}
