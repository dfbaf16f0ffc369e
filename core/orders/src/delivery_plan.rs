//! Delivery planning: reserved stock that is ready to ship, grouped into proposed shipments
//! by the planned dispatch date, the warehouse the goods leave from and the buyer's location
//! (GST state code, district, PIN code). One vehicle leaves one warehouse on one day, and
//! buyers with the same PIN code are on one route, so each group is one proposed shipment.
//! Orders of different buyers may share a proposal; invoices are still made per sales order.
//!
//! Districts are compared ignoring case and surrounding spaces ("Pune" and " pune ").
//! Proposals come out sorted by date, warehouse, state, district and PIN code, and their
//! lines in the order of the orders passed in, so the result is the same on every run.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use dms_pricing::gst::StateCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::fulfilment::FulfilmentPlan;
use crate::ids::{SalesOrderId, WarehouseId};
use crate::party::Pincode;
use crate::sales_order::SalesOrder;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryGrouping {
    /// Ship every reserved line now, even when other lines of its order wait for supply.
    ReadyLines,
    /// Ship an order only when none of it waits for supply.
    CompleteOrders,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyLine {
    pub sales_order_id: SalesOrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedShipment {
    #[serde(with = "crate::iso_date")]
    pub dispatch_on: Date,
    pub warehouse: WarehouseId,
    pub state: StateCode,
    /// The district as the first order in the group spells it.
    pub district: String,
    pub pin: Pincode,
    pub sales_orders: Vec<SalesOrderId>,
    pub lines: Vec<ReadyLine>,
}

/// Groups the ready stock of `orders` in `plan` into proposed shipments. `dispatch_on`
/// gives each order's planned dispatch date. Orders missing from the plan are skipped.
pub fn propose_shipments(
    plan: &FulfilmentPlan,
    orders: &[SalesOrder],
    grouping: DeliveryGrouping,
    dispatch_on: impl Fn(&SalesOrder) -> Date,
) -> Vec<ProposedShipment> {
    type GroupKey = (Date, WarehouseId, StateCode, String, Pincode);
    let mut groups: BTreeMap<GroupKey, ProposedShipment> = BTreeMap::new();

    for order in orders {
        let Some(fulfilment) = plan.order(order.id) else {
            continue;
        };
        if grouping == DeliveryGrouping::CompleteOrders && !fulfilment.is_ready() {
            continue;
        }
        let location = &order.buyer.location;
        let date = dispatch_on(order);

        for stock in &fulfilment.from_stock {
            let key = (
                date,
                stock.warehouse.clone(),
                location.state.clone(),
                location.district.trim().to_lowercase(),
                location.pin.clone(),
            );
            let proposal = groups.entry(key).or_insert_with(|| ProposedShipment {
                dispatch_on: date,
                warehouse: stock.warehouse.clone(),
                state: location.state.clone(),
                district: location.district.trim().to_owned(),
                pin: location.pin.clone(),
                sales_orders: Vec::new(),
                lines: Vec::new(),
            });
            if !proposal.sales_orders.contains(&order.id) {
                proposal.sales_orders.push(order.id);
            }
            let same_line = proposal
                .lines
                .iter_mut()
                .find(|line| line.sales_order_id == order.id && line.line_no == stock.line_no);
            match same_line {
                Some(line) => line.quantity += stock.quantity,
                None => proposal.lines.push(ReadyLine {
                    sales_order_id: order.id,
                    line_no: stock.line_no,
                    product_id: stock.product_id.clone(),
                    quantity: stock.quantity,
                }),
            }
        }
    }
    groups.into_values().collect()
}
