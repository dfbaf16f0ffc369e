//! The crate's one error type. Each variant names the records (ids, line numbers) and the
//! quantities or amounts involved, so a message shown to a user or written to a server log
//! points at what to fix.

use dms_domain::{DomainError, Money, PartyId, ShipmentId, Timestamp};
use dms_pricing::PricingError;
use rust_decimal::Decimal;
use thiserror::Error;
use time::Date;

use crate::ids::{InvoiceId, OrderRequestId, PaymentId, SalesOrderId};
use crate::shipment::{ShipmentStatus, TransportMode};

/// Errors from order decisions, stock, shipments, billing, crediting, payments and export.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OrderError {
    #[error("invalid {kind} {value:?}: {reason}")]
    InvalidValue {
        kind: &'static str,
        value: String,
        reason: &'static str,
    },

    #[error("invalid quantity {value} for {context}: {reason}")]
    InvalidQuantity {
        context: String,
        value: Decimal,
        reason: &'static str,
    },

    #[error("invalid order request {order_request}: {reason}")]
    InvalidOrderRequest {
        order_request: OrderRequestId,
        reason: String,
    },

    #[error(
        "sales order {sales_order} was made from order request {made_from}, not from order request {order_request}"
    )]
    SalesOrderOfOtherRequest {
        sales_order: SalesOrderId,
        made_from: OrderRequestId,
        order_request: OrderRequestId,
    },

    #[error("{document} has no line {line_no}")]
    UnknownLine { document: String, line_no: u32 },

    #[error("{document} has no lines")]
    NoLines { document: String },

    #[error("{document} lists line {line_no} more than once")]
    DuplicateLine { document: String, line_no: u32 },

    #[error("order request {order_request} line {line_no}: accepted {accepted} exceeds the requested {requested}")]
    AcceptedExceedsRequested {
        order_request: OrderRequestId,
        line_no: u32,
        accepted: Decimal,
        requested: Decimal,
    },

    #[error(
        "order request {order_request} line {line_no}: accepting {accepted} of the requested {requested} needs a reason"
    )]
    MissingReductionReason {
        order_request: OrderRequestId,
        line_no: u32,
        accepted: Decimal,
        requested: Decimal,
    },

    #[error("rejecting order request {order_request} needs a reason")]
    MissingRejectionReason { order_request: OrderRequestId },

    #[error("order request {order_request}: a partial acceptance accepts nothing; reject the request instead")]
    NothingAccepted { order_request: OrderRequestId },

    #[error("sales order {sales_order} was rejected and cannot be {action}")]
    OrderRejected {
        sales_order: SalesOrderId,
        action: &'static str,
    },

    #[error("sales order {sales_order}: no warehouse was given to reserve stock from")]
    MissingWarehouses { sales_order: SalesOrderId },

    #[error(
        "sales order {sales_order} line {line_no}: cannot issue {requested} of product {product} from warehouse \
         {warehouse}, only {reserved} is reserved"
    )]
    InsufficientReservation {
        sales_order: SalesOrderId,
        line_no: u32,
        product: String,
        warehouse: String,
        requested: Decimal,
        reserved: Decimal,
    },

    #[error("invalid shipment {shipment}: {reason}")]
    InvalidShipment { shipment: ShipmentId, reason: String },

    #[error("shipment {shipment} cannot go from {from} to {to}")]
    IllegalShipmentTransition {
        shipment: ShipmentId,
        from: ShipmentStatus,
        to: ShipmentStatus,
    },

    #[error("shipment {shipment} by {mode} cannot be dispatched without {detail}")]
    MissingTransportDetail {
        shipment: ShipmentId,
        mode: TransportMode,
        detail: &'static str,
    },

    #[error("shipment {shipment} line {line_no}: delivered {delivered} exceeds the dispatched {dispatched}")]
    DeliveryExceedsDispatch {
        shipment: ShipmentId,
        line_no: u32,
        dispatched: Decimal,
        delivered: Decimal,
    },

    #[error(
        "shipment {shipment} line {line_no}: returning {requested} more would make {total} returned, \
         more than the {delivered} delivered"
    )]
    ReturnExceedsDelivery {
        shipment: ShipmentId,
        line_no: u32,
        delivered: Decimal,
        requested: Decimal,
        total: Decimal,
    },

    #[error("invalid comment on shipment {shipment}: {reason}")]
    InvalidComment { shipment: ShipmentId, reason: String },

    #[error("shipment {shipment}: the expected arrival window ends at {to}, before it starts at {from}")]
    InvalidArrivalWindow {
        shipment: ShipmentId,
        from: Timestamp,
        to: Timestamp,
    },

    #[error("shipment {shipment} is {status}, which is final, so no delivery visit can be assigned to it")]
    ShipmentFinal {
        shipment: ShipmentId,
        status: ShipmentStatus,
    },

    #[error(
        "user {user} is not an active staff user of organisation {organisation}; assign one of its own staff \
         (GET /api/v1/orgs/{organisation}/users lists them)"
    )]
    UnknownRepresentative { user: String, organisation: String },

    #[error("shipment {shipment} is {status}; only a delivered or partly delivered shipment can be billed")]
    ShipmentNotDelivered {
        shipment: ShipmentId,
        status: ShipmentStatus,
    },

    #[error("{source_line}: cannot bill {requested}, only {billable} is left to bill")]
    OverBilling {
        source_line: String,
        requested: Decimal,
        billable: Decimal,
    },

    #[error("{source_document} has nothing left to bill")]
    NothingToBill { source_document: String },

    #[error("invalid invoice series prefix {prefix:?}: {reason}")]
    InvalidSeriesPrefix { prefix: String, reason: &'static str },

    #[error("invoice number {number:?} is {length} characters long; GST allows at most 16")]
    InvoiceNumberTooLong { number: String, length: usize },

    #[error(
        "document date {date} is in financial year {date_financial_year}, before the series' financial year \
         {series_financial_year}"
    )]
    DateBeforeSeries {
        date: Date,
        date_financial_year: String,
        series_financial_year: String,
    },

    #[error("invoice series of seller {series_seller} cannot number a document of seller {seller}")]
    SeriesOfOtherSeller { series_seller: PartyId, seller: PartyId },

    #[error("invoice {invoice} line {line_no}: cannot credit {requested}, only {creditable} is left to credit")]
    OverCrediting {
        invoice: InvoiceId,
        line_no: u32,
        requested: Decimal,
        creditable: Decimal,
    },

    #[error("credit note dated {note_date} is earlier than invoice {invoice} dated {invoice_date}")]
    CreditNoteBeforeInvoice {
        invoice: InvoiceId,
        invoice_date: Date,
        note_date: Date,
    },

    #[error("invalid payment {payment}: {reason}")]
    InvalidPayment { payment: PaymentId, reason: String },

    #[error("invoice {invoice} is not among the given invoices")]
    UnknownInvoice { invoice: InvoiceId },

    #[error("payment {payment} from buyer {buyer} cannot settle invoice {invoice}, which is billed to {invoice_buyer}")]
    InvoiceOfOtherParty {
        payment: PaymentId,
        buyer: PartyId,
        invoice: InvoiceId,
        invoice_buyer: PartyId,
    },

    #[error("cannot allocate {requested} to invoice {invoice}, whose outstanding is {outstanding}")]
    OverAllocation {
        invoice: InvoiceId,
        requested: Money,
        outstanding: Money,
    },

    #[error("payment {payment}: cannot allocate {requested}, only {unallocated} of it is unallocated")]
    PaymentOverAllocated {
        payment: PaymentId,
        requested: Money,
        unallocated: Money,
    },

    #[error("failed to export {format}: {reason}")]
    Export { format: &'static str, reason: String },

    #[error(transparent)]
    Tax(#[from] PricingError),

    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// Result with [`OrderError`] as the default error.
pub type Result<T, E = OrderError> = std::result::Result<T, E>;
