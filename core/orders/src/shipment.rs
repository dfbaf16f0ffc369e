//! Shipments: the goods of one or more sales orders on one vehicle or consignment, with the
//! transport details and the quantities dispatched, delivered and returned per line.
//!
//! The status machine, and the only legal transitions:
//!
//! | from | to |
//! |---|---|
//! | planned | dispatched |
//! | dispatched | in_transit |
//! | in_transit | delivered, partly_delivered, returned |
//!
//! delivered, partly_delivered and returned are final. Recording a later sales return
//! against a delivered shipment changes line quantities, never the status.
//!
//! Per line, `returned` counts goods the buyer took delivery of and sent back, so it is part
//! of `delivered`: `returned ≤ delivered ≤ dispatched`. Goods refused at the door are simply
//! not delivered (`dispatched − delivered`). Billing uses `delivered − returned`
//! ([`crate::invoice`]).

use std::fmt;

use dms_domain::{PartyId, ProductId, ShipmentId, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::delivery_plan::ProposedShipment;
use crate::error::{OrderError, Result};
use crate::ids::{SalesOrderId, WarehouseId};
use crate::quantities::non_negative;
use crate::vehicle::VehicleNumber;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    Planned,
    Dispatched,
    InTransit,
    Delivered,
    PartlyDelivered,
    Returned,
}

impl ShipmentStatus {
    /// Returns the statuses this one may move to.
    pub fn next_statuses(self) -> &'static [ShipmentStatus] {
        use ShipmentStatus::*;
        match self {
            Planned => &[Dispatched],
            Dispatched => &[InTransit],
            InTransit => &[Delivered, PartlyDelivered, Returned],
            Delivered | PartlyDelivered | Returned => &[],
        }
    }

    pub fn can_become(self, next: ShipmentStatus) -> bool {
        self.next_statuses().contains(&next)
    }
}

impl fmt::Display for ShipmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShipmentStatus::Planned => "planned",
            ShipmentStatus::Dispatched => "dispatched",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::PartlyDelivered => "partly_delivered",
            ShipmentStatus::Returned => "returned",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportMode {
    Road,
    Rail,
    Air,
    Ship,
}

impl fmt::Display for TransportMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportMode::Road => "road",
            TransportMode::Rail => "rail",
            TransportMode::Air => "air",
            TransportMode::Ship => "ship",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Driver {
    pub name: String,
    /// Ten-digit Indian mobile number, such as "9876543210".
    pub phone: String,
}

impl Driver {
    /// Accepts a name and a mobile number with an optional "+91" or "0" prefix, spaces and
    /// hyphens; stores the ten digits.
    pub fn new(name: &str, phone: &str) -> Result<Self> {
        if name.trim().is_empty() {
            return Err(OrderError::InvalidValue {
                kind: "driver name",
                value: name.to_owned(),
                reason: "must not be blank",
            });
        }
        let digits: String = phone.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits
            .strip_prefix("+91")
            .or_else(|| digits.strip_prefix('0'))
            .unwrap_or(&digits);
        let is_mobile = digits.len() == 10
            && digits.bytes().all(|b| b.is_ascii_digit())
            && matches!(digits.as_bytes()[0], b'6'..=b'9');
        if !is_mobile {
            return Err(OrderError::InvalidValue {
                kind: "driver phone",
                value: phone.to_owned(),
                reason: "must be a ten-digit mobile number starting with 6 to 9, optionally after +91",
            });
        }
        Ok(Self {
            name: name.trim().to_owned(),
            phone: digits.to_owned(),
        })
    }
}

