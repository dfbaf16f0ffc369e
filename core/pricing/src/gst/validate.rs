//! Checks a tax breakdown received from elsewhere (a stored invoice, another system's
//! invoice, a device's result) before it is accepted. It rejects the mistakes that make an
//! invoice legally wrong. These are IGST on an intra-state supply, CGST or SGST on an
//! inter-state one, unequal CGST and SGST, a tax that is not the rate applied to the taxable
//! value, and totals that do not add up.

use rust_decimal::Decimal;

use super::SupplyType;
use super::invoice::{TaxBreakdown, TaxLine};
use super::rounding::{round_paise, round_rupee, tax_on_taxable_value};
use crate::error::{PricingError, Result};

/// Largest accepted difference between a tax and the rate applied to the taxable value. Backing
/// tax out of an inclusive price can move the tax by one paisa from `taxable × rate`.
const TAX_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// Checks tax types against the supply type, equal CGST and SGST, each tax against its rate,
/// and the totals and round-off. Returns the first problem found.
pub fn validate_tax_breakdown(breakdown: &TaxBreakdown) -> Result<()> {
    let place = &breakdown.place_of_supply;
    let supply_type = place.supply_type();
    if breakdown.supply_type != supply_type {
        return Err(PricingError::SupplyTypeMismatch {
            recorded: breakdown.supply_type,
            expected: supply_type,
            supplier_state: place.supplier_state.to_string(),
            place_of_supply: place.state.to_string(),
        });
    }
    for line in &breakdown.lines {
        validate_line(line, supply_type)?;
    }
    validate_totals(breakdown)
}

fn validate_line(line: &TaxLine, supply_type: SupplyType) -> Result<()> {
    let wrong_tax = |tax, amount| PricingError::WrongTaxType {
        line_id: line.line_id.clone(),
        supply_type,
        tax,
        amount,
    };

    match supply_type {
        SupplyType::IntraState => {
            if !line.igst.is_zero() {
                return Err(wrong_tax("IGST", line.igst));
            }
            if line.cgst != line.sgst {
                return Err(PricingError::UnequalCgstSgst {
                    line_id: line.line_id.clone(),
                    cgst: line.cgst,
                    sgst: line.sgst,
                });
            }
            let half_rate = line.gst_rate / Decimal::TWO;
            check_rate(line, "CGST", line.cgst, half_rate)?;
            check_rate(line, "SGST", line.sgst, half_rate)
        }
        SupplyType::InterState => {
            if !line.cgst.is_zero() {
                return Err(wrong_tax("CGST", line.cgst));
            }
            if !line.sgst.is_zero() {
                return Err(wrong_tax("SGST", line.sgst));
            }
            check_rate(line, "IGST", line.igst, line.gst_rate)
        }
    }
}

fn check_rate(line: &TaxLine, tax: &'static str, found: Decimal, rate: Decimal) -> Result<()> {
    let expected = tax_on_taxable_value(line.taxable_value, rate);
    if (found - expected).abs() > TAX_TOLERANCE {
        return Err(PricingError::TaxAmountMismatch {
            line_id: line.line_id.clone(),
            tax,
            found,
            expected,
            rate,
            taxable_value: line.taxable_value,
        });
    }
    Ok(())
}

fn validate_totals(breakdown: &TaxBreakdown) -> Result<()> {
    let lines = &breakdown.lines;
    let sum = |field: fn(&TaxLine) -> Decimal| round_paise(lines.iter().map(field).sum());
    let checks = [
        ("taxable_value", breakdown.taxable_value, sum(|line| line.taxable_value)),
        ("cgst", breakdown.cgst, sum(|line| line.cgst)),
        ("sgst", breakdown.sgst, sum(|line| line.sgst)),
        ("igst", breakdown.igst, sum(|line| line.igst)),
    ];
    for (field, found, expected) in checks {
        if found != expected {
            return Err(PricingError::InconsistentTotals { field, found, expected });
        }
    }

    let before = breakdown.taxable_value + breakdown.cgst + breakdown.sgst + breakdown.igst;
    let totals = [
        ("total_before_round_off", breakdown.total_before_round_off, before),
        ("grand_total", breakdown.grand_total, round_rupee(before)),
        ("round_off", breakdown.round_off, round_rupee(before) - before),
    ];
    for (field, found, expected) in totals {
        if found != expected {
            return Err(PricingError::InconsistentTotals { field, found, expected });
        }
    }
    Ok(())
}
