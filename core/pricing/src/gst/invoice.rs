//! The tax on each invoice line and the invoice totals, following the steps in
//! [`super::rounding`]. An input line carries an amount that is either the taxable value or a
//! GST-inclusive amount. An output line carries the taxable value and each tax, in paise.
//!
//! The HSN-wise summary adds up the already-rounded line figures per (HSN, rate) pair and is
//! never rounded again, so its totals always equal the invoice totals.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rates::{validate_gst_rate, validate_hsn};
use super::rounding::{round_paise, round_rupee, tax_in_inclusive_amount, tax_on_taxable_value};
use super::{PlaceOfSupply, SupplyType};
use crate::error::{PricingError, Result};

const TWO: Decimal = Decimal::TWO;

/// Largest line amount accepted, in rupees (10^19). Larger values are input mistakes, and the
/// bound keeps `amount × rate` inside `Decimal`'s range.
const MAX_LINE_AMOUNT: Decimal = Decimal::from_parts(2_313_682_944, 2_328_306_436, 0, false, 0);

/// A line to be taxed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxableLine {
    pub line_id: String,
    pub hsn: String,
    /// Total GST rate in percent (the IGST rate, or CGST plus SGST), such as 18.
    pub gst_rate: Decimal,
    /// The line amount after discounts; the taxable value, or the amount including GST.
    pub amount: Decimal,
    pub amount_includes_gst: bool,
}

/// The tax on one line. On an intra-state supply `igst` is zero; on an inter-state supply
/// `cgst` and `sgst` are zero. `sgst` carries UTGST in a union territory without a legislature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub line_id: String,
    pub hsn: String,
    pub gst_rate: Decimal,
    pub amount_includes_gst: bool,
    pub taxable_value: Decimal,
    pub cgst: Decimal,
    pub sgst: Decimal,
    pub igst: Decimal,
    /// Taxable value plus all taxes.
    pub total: Decimal,
}

/// Taxable value and taxes for one HSN code at one rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HsnSummaryRow {
    pub hsn: String,
    pub gst_rate: Decimal,
    pub taxable_value: Decimal,
    pub cgst: Decimal,
    pub sgst: Decimal,
    pub igst: Decimal,
}

/// The GST part of an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxBreakdown {
    pub place_of_supply: PlaceOfSupply,
    pub supply_type: SupplyType,
    pub lines: Vec<TaxLine>,
    /// Sorted by HSN code, then rate.
    pub hsn_summary: Vec<HsnSummaryRow>,
    pub taxable_value: Decimal,
    pub cgst: Decimal,
    pub sgst: Decimal,
    pub igst: Decimal,
    /// Taxable value plus all taxes, in paise.
    pub total_before_round_off: Decimal,
    /// `grand_total − total_before_round_off`, between −0.49 and +0.50.
    pub round_off: Decimal,
    /// The total rounded to the rupee.
    pub grand_total: Decimal,
}

/// Computes the tax on each line, the HSN summary and the rounded invoice total.
pub fn compute_tax_breakdown(place_of_supply: &PlaceOfSupply, lines: &[TaxableLine]) -> Result<TaxBreakdown> {
    let supply_type = place_of_supply.supply_type();
    let tax_lines = lines
        .iter()
        .map(|line| tax_line(line, supply_type))
        .collect::<Result<Vec<_>>>()?;
    Ok(summarize(place_of_supply.clone(), supply_type, tax_lines))
}

fn tax_line(line: &TaxableLine, supply_type: SupplyType) -> Result<TaxLine> {
    validate_hsn(&line.hsn)?;
    validate_gst_rate(line.gst_rate, &format!("line {}", line.line_id))?;
    if line.amount < Decimal::ZERO || line.amount > MAX_LINE_AMOUNT {
        return Err(PricingError::InvalidTaxableLine {
            line_id: line.line_id.clone(),
            reason: format!("amount {} must be from 0 to {MAX_LINE_AMOUNT}", line.amount),
        });
    }

    // Step 1: the amount in paise.
    let amount = round_paise(line.amount);
    let rate = line.gst_rate;
    let half_rate = rate / TWO;

    // Steps 2 and 3: each tax rounded to paise on its own; an inclusive amount keeps its value.
    let (taxable_value, cgst, sgst, igst) = match (supply_type, line.amount_includes_gst) {
        (SupplyType::IntraState, false) => {
            let half = tax_on_taxable_value(amount, half_rate);
            (amount, half, half, Decimal::ZERO)
        }
        (SupplyType::IntraState, true) => {
            let half = tax_in_inclusive_amount(amount, half_rate, rate);
            (amount - half - half, half, half, Decimal::ZERO)
        }
        (SupplyType::InterState, false) => {
            let igst = tax_on_taxable_value(amount, rate);
            (amount, Decimal::ZERO, Decimal::ZERO, igst)
        }
        (SupplyType::InterState, true) => {
            let igst = tax_in_inclusive_amount(amount, rate, rate);
            (amount - igst, Decimal::ZERO, Decimal::ZERO, igst)
        }
    };

    Ok(TaxLine {
        line_id: line.line_id.clone(),
        hsn: line.hsn.clone(),
        gst_rate: rate,
        amount_includes_gst: line.amount_includes_gst,
        taxable_value: round_paise(taxable_value),
        cgst: round_paise(cgst),
        sgst: round_paise(sgst),
        igst: round_paise(igst),
        total: round_paise(taxable_value + cgst + sgst + igst),
    })
}

fn summarize(place_of_supply: PlaceOfSupply, supply_type: SupplyType, lines: Vec<TaxLine>) -> TaxBreakdown {
    let mut by_hsn: BTreeMap<(String, Decimal), HsnSummaryRow> = BTreeMap::new();
    for line in &lines {
        let row = by_hsn
            .entry((line.hsn.clone(), line.gst_rate.normalize()))
            .or_insert_with(|| HsnSummaryRow {
                hsn: line.hsn.clone(),
                gst_rate: line.gst_rate,
                taxable_value: round_paise(Decimal::ZERO),
                cgst: round_paise(Decimal::ZERO),
                sgst: round_paise(Decimal::ZERO),
                igst: round_paise(Decimal::ZERO),
            });
        row.taxable_value += line.taxable_value;
        row.cgst += line.cgst;
        row.sgst += line.sgst;
        row.igst += line.igst;
    }

    let sum = |field: fn(&TaxLine) -> Decimal| round_paise(lines.iter().map(field).sum());
    let taxable_value = sum(|line| line.taxable_value);
    let cgst = sum(|line| line.cgst);
    let sgst = sum(|line| line.sgst);
    let igst = sum(|line| line.igst);

    // Step 4: round the invoice total to the rupee and show the difference.
    let total_before_round_off = round_paise(taxable_value + cgst + sgst + igst);
    let grand_total = round_rupee(total_before_round_off);
    let round_off = round_paise(grand_total - total_before_round_off);

    TaxBreakdown {
        place_of_supply,
        supply_type,
        lines,
        hsn_summary: by_hsn.into_values().collect(),
        taxable_value,
        cgst,
        sgst,
        igst,
        total_before_round_off,
        round_off,
        grand_total,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn line_amount_limit_is_ten_to_the_nineteenth() {
        assert_eq!(MAX_LINE_AMOUNT, dec!(10000000000000000000));
        assert_eq!(crate::catalog::MAX_AMOUNT, dec!(1000000000000));
        assert_eq!(crate::MAX_ORDER_AMOUNT, dec!(1000000000000000));
    }
}
