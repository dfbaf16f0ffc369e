//! What a buyer sees of its orders in one value: the server builds it from stored records and
//! the buyer's device keeps the last copy to show offline.

use dms_domain::{AcknowledgementId, PartyId, ProductId, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::credit_note::CreditNote;
use crate::delivery_visit::DeliveryVisit;
use crate::ids::SalesOrderId;
use crate::invoice::Invoice;
use crate::payment::Payment;
use crate::receivables::BuyerOutstanding;
use crate::sales_order::SalesOrder;
use crate::shipment::{Shipment, ShipmentStatus};
use crate::shipment_comment::ShipmentComment;

/// One status a shipment reached, when the seller recorded it and who did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ShipmentStatus,
    pub changed_at: Timestamp,
    /// User id of the seller's staff member or driver who recorded it.
    pub changed_by: String,
}

/// A stored shipment with the sales order and buyer it serves and its status history, oldest
/// first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub sales_order_id: SalesOrderId,
    pub buyer_id: PartyId,
    pub shipment: Shipment,
    pub history: Vec<StatusChange>,
    /// Shortages and damages that a signed delivery acknowledgement recorded against the
    /// shipment's lines, by line number.
    #[serde(default)]
    pub exceptions: Vec<DeliveryException>,
    /// Comments of the buyer's users and the seller's staff, oldest first.
    #[serde(default)]
    pub comments: Vec<ShipmentComment>,
    /// The representative assigned to deliver it, if any.
    #[serde(default)]
    pub delivery_visit: Option<DeliveryVisit>,
}

/// The reason goods of a shipment line did not reach the buyer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryExceptionKind {
    /// Missing from the load at the door.
    Short,
    /// Arrived damaged and refused at the door, so never delivered or billed.
    Damaged,
}

/// A shortage or damage on one shipment line and the sales order line it belongs to, taken
/// from the driver's signed delivery acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryException {
    pub shipment_line_no: u32,
    pub sales_order_id: SalesOrderId,
    pub order_line_no: u32,
    pub product_id: ProductId,
    pub kind: DeliveryExceptionKind,
    pub quantity: Decimal,
    /// The driver's reason for the product's shortage or damage, as written on the device.
    pub reason: Option<String>,
    pub ack_id: AcknowledgementId,
    /// The acknowledgement's sign-off time.
    pub recorded_at: Timestamp,
    /// User id of the driver who signed the acknowledgement.
    pub recorded_by: String,
}

/// A buyer's orders with one seller: decisions, the delivery schedule, invoices, credit notes,
/// payments and what is outstanding on `as_of`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerOrderStatus {
    pub buyer_id: PartyId,
    pub sales_orders: Vec<SalesOrder>,
    /// By planned delivery date.
    pub shipments: Vec<ShipmentRecord>,
    pub invoices: Vec<Invoice>,
    pub credit_notes: Vec<CreditNote>,
    pub payments: Vec<Payment>,
    pub outstanding: BuyerOutstanding,
}
