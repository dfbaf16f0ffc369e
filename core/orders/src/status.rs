//! What a buyer sees of its orders in one value: the server builds it from stored records and
//! the buyer's device keeps the last copy to show offline.

use dms_domain::{PartyId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::credit_note::CreditNote;
use crate::ids::SalesOrderId;
use crate::invoice::Invoice;
use crate::payment::Payment;
use crate::receivables::BuyerOutstanding;
use crate::sales_order::SalesOrder;
use crate::shipment::{Shipment, ShipmentStatus};

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
