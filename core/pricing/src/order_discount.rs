//! Order-level discounts: selection, amounts, and allocation of the total to the lines.
//!
//! The order amount is the sum of the lines' net amounts (after line-level schemes). The same
//! priority and stacking rules as for lines decide which order schemes apply. The total is
//! then split over the lines in proportion to their net amounts, because GST is charged on
//! each line's value after the discount and lines can carry different rates.
//!
//! The split works in whole paise by the largest-remainder method. Each line first gets the
//! floor of its exact share. The paise left over go one each to the lines with the largest
//! fractional remainders, ties going to the larger net amount and then the smaller line id.
//! No line gets more than its net amount, and the result does not depend on line order.

use rust_decimal::Decimal;

use crate::error::Result;
use crate::gst::rounding::round_paise;
use crate::order::Order;
use crate::priced::{AppliedScheme, SchemeEffect, SetAsideScheme};
use crate::scheme::{OrderBenefit, SchemeBook, SchemeKind};
use crate::select::{Candidate, Combination, select};

/// The order-level outcome.
pub(crate) struct OrderDiscounts {
    pub(crate) applied: Vec<AppliedScheme>,
    pub(crate) set_aside: Vec<SetAsideScheme>,
    pub(crate) total: Decimal,
    /// Each line's share, in the order of `net_amounts`.
    pub(crate) shares: Vec<Decimal>,
}

struct OrderResolution<'a> {
    benefit: &'a OrderBenefit,
    reason: String,
}

/// Selects and applies order-level schemes. `net_amounts` contains (line id, net amount) per line.
pub(crate) fn apply_order_discounts(
    order: &Order,
    schemes: &SchemeBook,
    net_amounts: &[(&str, Decimal)],
) -> Result<OrderDiscounts> {
    let order_amount = round_paise(net_amounts.iter().map(|(_, amount)| *amount).sum());

    let mut candidates = Vec::new();
    for scheme in schemes.order_level() {
        let SchemeKind::OrderDiscount {
            min_order_amount,
            benefit,
        } = &scheme.kind
        else {
            continue;
        };
        let minimum_met = min_order_amount.is_none_or(|min| order_amount >= min);
        if !scheme.is_active_for(order.date, &order.parties) || order_amount <= Decimal::ZERO || !minimum_met {
            continue;
        }
        let reason = min_order_amount.map_or_else(String::new, |min| {
            format!("order amount {order_amount} reached the minimum {}; ", round_paise(min))
        });
        candidates.push(Candidate {
            scheme,
            resolution: OrderResolution { benefit, reason },
        });
    }
    let selection = select(&format!("order {}", order.id), candidates)?;

    let mut remaining = order_amount;
    let mut applied = Vec::with_capacity(selection.chosen.len());
    for candidate in &selection.chosen {
        let basis = match selection.combination {
            Combination::Compounding => remaining,
            Combination::Single | Combination::Additive => order_amount,
        };
        let (wanted, effect_text) = match candidate.resolution.benefit {
            OrderBenefit::PercentOff { percent } => {
                let amount = round_paise(basis * percent / Decimal::ONE_HUNDRED);
                (
                    amount,
                    format!("{}% off order amount {basis} = {amount}", percent.normalize()),
                )
            }
            OrderBenefit::FlatOff { amount } => {
                let amount = round_paise(*amount);
                (amount, format!("{amount} off the order"))
            }
        };
        let amount = wanted.min(remaining);
        remaining -= amount;

        let mut explanation = format!(
            "{}: {}{effect_text}",
            candidate.scheme.name, candidate.resolution.reason
        );
        if amount < wanted {
            explanation.push_str(&format!("; limited to {amount} so the order does not go below zero"));
        }
        applied.push(AppliedScheme {
            scheme_id: candidate.scheme.id.clone(),
            scheme_name: candidate.scheme.name.clone(),
            priority: candidate.scheme.priority,
            effect: SchemeEffect::OrderDiscount {
                benefit: candidate.resolution.benefit.clone(),
            },
            amount,
            explanation,
        });
    }

    let total = round_paise(order_amount - remaining);
    Ok(OrderDiscounts {
        applied,
        set_aside: selection.set_aside,
        total,
        shares: allocate(total, net_amounts),
    })
}

/// Splits `total` over the lines in proportion to their amounts, in whole paise.
fn allocate(total: Decimal, net_amounts: &[(&str, Decimal)]) -> Vec<Decimal> {
    let total_paise = to_paise(total);
    let amounts: Vec<i128> = net_amounts.iter().map(|(_, amount)| to_paise(*amount)).collect();
    let sum: i128 = amounts.iter().sum();
    if total_paise == 0 || sum == 0 {
        return vec![round_paise(Decimal::ZERO); net_amounts.len()];
    }

    let mut shares: Vec<i128> = amounts.iter().map(|amount| total_paise * amount / sum).collect();
    let left_over = total_paise - shares.iter().sum::<i128>();

    let mut by_remainder: Vec<usize> = (0..amounts.len()).collect();
    by_remainder.sort_by(|&left, &right| {
        let remainder = |index: usize| total_paise * amounts[index] % sum;
        remainder(right)
            .cmp(&remainder(left))
            .then(amounts[right].cmp(&amounts[left]))
            .then(net_amounts[left].0.cmp(net_amounts[right].0))
    });
    for index in by_remainder.into_iter().take(usize::try_from(left_over).unwrap_or(0)) {
        shares[index] += 1;
    }

    shares
        .into_iter()
        .map(|paise| Decimal::from_i128_with_scale(paise, 2))
        .collect()
}

/// Converts an amount to a whole number of paise, rounding half away from zero first.
fn to_paise(amount: Decimal) -> i128 {
    let mut amount = round_paise(amount);
    amount.rescale(2);
    amount.mantissa()
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn allocation_adds_up_and_stays_within_lines() {
        let lines = [("a", dec!(100.00)), ("b", dec!(100.00)), ("c", dec!(100.00))];
        let shares = allocate(dec!(10.00), &lines);
        assert_eq!(shares.iter().copied().sum::<Decimal>(), dec!(10.00));
        assert_eq!(shares, vec![dec!(3.34), dec!(3.33), dec!(3.33)]);

        let uneven = [("a", dec!(0.01)), ("b", dec!(999.99))];
        let shares = allocate(dec!(1000.00), &uneven);
        assert_eq!(shares, vec![dec!(0.01), dec!(999.99)]);
    }
}
