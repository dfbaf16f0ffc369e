//! Order-to-cash for a seller (a company or a distributor) and its buyers. An order request
//! becomes a sales order and stock is reserved against it. Shipments carry the goods, GST tax
//! invoices bill what was delivered, and credit notes take back returns, shortages and
//! damages. Payments settle the invoices.
//!
//! The crate is pure: no clock, no I/O, no database. Every record is a value the caller
//! stores, and every function takes the records it needs (the earlier invoices, the earlier
//! allocations) and returns the new record or a typed [`OrderError`]. A call that fails changes
//! nothing, so a caller that stores the result in one transaction never keeps half a
//! decision. Ids are ULIDs made by the caller.
//!
//! Money and quantities are `rust_decimal`. Tax comes from `dms-pricing`'s GST engine
//! ([`dms_pricing::gst::compute_tax_breakdown`]), never from code here.
//!
//! The path of one order, module by module:
//! 1. [`sales_order`]: decide an [`order_request`].
//! 2. [`stock`]: reserve stock; [`fulfilment`]: what ships now and what waits for supply.
//! 3. [`delivery_plan`]: group ready lines into proposed shipments.
//! 4. [`shipment`]: dispatch, deliver, take returns; [`delivery_visit`]: who delivers and
//!    when; [`shipment_comment`]: what the buyer and seller say about it.
//! 5. [`invoice`]: bill, numbered by [`numbering`]; [`credit_note`]: credit.
//! 6. [`payment`], [`receivables`] (outstanding, ageing) and [`statement`].
//! 7. [`export`]: e-invoice JSON and CSV.
//!
//! Every calendar date in a record serialises as "YYYY-MM-DD" ([`iso_date`]).

pub mod credit_note;
pub mod delivery_plan;
pub mod delivery_visit;
pub mod error;
pub mod export;
pub mod fulfilment;
pub mod ids;
pub mod invoice;
pub mod iso_date;
pub mod numbering;
pub mod order_request;
pub mod party;
pub mod payment;
mod quantities;
pub mod receivables;
pub mod sales_order;
pub mod shipment;
pub mod shipment_comment;
pub mod statement;
pub mod status;
pub mod stock;
pub mod vehicle;

pub use credit_note::{
    CreditLineRequest, CreditNote, CreditNoteLine, CreditNoteRequest, CreditReason, raise_credit_note,
};
pub use delivery_plan::{DeliveryGrouping, ProposedShipment, ReadyLine, propose_shipments};
pub use delivery_visit::{DeliveryVisit, Representative, VisitRequest};
pub use error::{OrderError, Result};
pub use fulfilment::{
    AwaitingSupply, FromStock, FulfilmentPlan, OrderFulfilment, OverReceipt, SupplyEntry, SupplySource, open_supply,
    plan_fulfilment, schedule_production_for_shortfall,
};
pub use ids::{
    CreditNoteId, InvoiceId, OrderRequestId, PaymentId, SalesOrderId, ShipmentCommentId, SupplyEntryId, WarehouseId,
};
pub use invoice::{
    BillingPolicy, Invoice, InvoiceLine, InvoiceLineRequest, InvoiceRequest, InvoiceSource, ToBillLine, raise_invoice,
    to_bill,
};
pub use numbering::{FinancialYear, InvoiceNumber, InvoiceSeries};
pub use order_request::{OrderRequest, RequestedLine};
pub use party::{Gstin, Location, PartyDetails, Pincode};
pub use payment::{Allocation, AllocationRule, Payment, PaymentApplication, PaymentMode, allocate_payment};
pub use receivables::{AgeingBuckets, BuyerOutstanding, Receivables};
pub use sales_order::{
    LineAcceptance, OrderDecision, SalesOrder, SalesOrderLine, SalesOrderStatus, decide_order_request,
};
pub use shipment::{Driver, LorryReceipt, Shipment, ShipmentLine, ShipmentStatus, Transport, TransportMode};
pub use shipment_comment::{MAX_COMMENT_CHARS, ShipmentComment};
pub use statement::{StatementEntry, StatementEntryKind, StatementOfAccount, statement_of_account};
pub use status::{
    AcknowledgementOutcome, AcknowledgementOutcomeKind, BuyerOrderStatus, DeliveryException, DeliveryExceptionKind,
    ShipmentRecord, StatusChange,
};
pub use stock::{BackorderLine, Reservation, ReservationOutcome, StockBook, StockLevel};
pub use vehicle::VehicleNumber;
