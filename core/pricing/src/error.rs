//! The crate's one error type. Every variant names the ids and values involved, so a message
//! shown to a field user or written to a server log points at the record to fix.

use dms_domain::ProductId;
use rust_decimal::Decimal;
use thiserror::Error;
use time::Date;

use crate::gst::SupplyType;
use crate::scheme::SchemeId;

/// Errors from pricing, scheme validation, GST calculation and the GST schedule loader.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PricingError {
    #[error("unit {unit:?} is not defined for product {product}; defined units: {defined}")]
    UnknownUnit {
        product: ProductId,
        unit: String,
        defined: String,
    },

    #[error("scheme {scheme} uses unit {unit:?}, which product {product} does not define; defined units: {defined}")]
    UnknownSchemeUnit {
        scheme: SchemeId,
        product: ProductId,
        unit: String,
        defined: String,
    },

    #[error("invalid unit conversion for product {product}: 1 {unit} = {base_units} base units: {reason}")]
    InvalidUnitConversion {
        product: ProductId,
        unit: String,
        base_units: Decimal,
        reason: &'static str,
    },

    #[error("invalid product {product}: {reason}")]
    InvalidProduct { product: ProductId, reason: String },

    #[error("product {product} appears more than once in the catalog")]
    DuplicateProduct { product: ProductId },

    #[error("product {product} on line {line_id} is not in the catalog")]
    UnknownProduct { product: ProductId, line_id: String },

    #[error("scheme {scheme} gives free product {product}, which is not in the catalog")]
    UnknownFreeProduct { scheme: SchemeId, product: ProductId },

    #[error("invalid scheme {scheme}: {reason}")]
    InvalidScheme { scheme: SchemeId, reason: String },

    #[error("scheme id {scheme} is used by more than one scheme")]
    DuplicateScheme { scheme: SchemeId },

    #[error("invalid order {order_id:?}: {reason}")]
    InvalidOrder { order_id: String, reason: String },

    #[error(
        "schemes {} conflict on {scope} at priority {priority}: stacking policies {policies}; \
         give them different priorities or all the same additive or compounding policy",
        join_ids(.schemes)
    )]
    SchemeConflict {
        scope: String,
        priority: i32,
        schemes: Vec<SchemeId>,
        policies: String,
    },

    #[error("invalid GST state code {value:?}: {reason}")]
    InvalidStateCode { value: String, reason: &'static str },

    #[error("invalid HSN code {value:?}: {reason}")]
    InvalidHsn { value: String, reason: &'static str },

    #[error("invalid GST rate {rate}% for {context}: {reason}")]
    InvalidGstRate {
        context: String,
        rate: Decimal,
        reason: &'static str,
    },

    #[error("no GST rate is in force for HSN {hsn} on {date}")]
    GstRateNotFound { hsn: String, date: Date },

    #[error(
        "GST rate for HSN {hsn} on {date} is ambiguous between {candidates}; set the product's GST rate explicitly"
    )]
    AmbiguousGstRate {
        hsn: String,
        date: Date,
        candidates: String,
    },

    #[error("invalid taxable line {line_id}: {reason}")]
    InvalidTaxableLine { line_id: String, reason: String },

    #[error("line {line_id}: an {supply_type} supply must not carry {tax} (found {amount})")]
    WrongTaxType {
        line_id: String,
        supply_type: SupplyType,
        tax: &'static str,
        amount: Decimal,
    },

    #[error(
        "tax breakdown records an {recorded} supply, but supplier state {supplier_state} and \
         place of supply {place_of_supply} make it {expected}"
    )]
    SupplyTypeMismatch {
        recorded: SupplyType,
        expected: SupplyType,
        supplier_state: String,
        place_of_supply: String,
    },

    #[error("line {line_id}: CGST {cgst} and SGST {sgst} must be equal halves of the tax")]
    UnequalCgstSgst {
        line_id: String,
        cgst: Decimal,
        sgst: Decimal,
    },

    #[error(
        "line {line_id}: {tax} {found} differs by more than 0.01 from {expected}, \
         which is {rate}% of taxable value {taxable_value}"
    )]
    TaxAmountMismatch {
        line_id: String,
        tax: &'static str,
        found: Decimal,
        expected: Decimal,
        rate: Decimal,
        taxable_value: Decimal,
    },

    #[error("tax breakdown {field} is {found} but its lines give {expected}")]
    InconsistentTotals {
        field: &'static str,
        found: Decimal,
        expected: Decimal,
    },

    #[error("failed to read the GST rate schedule: {reason}")]
    ScheduleRead { reason: String },
}

impl PricingError {
    /// Names `scheme` in an unknown-unit error raised while evaluating that scheme.
    pub(crate) fn in_scheme(self, scheme: &SchemeId) -> Self {
        match self {
            PricingError::UnknownUnit { product, unit, defined } => PricingError::UnknownSchemeUnit {
                scheme: scheme.clone(),
                product,
                unit,
                defined,
            },
            other => other,
        }
    }
}

/// Result with [`PricingError`] as the default error.
pub type Result<T, E = PricingError> = std::result::Result<T, E>;

fn join_ids(ids: &[SchemeId]) -> String {
    ids.iter().map(SchemeId::as_str).collect::<Vec<_>>().join(", ")
}
