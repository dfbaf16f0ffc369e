//! Stable codes and HTTP statuses for [`OrderError`], the errors of `dms-orders`.
//!
//! A request that breaks a rule about records already stored (billing more than was
//! delivered, an illegal shipment transition, allocating more than is owed) is 409 Conflict:
//! the same request can succeed once the stored records change. A request that is wrong in
//! itself (a reduction without a reason, an unknown line, a bad vehicle number) is 422.

use axum::http::StatusCode;
use dms_orders::OrderError;

/// The stable code sent to clients for `error`.
pub fn code(error: &OrderError) -> &'static str {
    match error {
        OrderError::OverBilling { .. } => "over_billing",
        OrderError::NothingToBill { .. } => "nothing_to_bill",
        OrderError::ShipmentNotDelivered { .. } => "shipment_not_delivered",
        OrderError::OverCrediting { .. } => "over_crediting",
        OrderError::OverAllocation { .. } | OrderError::PaymentOverAllocated { .. } => "over_allocation",
        OrderError::IllegalShipmentTransition { .. } => "illegal_shipment_transition",
        OrderError::OrderRejected { .. } => "order_rejected",
        OrderError::InsufficientReservation { .. } => "insufficient_reservation",
        OrderError::InvoiceNumberTooLong { .. } => "series_exhausted",
        OrderError::DateBeforeSeries { .. } => "date_before_series",
        OrderError::MissingTransportDetail { .. } => "missing_transport_detail",
        OrderError::InvalidComment { .. } => "invalid_comment",
        OrderError::InvalidArrivalWindow { .. } => "invalid_arrival_window",
        OrderError::ShipmentFinal { .. } => "shipment_final",
        OrderError::UnknownRepresentative { .. } => "unknown_representative",
        OrderError::AcceptedExceedsRequested { .. }
        | OrderError::MissingReductionReason { .. }
        | OrderError::MissingRejectionReason { .. }
        | OrderError::NothingAccepted { .. } => "invalid_decision",
        OrderError::UnknownInvoice { .. } | OrderError::InvoiceOfOtherParty { .. } => "invalid_allocation",
        OrderError::Export { .. } => "internal_error",
        _ => "invalid_input",
    }
}

/// The HTTP status for `error`.
pub fn status(error: &OrderError) -> StatusCode {
    match error {
        OrderError::OverBilling { .. }
        | OrderError::NothingToBill { .. }
        | OrderError::ShipmentNotDelivered { .. }
        | OrderError::OverCrediting { .. }
        | OrderError::OverAllocation { .. }
        | OrderError::PaymentOverAllocated { .. }
        | OrderError::IllegalShipmentTransition { .. }
        | OrderError::OrderRejected { .. }
        | OrderError::InsufficientReservation { .. }
        | OrderError::InvoiceNumberTooLong { .. }
        | OrderError::DateBeforeSeries { .. }
        | OrderError::ShipmentFinal { .. } => StatusCode::CONFLICT,
        OrderError::Export { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
