//! The fulfilment plan: per sales order, what ships from reserved stock now and what waits
//! for production or purchase, with the date that supply is expected.
//!
//! Supply entries (the production schedule and purchase entries) are consumed per product
//! in date order, earliest first, with the entry id breaking ties so the plan is the same on
//! every run. Orders are served in the order the caller lists them, which is the caller's
//! priority (usually oldest first). A waiting quantity that no supply entry covers is a
//! shortfall: it has no expected date, and [`schedule_production_for_shortfall`] raises
//! production schedule entries for it.
//!
//! A supply entry is closed by receipts: goods received against it go into stock and reduce
//! its open quantity. Only the open quantity counts as expected supply ([`open_supply`]), so
//! a fully received entry drops out of the plan. Received goods are not reserved here. Until
//! the caller reserves them, the plan lists the waiting quantity they would cover as a
//! shortfall, because the plan counts reserved stock only.

use std::collections::BTreeMap;

use dms_domain::quantity::MAX_QUANTITY;
use dms_domain::{ProductId, Quantity};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::Result;
use crate::ids::{SalesOrderId, SupplyEntryId, WarehouseId};
use crate::sales_order::{SalesOrder, SalesOrderStatus};
use crate::stock::StockBook;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplySource {
    /// An entry of the production schedule.
    Production,
    /// A purchase entry (goods ordered from a supplier).
    Purchase,
}

/// Goods expected to arrive: a production schedule entry or a purchase entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyEntry {
    pub id: SupplyEntryId,
    pub source: SupplySource,
    pub product_id: ProductId,
    pub quantity: Quantity,
    #[serde(with = "crate::iso_date")]
    pub expected_on: Date,
}

impl SupplyEntry {
    /// Returns the quantity still expected after `received` arrived against this entry,
    /// never below zero.
    pub fn open_quantity(&self, received: Decimal) -> Decimal {
        (self.quantity.value() - received).max(Decimal::ZERO)
    }

    /// Checks a receipt of `quantity` against the quantity still open after `received`, and
    /// returns the open quantity after the receipt. Receiving more than is open fails and
    /// changes nothing.
    pub fn receive(&self, received: Decimal, quantity: Quantity) -> std::result::Result<Decimal, OverReceipt> {
        let open = self.open_quantity(received);
        if quantity.value() > open {
            return Err(OverReceipt {
                entry: self.id,
                product_id: self.product_id.clone(),
                open: open.normalize(),
                requested: quantity.value(),
            });
        }
        Ok(open - quantity.value())
    }
}

/// A receipt of more goods than a supply entry still expects.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "supply entry {entry} expects only {open} more of product {product_id}, so {requested} cannot be received against it"
)]
pub struct OverReceipt {
    pub entry: SupplyEntryId,
    pub product_id: ProductId,
    /// The quantity still expected before this receipt.
    pub open: Decimal,
    pub requested: Decimal,
}

/// Returns the entries still expected, each with its open quantity as `quantity`, in the
/// order given. Fully received entries are left out. `received` maps an entry to the
/// quantity received against it so far; an entry missing from it has received nothing.
pub fn open_supply(supply: &[SupplyEntry], received: &BTreeMap<SupplyEntryId, Decimal>) -> Vec<SupplyEntry> {
    supply
        .iter()
        .filter_map(|entry| {
            let received = received.get(&entry.id).copied().unwrap_or_default();
            // The open quantity is above zero and at most the entry's valid quantity, so it is
            // a valid quantity; zero means fully received.
            let open = Quantity::new(entry.open_quantity(received)).ok()?;
            Some(SupplyEntry {
                quantity: open,
                ..entry.clone()
            })
        })
        .collect()
}

/// Reserved stock of one line, ready to ship from `warehouse`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FromStock {
    pub line_no: u32,
    pub product_id: ProductId,
    pub warehouse: WarehouseId,
    pub quantity: Decimal,
}

/// Part of a line waiting for supply. `supply` is `None` for a shortfall, which no
/// production or purchase covers yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitingSupply {
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: Decimal,
    pub supply: Option<(SupplySource, SupplyEntryId)>,
    #[serde(default, with = "crate::iso_date::option")]
    pub expected_on: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFulfilment {
    pub sales_order_id: SalesOrderId,
    pub from_stock: Vec<FromStock>,
    pub awaiting: Vec<AwaitingSupply>,
}

impl OrderFulfilment {
    /// True when nothing waits for supply.
    pub fn is_ready(&self) -> bool {
        self.awaiting.is_empty()
    }

