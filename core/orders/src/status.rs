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
    /// What became of the driver's signed delivery acknowledgement of this shipment. Filled
    /// in for the seller's staff only, because its reason is written for them. `None` for a
    /// buyer, and while no signed acknowledgement has been applied, skipped or refused.
    #[serde(default)]
    pub acknowledgement: Option<AcknowledgementOutcome>,
}

/// The result of applying a signed delivery acknowledgement to its shipment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcknowledgementOutcomeKind {
    /// The shipment's status and delivered quantities were recorded from the acknowledgement.
    Applied,
    /// The shipment was still planned or already final, so it was left unchanged. A skip of
    /// a planned shipment is applied later, when staff dispatch it.
    Skipped,
    /// The acknowledgement disagrees with the shipment, so it was not applied.
    Refused,
}

impl AcknowledgementOutcomeKind {
    /// Returns the name stored in `deliveries.shipment_outcome` and written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AcknowledgementOutcomeKind::Applied => "applied",
            AcknowledgementOutcomeKind::Skipped => "skipped",
            AcknowledgementOutcomeKind::Refused => "refused",
        }
    }

    /// Reads a stored name; `None` for any other text.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "applied" => Some(AcknowledgementOutcomeKind::Applied),
            "skipped" => Some(AcknowledgementOutcomeKind::Skipped),
            "refused" => Some(AcknowledgementOutcomeKind::Refused),
            _ => None,
        }
    }
}

/// A signed delivery acknowledgement's outcome on its shipment, with the reason in a sentence
/// for staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgementOutcome {
    pub ack_id: AcknowledgementId,
    pub outcome: AcknowledgementOutcomeKind,
    pub reason: String,
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
