//! Free goods: how many are earned, and the free lines that carry them.
//!
//! Free lines are derived from the paid lines on every pricing call and never read back, so
//! when a quantity drops below a threshold the free line simply is not produced. Only complete
//! lots earn free goods ("buy 20 get 1": 39 bought earns 1, 40 earns 2). Free lines are valued
//! at zero on the invoice; their list value is shown for information.
//!
//! NOTE: with zero value, a free line carries no GST. CBIC Circular 92/11/2019-GST treats a
//! buy-one-get-one offer as two supplies for one price, taxed as a composite or mixed supply.
//! If the free product has a higher rate than the paid one, a mixed supply is taxable at the
//! higher rate, and this engine does not apply that.

use dms_domain::ProductId;
use rust_decimal::Decimal;

use crate::applicability::shown;
use crate::catalog::Catalog;
use crate::error::{PricingError, Result};
use crate::gst::rounding::round_paise;
use crate::priced::FreeLine;
use crate::scheme::{FreeGoods, Scheme};

/// Number of complete lots of `lot` in `bought`, both in base units: floor(bought / lot).
pub(crate) fn complete_lots(bought: Decimal, lot: Decimal) -> Decimal {
    (bought / lot).floor()
}

/// Builds the free line for `quantity` (in `free.unit`) of the free product.
pub(crate) fn free_line(
    scheme: &Scheme,
    earned_by: &ProductId,
    free: &FreeGoods,
    quantity: Decimal,
    reason: &str,
    catalog: &Catalog,
) -> Result<FreeLine> {
    let product = catalog
        .get(&free.product)
        .ok_or_else(|| PricingError::UnknownFreeProduct {
            scheme: scheme.id.clone(),
            product: free.product.clone(),
        })?;
    let base_quantity = product
        .units
        .to_base(&product.id, quantity, free.unit.as_deref())
        .map_err(|error| error.in_scheme(&scheme.id))?;
    let unit = product.units.display_name(free.unit.as_deref()).to_owned();
    let explanation = format!(
        "{}: {reason}{} {unit} of {} free",
        scheme.name,
        shown(quantity),
        product.id
    );

    Ok(FreeLine {
        scheme_id: scheme.id.clone(),
        product_id: product.id.clone(),
        hsn: product.hsn.clone(),
        quantity: shown(quantity),
        unit,
        base_quantity: shown(base_quantity),
        base_unit: product.units.base_unit.clone(),
        earned_by: earned_by.clone(),
        list_value: round_paise(product.list_amount(base_quantity)?),
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn only_complete_lots_count() {
        assert_eq!(complete_lots(dec!(19), dec!(20)), dec!(0));
        assert_eq!(complete_lots(dec!(39), dec!(20)), dec!(1));
        assert_eq!(complete_lots(dec!(40), dec!(20)), dec!(2));
        assert_eq!(complete_lots(dec!(15), dec!(10)), dec!(1));
    }
}