    /// Returns the day the last waiting quantity is expected, or `None` while any of it is a
    /// shortfall. An order with nothing waiting also returns `None`, so check
    /// [`Self::is_ready`] first.
    pub fn expected_complete_on(&self) -> Option<Date> {
        if self.awaiting.iter().any(|awaiting| awaiting.expected_on.is_none()) {
            return None;
        }
        self.awaiting.iter().filter_map(|awaiting| awaiting.expected_on).max()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilmentPlan {
    pub orders: Vec<OrderFulfilment>,
}

impl FulfilmentPlan {
    /// Total shortfall per product: waiting quantities that no supply entry covers.
    pub fn shortfall(&self) -> BTreeMap<ProductId, Decimal> {
        let mut shortfall: BTreeMap<ProductId, Decimal> = BTreeMap::new();
        for awaiting in self.orders.iter().flat_map(|order| &order.awaiting) {
            if awaiting.supply.is_none() {
                *shortfall.entry(awaiting.product_id.clone()).or_default() += awaiting.quantity;
            }
        }
        shortfall
    }

    pub fn order(&self, sales_order: SalesOrderId) -> Option<&OrderFulfilment> {
        self.orders.iter().find(|order| order.sales_order_id == sales_order)
    }
}

/// Plans `orders` (in priority order) against the reservations in `stock` and the `supply`
/// entries. Rejected orders are left out.
pub fn plan_fulfilment(stock: &StockBook, orders: &[SalesOrder], supply: &[SupplyEntry]) -> Result<FulfilmentPlan> {
    let mut supply_left = supply_by_product(supply);
    let mut plan = FulfilmentPlan::default();

    for order in orders.iter().filter(|order| order.status != SalesOrderStatus::Rejected) {
        let from_stock = stock
            .reservations_of(order.id)
            .map(|reservation| FromStock {
                line_no: reservation.line_no,
                product_id: reservation.product_id.clone(),
                warehouse: reservation.warehouse.clone(),
                quantity: reservation.quantity,
            })
            .collect();

        let mut awaiting = Vec::new();
        for line in &order.lines {
            let mut missing = stock.unreserved_for_line(order, line.line_no)?;
            let entries = supply_left.get_mut(&line.product_id);
            for entry in entries.into_iter().flatten() {
                if missing.is_zero() {
                    break;
                }
                let covered = missing.min(entry.left);
                if covered.is_zero() {
                    continue;
                }
                entry.left -= covered;
                missing -= covered;
                awaiting.push(AwaitingSupply {
                    line_no: line.line_no,
                    product_id: line.product_id.clone(),
                    quantity: covered,
                    supply: Some((entry.source, entry.id)),
                    expected_on: Some(entry.expected_on),
                });
            }
            if !missing.is_zero() {
                awaiting.push(AwaitingSupply {
                    line_no: line.line_no,
                    product_id: line.product_id.clone(),
                    quantity: missing,
                    supply: None,
                    expected_on: None,
                });
            }
        }

        plan.orders.push(OrderFulfilment {
            sales_order_id: order.id,
            from_stock,
            awaiting,
        });
    }
    Ok(plan)
}

/// Raises production schedule entries for the plan's shortfall, expected on `expected_on`,
/// with ids from `new_id`: one per product, or several when a product's shortfall is above
/// the largest quantity one entry may hold. Products are taken in id order.
pub fn schedule_production_for_shortfall(
    plan: &FulfilmentPlan,
    expected_on: Date,
    mut new_id: impl FnMut() -> SupplyEntryId,
) -> Result<Vec<SupplyEntry>> {
    let mut entries = Vec::new();
    for (product_id, shortfall) in plan.shortfall() {
        // One entry has at most the largest quantity the domain accepts, so a larger shortfall
        // gets several entries, the last one with the rest.
        let mut left = shortfall;
        while left > Decimal::ZERO {
            let quantity = left.min(MAX_QUANTITY);
            entries.push(SupplyEntry {
                id: new_id(),
                source: SupplySource::Production,
                product_id: product_id.clone(),
                quantity: Quantity::new(quantity)?,
                expected_on,
            });
            left -= quantity;
        }
    }
    Ok(entries)
}

struct SupplyLeft {
    id: SupplyEntryId,
    source: SupplySource,
    expected_on: Date,
    left: Decimal,
}

fn supply_by_product(supply: &[SupplyEntry]) -> BTreeMap<ProductId, Vec<SupplyLeft>> {
    let mut by_product: BTreeMap<ProductId, Vec<SupplyLeft>> = BTreeMap::new();
    for entry in supply {
        by_product
            .entry(entry.product_id.clone())
            .or_default()
            .push(SupplyLeft {
                id: entry.id,
                source: entry.source,
                expected_on: entry.expected_on,
                left: entry.quantity.value(),
            });
    }
    for entries in by_product.values_mut() {
        entries.sort_by_key(|entry| (entry.expected_on, entry.id));
    }
    by_product
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn entry(quantity: Decimal) -> SupplyEntry {
        SupplyEntry {
            id: SupplyEntryId::generate(),
            source: SupplySource::Purchase,
            product_id: ProductId::new("DM-001").unwrap(),
            quantity: Quantity::new(quantity).unwrap(),
            expected_on: time::Date::from_calendar_date(2026, time::Month::June, 10).unwrap(),
        }
    }

    #[test]
    fn receipt_reduces_open_quantity() {
        let entry = entry(dec("10"));
        assert_eq!(entry.receive(dec("0"), Quantity::new(dec("6")).unwrap()), Ok(dec("4")));
        assert_eq!(entry.receive(dec("6"), Quantity::new(dec("4")).unwrap()), Ok(dec("0")));
    }

    #[test]
    fn receipt_above_open_quantity_fails() {
        let entry = entry(dec("10"));
        let error = entry.receive(dec("6"), Quantity::new(dec("4.5")).unwrap()).unwrap_err();
        assert_eq!(error.open, dec("4"));
        assert_eq!(error.requested, dec("4.5"));
        assert_eq!(
            error.to_string(),
            format!(
                "supply entry {} expects only 4 more of product DM-001, so 4.5 cannot be received against it",
                entry.id
            )
        );
    }

    #[test]
    fn open_supply_leaves_out_received_entries() {
        let partly = entry(dec("10"));
        let fully = entry(dec("5"));
        let untouched = entry(dec("3"));
        let received = BTreeMap::from([(partly.id, dec("6")), (fully.id, dec("5"))]);

        let open = open_supply(&[partly.clone(), fully, untouched.clone()], &received);
        let quantities: Vec<(SupplyEntryId, Decimal)> =
            open.iter().map(|entry| (entry.id, entry.quantity.value())).collect();
        assert_eq!(quantities, [(partly.id, dec("4")), (untouched.id, dec("3"))]);
    }
}
