//! Checks for quantities that may be zero (accepted, delivered, returned, invoiced), which
//! `dms_domain::Quantity` cannot hold because it is strictly positive.

use dms_domain::quantity::{MAX_QUANTITY, MAX_QUANTITY_SCALE};
use rust_decimal::Decimal;

use crate::error::{OrderError, Result};

/// Checks that `value` is from 0 to the largest line quantity with at most 3 decimal places,
/// and returns it normalised ("2.000" becomes "2").
pub(crate) fn non_negative(value: Decimal, context: impl FnOnce() -> String) -> Result<Decimal> {
    let invalid = |reason, context: String| OrderError::InvalidQuantity { context, value, reason };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid("must not be negative", context()));
    }
    if value > MAX_QUANTITY {
        return Err(invalid("must not exceed 1000000", context()));
    }
    let normalized = value.normalize();
    if normalized.scale() > MAX_QUANTITY_SCALE {
        return Err(invalid("must have at most 3 decimal places", context()));
    }
    Ok(normalized)
}

/// Returns the larger of `value` and zero.
pub(crate) fn at_least_zero(value: Decimal) -> Decimal {
    value.max(Decimal::ZERO)
}
