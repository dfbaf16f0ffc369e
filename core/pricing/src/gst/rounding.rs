//! Rounding rules for GST amounts. Every rounding is half away from zero
//! (`RoundingStrategy::MidpointAwayFromZero`), never half to even, because invoices are
//! checked by people who expect 0.005 to become 0.01 and ₹0.50 to become ₹1.
//!
//! The steps, in order:
//! 1. A line's amount (after schemes) is rounded to paise.
//! 2. Each tax on the line (CGST, SGST, IGST) is computed from that amount and rounded to
//!    paise on its own. CGST and SGST are each computed at half the rate, so they are equal.
//! 3. For a price that includes GST, the taxes from step 2 are computed from the inclusive
//!    amount (`amount × rate / (100 + total rate)`) and the taxable value is what remains:
//!    `inclusive amount − taxes`. The line then adds up to exactly the printed price.
//! 4. The invoice total (taxable values plus taxes) is rounded to the nearest rupee and the
//!    difference is shown as the round-off. Section 170 of the CGST Act 2017 rounds sums
//!    payable to the nearest rupee with fifty paise or more going up, and the invoice total
//!    follows the same rule.

use rust_decimal::{Decimal, RoundingStrategy};

const HALF_UP: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Rounds to paise, half away from zero, and always keeps two decimal places ("70.00").
pub fn round_paise(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, HALF_UP);
    rounded.rescale(2);
    rounded
}

/// Rounds to whole rupees, half away from zero ("100.50" becomes "101.00").
pub fn round_rupee(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(0, HALF_UP);
    rounded.rescale(2);
    rounded
}

/// Tax at `rate_percent` on a taxable value, rounded to paise.
pub fn tax_on_taxable_value(taxable_value: Decimal, rate_percent: Decimal) -> Decimal {
    round_paise(taxable_value * rate_percent / Decimal::ONE_HUNDRED)
}

/// Computes the part of a GST-inclusive amount that is tax at `rate_percent`, rounded to paise,
/// when the total GST rate on the amount is `total_rate_percent`. For an intra-state line
/// `rate_percent` is half the total rate (one of CGST or SGST).
pub fn tax_in_inclusive_amount(
    inclusive_amount: Decimal,
    rate_percent: Decimal,
    total_rate_percent: Decimal,
) -> Decimal {
    round_paise(inclusive_amount * rate_percent / (Decimal::ONE_HUNDRED + total_rate_percent))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn paise_round_half_up() {
        assert_eq!(round_paise(dec!(37.9755)), dec!(37.98));
        assert_eq!(round_paise(dec!(0.125)), dec!(0.13));
        assert_eq!(round_paise(dec!(0.135)), dec!(0.14));
        assert_eq!(round_paise(dec!(70)).to_string(), "70.00");
    }

    #[test]
    fn rupee_rounds_half_up_not_to_even() {
        assert_eq!(round_rupee(dec!(100.50)), dec!(101));
        assert_eq!(round_rupee(dec!(101.50)), dec!(102));
        assert_eq!(round_rupee(dec!(102.50)), dec!(103));
        assert_eq!(round_rupee(dec!(102.49)), dec!(102));
        assert_eq!(round_rupee(dec!(24900)).to_string(), "24900.00");
    }

    #[test]
    fn inclusive_back_out_keeps_the_price() {
        let half = tax_in_inclusive_amount(dec!(24900), dec!(14), dec!(28));
        assert_eq!(half, dec!(2723.44));
        assert_eq!(dec!(24900) - half - half, dec!(19453.12));
    }
}
