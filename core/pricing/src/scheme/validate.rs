//! Checks on a scheme's own data, run when a [`super::SchemeBook`] is built. Checks that need the
//! catalog (a unit the product does not define, a free product not in the catalog) run during
//! pricing, because a scheme book is shared by catalogs that change independently.

use rust_decimal::Decimal;

use super::Scheme;
use super::kind::{Benefit, FreeGoods, OrderBenefit, SchemeKind, Slab, Trigger};
use crate::catalog::MAX_AMOUNT;
use crate::error::{PricingError, Result};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

impl Scheme {
    /// Checks dates, products, benefits and slabs; the error names the scheme and the bad value.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| PricingError::InvalidScheme {
            scheme: self.id.clone(),
            reason,
        };

        if self.id.as_str().trim().is_empty() {
            return Err(invalid("the scheme id is empty".to_owned()));
        }
        if self.valid_from > self.valid_to {
            return Err(invalid(format!(
                "valid_from {} is after valid_to {}",
                self.valid_from, self.valid_to
            )));
        }
        self.validate_kind().map_err(invalid)
    }

    fn validate_kind(&self) -> std::result::Result<(), String> {
        match &self.kind {
            SchemeKind::Discount { products, benefit } => {
                require_products(products.len())?;
                validate_benefit(benefit)
            }
            SchemeKind::QuantitySlabs { products, slabs, .. } | SchemeKind::AmountSlabs { products, slabs } => {
                require_products(products.len())?;
                for slab in slabs {
                    validate_benefit(&slab.benefit)?;
                }
                validate_bounds(slabs.iter().map(|slab: &Slab| (slab.min, slab.max)).collect())
            }
            SchemeKind::BuyGetFree { buy, free, .. } => {
                if *buy <= Decimal::ZERO || *buy > MAX_AMOUNT {
                    return Err(format!(
                        "buy quantity {buy} must be greater than 0 and at most {MAX_AMOUNT}"
                    ));
                }
                validate_free_goods(free)
            }
            SchemeKind::FreeGoodsSlabs { slabs, .. } => {
                for slab in slabs {
                    validate_free_goods(&slab.free)?;
                }
                validate_bounds(slabs.iter().map(|slab| (slab.min, slab.max)).collect())
            }
            SchemeKind::CrossProductDiscount {
                trigger,
                products,
                benefit,
            } => {
                require_products(products.len())?;
                let min = match trigger {
                    Trigger::Quantity { min, .. } | Trigger::Amount { min, .. } => *min,
                };
                if min <= Decimal::ZERO || min > MAX_AMOUNT {
                    return Err(format!(
                        "trigger minimum {min} must be greater than 0 and at most {MAX_AMOUNT}"
                    ));
                }
                validate_benefit(benefit)
            }
            SchemeKind::OrderDiscount {
                min_order_amount,
                benefit,
            } => {
                if let Some(min) = min_order_amount
                    && (*min < Decimal::ZERO || *min > MAX_AMOUNT)
                {
                    return Err(format!("minimum order amount {min} must be from 0 to {MAX_AMOUNT}"));
                }
                match benefit {
                    OrderBenefit::PercentOff { percent } => validate_percent(*percent),
                    OrderBenefit::FlatOff { amount } => validate_positive_amount(*amount),
                }
            }
        }
    }
}

fn require_products(count: usize) -> std::result::Result<(), String> {
    if count == 0 {
        return Err("the scheme lists no products".to_owned());
    }
    Ok(())
}

fn validate_benefit(benefit: &Benefit) -> std::result::Result<(), String> {
    match benefit {
        Benefit::PercentOff { percent } => validate_percent(*percent),
        Benefit::FlatOffPerUnit { amount, .. } | Benefit::FlatOffPerLine { amount } => {
            validate_positive_amount(*amount)
        }
        Benefit::RateOverride { rate, .. } => {
            if *rate < Decimal::ZERO || *rate > MAX_AMOUNT {
                return Err(format!("override rate {rate} must be from 0 to {MAX_AMOUNT}"));
            }
            Ok(())
        }
    }
}

fn validate_percent(percent: Decimal) -> std::result::Result<(), String> {
    if percent <= Decimal::ZERO || percent > HUNDRED {
        return Err(format!("percent {percent} must be greater than 0 and at most 100"));
    }
    Ok(())
}

fn validate_positive_amount(amount: Decimal) -> std::result::Result<(), String> {
    if amount <= Decimal::ZERO || amount > MAX_AMOUNT {
        return Err(format!(
            "amount {amount} must be greater than 0 and at most {MAX_AMOUNT}"
        ));
    }
    Ok(())
}

fn validate_free_goods(free: &FreeGoods) -> std::result::Result<(), String> {
    if free.quantity <= Decimal::ZERO || free.quantity > MAX_AMOUNT {
        return Err(format!(
            "free quantity {} of product {} must be greater than 0 and at most {MAX_AMOUNT}",
            free.quantity, free.product
        ));
    }
    Ok(())
}

/// Slabs must be non-empty, each with `0 <= min <= max <= MAX_AMOUNT`, and must not overlap.
fn validate_bounds(mut bounds: Vec<(Decimal, Option<Decimal>)>) -> std::result::Result<(), String> {
    if bounds.is_empty() {
        return Err("the scheme has no slabs".to_owned());
    }
    for (min, max) in &bounds {
        if *min < Decimal::ZERO {
            return Err(format!("slab minimum {min} must not be negative"));
        }
        if max.unwrap_or(*min) > MAX_AMOUNT {
            return Err(format!("slab bounds must not exceed {MAX_AMOUNT}"));
        }
        if let Some(max) = max
            && max < min
        {
            return Err(format!("slab maximum {max} is below its minimum {min}"));
        }
    }

    bounds.sort();
    for pair in bounds.windows(2) {
        let (earlier_min, earlier_max) = pair[0];
        let (later_min, _) = pair[1];
        let overlaps = earlier_max.is_none_or(|max| max >= later_min);
        if overlaps {
            let shown_max = earlier_max.map_or("no maximum".to_owned(), |max| max.to_string());
            return Err(format!(
                "slab {earlier_min}–{shown_max} overlaps the slab starting at {later_min}"
            ));
        }
    }
    Ok(())
}