/// The transporter's consignment note (LR, or the railway receipt or airway bill).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LorryReceipt {
    pub number: String,
    #[serde(with = "crate::iso_date")]
    pub date: Date,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transport {
    pub transporter: Option<String>,
    pub mode: TransportMode,
    pub vehicle: Option<VehicleNumber>,
    pub driver: Option<Driver>,
    pub lorry_receipt: Option<LorryReceipt>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLine {
    /// From 1 within the shipment.
    pub line_no: u32,
    pub sales_order_id: SalesOrderId,
    pub order_line_no: u32,
    pub product_id: ProductId,
    pub dispatched: Decimal,
    pub delivered: Decimal,
    /// Delivered goods the buyer sent back; never more than `delivered`.
    pub returned: Decimal,
}

impl ShipmentLine {
    /// Delivered and kept: `delivered − returned`.
    pub fn kept(&self) -> Decimal {
        self.delivered - self.returned
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub id: ShipmentId,
    pub seller: PartyId,
    pub warehouse: WarehouseId,
    pub status: ShipmentStatus,
    #[serde(with = "crate::iso_date")]
    pub planned_dispatch_on: Date,
    #[serde(with = "crate::iso_date")]
    pub planned_delivery_on: Date,
    pub transport: Transport,
    pub dispatched_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub lines: Vec<ShipmentLine>,
}

impl Shipment {
    /// Plans a shipment of a proposal's lines, each dispatched in full.
    pub fn plan(
        id: ShipmentId,
        seller: PartyId,
        proposal: &ProposedShipment,
        planned_delivery_on: Date,
        transport: Transport,
    ) -> Result<Self> {
        let lines = proposal
            .lines
            .iter()
            .map(|line| {
                (
                    line.sales_order_id,
                    line.line_no,
                    line.product_id.clone(),
                    line.quantity,
                )
            })
            .collect::<Vec<_>>();
        Self::plan_lines(
            id,
            seller,
            proposal.warehouse.clone(),
            proposal.dispatch_on,
            planned_delivery_on,
            transport,
            &lines,
        )
    }

    /// Plans a shipment of `(sales order, order line, product, quantity)` lines.
    pub fn plan_lines(
        id: ShipmentId,
        seller: PartyId,
        warehouse: WarehouseId,
        planned_dispatch_on: Date,
        planned_delivery_on: Date,
        transport: Transport,
        lines: &[(SalesOrderId, u32, ProductId, Decimal)],
    ) -> Result<Self> {
        let invalid = |reason: String| OrderError::InvalidShipment { shipment: id, reason };
        if lines.is_empty() {
            return Err(invalid("it has no lines".to_owned()));
        }
        if planned_delivery_on < planned_dispatch_on {
            return Err(invalid(format!(
                "planned delivery {planned_delivery_on} is before planned dispatch {planned_dispatch_on}"
            )));
        }

        let mut shipment_lines = Vec::with_capacity(lines.len());
        for (index, (sales_order_id, order_line_no, product_id, quantity)) in lines.iter().enumerate() {
            let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let dispatched = non_negative(*quantity, || format!("shipment {id} line {line_no}"))?;
            if dispatched.is_zero() {
                return Err(invalid(format!("line {line_no} ships nothing")));
            }
            shipment_lines.push(ShipmentLine {
                line_no,
                sales_order_id: *sales_order_id,
                order_line_no: *order_line_no,
                product_id: product_id.clone(),
                dispatched,
                delivered: Decimal::ZERO,
                returned: Decimal::ZERO,
            });
        }

        Ok(Self {
            id,
            seller,
            warehouse,
            status: ShipmentStatus::Planned,
            planned_dispatch_on,
            planned_delivery_on,
            transport,
            dispatched_at: None,
            delivered_at: None,
            lines: shipment_lines,
        })
    }

    pub fn line(&self, line_no: u32) -> Result<&ShipmentLine> {
        self.lines
            .iter()
            .find(|line| line.line_no == line_no)
            .ok_or_else(|| self.unknown_line(line_no))
    }

    /// Planned → dispatched. A road shipment needs a vehicle number; rail, air and ship need
    /// the consignment note (lorry receipt) number, as the e-way bill does.
    pub fn dispatch(&mut self, at: Timestamp) -> Result<()> {
        self.check_transition(ShipmentStatus::Dispatched)?;
        let missing = |detail| OrderError::MissingTransportDetail {
            shipment: self.id,
            mode: self.transport.mode,
            detail,
        };
        match self.transport.mode {
            TransportMode::Road if self.transport.vehicle.is_none() => return Err(missing("a vehicle number")),
            TransportMode::Rail | TransportMode::Air | TransportMode::Ship
                if self.transport.lorry_receipt.is_none() =>
            {
                return Err(missing("a transport document (lorry receipt) number and date"));
            }
            _ => {}
        }
        self.status = ShipmentStatus::Dispatched;
        self.dispatched_at = Some(at);
        Ok(())
    }

    /// Dispatched → in transit.
    pub fn mark_in_transit(&mut self) -> Result<()> {
        self.check_transition(ShipmentStatus::InTransit)?;
        self.status = ShipmentStatus::InTransit;
        Ok(())
    }

    /// In transit → delivered, partly delivered or returned, from the quantity the buyer
    /// accepted per line; lines not listed were not delivered. Every line delivered in full
    /// makes it delivered, nothing delivered makes it returned, anything else partly
    /// delivered. Fails, changing nothing, on an unknown line, a line listed twice or a
    /// delivery above the dispatched quantity.
    pub fn record_delivery(&mut self, at: Timestamp, delivered: &[(u32, Decimal)]) -> Result<ShipmentStatus> {
        let mut quantities = vec![Decimal::ZERO; self.lines.len()];
        let mut seen = vec![false; self.lines.len()];
        for (line_no, quantity) in delivered {
            let index = self.line_index(*line_no)?;
            if seen[index] {
                return Err(OrderError::DuplicateLine {
                    document: format!("delivery of shipment {}", self.id),
                    line_no: *line_no,
                });
            }
            seen[index] = true;
            let quantity = non_negative(*quantity, || format!("delivery of shipment {} line {line_no}", self.id))?;
            let line = &self.lines[index];
            if quantity > line.dispatched {
                return Err(OrderError::DeliveryExceedsDispatch {
                    shipment: self.id,
                    line_no: *line_no,
                    dispatched: line.dispatched,
                    delivered: quantity,
                });
            }
            quantities[index] = quantity;
        }

        let status = if quantities.iter().all(Decimal::is_zero) {
            ShipmentStatus::Returned
        } else if self
            .lines
            .iter()
            .zip(&quantities)
            .all(|(line, q)| *q == line.dispatched)
        {
            ShipmentStatus::Delivered
        } else {
            ShipmentStatus::PartlyDelivered
        };
        self.check_transition(status)?;

        for (line, quantity) in self.lines.iter_mut().zip(quantities) {
            line.delivered = quantity;
        }
        self.status = status;
        self.delivered_at = Some(at);
        Ok(status)
    }

    /// In transit → returned: the whole load came back undelivered.
    pub fn mark_returned(&mut self, at: Timestamp) -> Result<()> {
        self.check_transition(ShipmentStatus::Returned)?;
        self.status = ShipmentStatus::Returned;
        self.delivered_at = Some(at);
        Ok(())
    }

    /// Records goods the buyer sent back after delivery. Allowed only on a delivered or
    /// partly delivered shipment, and the line's returns may not exceed what was delivered.
    pub fn record_return(&mut self, line_no: u32, quantity: Decimal) -> Result<()> {
        if !matches!(self.status, ShipmentStatus::Delivered | ShipmentStatus::PartlyDelivered) {
            return Err(OrderError::ShipmentNotDelivered {
                shipment: self.id,
                status: self.status,
            });
        }
        let index = self.line_index(line_no)?;
        let quantity = non_negative(quantity, || format!("return on shipment {} line {line_no}", self.id))?;
        let line = &mut self.lines[index];
        let total = line.returned + quantity;
        if total > line.delivered {
            return Err(OrderError::ReturnExceedsDelivery {
                shipment: self.id,
                line_no,
                delivered: line.delivered,
                requested: quantity,
                total,
            });
        }
        line.returned = total;
        Ok(())
    }

    fn check_transition(&self, to: ShipmentStatus) -> Result<()> {
        if !self.status.can_become(to) {
            return Err(OrderError::IllegalShipmentTransition {
                shipment: self.id,
                from: self.status,
                to,
            });
        }
        Ok(())
    }

    fn line_index(&self, line_no: u32) -> Result<usize> {
        self.lines
            .iter()
            .position(|line| line.line_no == line_no)
            .ok_or_else(|| self.unknown_line(line_no))
    }

    fn unknown_line(&self, line_no: u32) -> OrderError {
        OrderError::UnknownLine {
            document: format!("shipment {}", self.id),
            line_no,
        }
    }
}
