//! Applies the chosen price benefits to one line and records each scheme's amount.
//!
//! Each scheme's discount is rounded to paise when it is computed, and the line's net amount is
//! the list amount minus those rounded discounts, so the recorded amounts always add up to the
//! line discount exactly. Additive (and single) schemes are computed on the list amount;
//! compounding schemes on what the previous scheme left, in scheme id order. A discount that
//! would take the line below zero is cut to what is left, so no line is ever negative.

use rust_decimal::Decimal;

use crate::applicability::shown;
use crate::catalog::Product;
use crate::error::Result;
use crate::gst::rounding::round_paise;
use crate::priced::{AppliedScheme, SchemeEffect};
use crate::scheme::{Benefit, Scheme};
use crate::select::Combination;
use crate::units::amount_for_base_quantity;

/// One chosen price benefit, with the reason its condition was met.
pub(crate) struct DiscountStep<'a> {
    pub(crate) scheme: &'a Scheme,
    pub(crate) benefit: &'a Benefit,
    pub(crate) reason: &'a str,
}

/// The line being discounted.
pub(crate) struct LineQuantity<'a> {
    pub(crate) product: &'a Product,
    /// Quantity in base units.
    pub(crate) base_quantity: Decimal,
    /// List amount in paise.
    pub(crate) gross: Decimal,
}

/// Applies `steps` (sorted by scheme id) and returns the applied schemes and the total discount.
pub(crate) fn apply_line_discounts(
    line: &LineQuantity<'_>,
    steps: &[DiscountStep<'_>],
    combination: Combination,
) -> Result<(Vec<AppliedScheme>, Decimal)> {
    let mut remaining = line.gross;
    let mut applied = Vec::with_capacity(steps.len());

    for step in steps {
        let basis = match combination {
            Combination::Compounding => remaining,
            Combination::Single | Combination::Additive => line.gross,
        };
        let (wanted, effect_text) =
            benefit_amount(step.benefit, basis, line).map_err(|error| error.in_scheme(&step.scheme.id))?;
        let amount = wanted.min(remaining);
        remaining -= amount;

        let mut explanation = format!("{}: {}{effect_text}", step.scheme.name, step.reason);
        if amount < wanted {
            explanation.push_str(&format!("; limited to {amount} so the line does not go below zero"));
        }
        applied.push(AppliedScheme {
            scheme_id: step.scheme.id.clone(),
            scheme_name: step.scheme.name.clone(),
            priority: step.scheme.priority,
            effect: SchemeEffect::Discount {
                benefit: step.benefit.clone(),
            },
            amount,
            explanation,
        });
    }

    Ok((applied, round_paise(line.gross - remaining)))
}

/// Computes the discount a benefit gives on `basis`, rounded to paise, and describes the sum.
fn benefit_amount(benefit: &Benefit, basis: Decimal, line: &LineQuantity<'_>) -> Result<(Decimal, String)> {
    let units = &line.product.units;
    let id = &line.product.id;

    match benefit {
        Benefit::PercentOff { percent } => {
            let amount = round_paise(basis * percent / Decimal::ONE_HUNDRED);
            Ok((amount, format!("{}% off {basis} = {amount}", shown(*percent))))
        }
        Benefit::FlatOffPerUnit { amount: per_unit, unit } => {
            let base_units = units.base_units_per(id, unit.as_deref())?;
            let unit_name = units.display_name(unit.as_deref());
            let amount = round_paise(amount_for_base_quantity(*per_unit, line.base_quantity, base_units));
            let quantity = shown(line.base_quantity / base_units);
            let text = format!(
                "{} off per {unit_name} × {quantity} {unit_name} = {amount}",
                round_paise(*per_unit)
            );
            Ok((amount, text))
        }
        Benefit::FlatOffPerLine { amount } => {
            let amount = round_paise(*amount);
            Ok((amount, format!("{amount} off the line")))
        }
        Benefit::RateOverride { rate, unit } => {
            let base_units = units.base_units_per(id, unit.as_deref())?;
            let unit_name = units.display_name(unit.as_deref());
            let target = round_paise(amount_for_base_quantity(*rate, line.base_quantity, base_units));
            let rate_text = format!("{} per {unit_name}", round_paise(*rate));
            if target >= basis {
                let text = format!("rate {rate_text} is not below the current amount {basis}; no change");
                return Ok((round_paise(Decimal::ZERO), text));
            }
            let amount = round_paise(basis - target);
            Ok((
                amount,
                format!("rate set to {rate_text}: {basis} becomes {target}, {amount} off"),
            ))
        }
    }
}
