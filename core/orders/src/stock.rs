//! Stock per warehouse and product, and reservations of it against sales order lines.
//!
//! Available stock is on hand minus reserved. Reserving a sales order takes, line by line,
//! what is available from the warehouses in the order the caller prefers. What cannot be
//! reserved becomes a backorder line. Reserving the same order again only tops up what is
//! still missing, so the caller can re-run it after stock arrives to fill backorders.
//! Dispatch issues reserved stock: on hand and reserved both fall by the quantity shipped.

use std::collections::BTreeMap;

use dms_domain::{ProductId, Quantity};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};
use crate::ids::{SalesOrderId, WarehouseId};
use crate::quantities::non_negative;
use crate::sales_order::SalesOrder;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub on_hand: Decimal,
    pub reserved: Decimal,
}

impl StockLevel {
    /// On hand minus reserved.
    pub fn available(&self) -> Decimal {
        self.on_hand - self.reserved
    }
}

/// Stock of one product in one warehouse set aside for one sales order line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub sales_order_id: SalesOrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub warehouse: WarehouseId,
    pub quantity: Decimal,
}

/// Accepted quantity of a sales order line that no warehouse could reserve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackorderLine {
    pub sales_order_id: SalesOrderId,
    pub line_no: u32,
    pub product_id: ProductId,
    pub quantity: Decimal,
}

/// The result of one call of [`StockBook::reserve_order`]: new reservations and backorders.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationOutcome {
    pub reservations: Vec<Reservation>,
    pub backorders: Vec<BackorderLine>,
}

/// Stock levels, open reservations and quantities already issued, per sales order line.
/// The maps are nested, not keyed by tuples, so the book serializes to JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockBook {
    levels: BTreeMap<WarehouseId, BTreeMap<ProductId, StockLevel>>,
    reservations: Vec<Reservation>,
    issued: BTreeMap<SalesOrderId, BTreeMap<u32, Decimal>>,
}

impl StockBook {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds received goods (a purchase, finished production, goods returned) to on-hand stock.
    pub fn receive(&mut self, warehouse: &WarehouseId, product: &ProductId, quantity: Quantity) {
        self.level_mut(warehouse, product).on_hand += quantity.value();
    }

    pub fn level(&self, warehouse: &WarehouseId, product: &ProductId) -> StockLevel {
        self.levels
            .get(warehouse)
            .and_then(|products| products.get(product))
            .copied()
            .unwrap_or_default()
    }

    pub fn available(&self, warehouse: &WarehouseId, product: &ProductId) -> Decimal {
        self.level(warehouse, product).available()
    }

    /// Open reservations of one sales order, in the order they were made.
    pub fn reservations_of(&self, sales_order: SalesOrderId) -> impl Iterator<Item = &Reservation> {
        self.reservations
            .iter()
            .filter(move |reservation| reservation.sales_order_id == sales_order)
    }

    /// Reserved and not yet issued for one sales order line, over all warehouses.
    pub fn reserved_for_line(&self, sales_order: SalesOrderId, line_no: u32) -> Decimal {
        self.reservations_of(sales_order)
            .filter(|reservation| reservation.line_no == line_no)
            .map(|reservation| reservation.quantity)
            .sum()
    }

    /// Already issued (dispatched) for one sales order line.
    pub fn issued_for_line(&self, sales_order: SalesOrderId, line_no: u32) -> Decimal {
        self.issued
            .get(&sales_order)
            .and_then(|lines| lines.get(&line_no))
            .copied()
            .unwrap_or_default()
    }

    /// Accepted quantity of a line that is neither reserved nor issued.
    pub fn unreserved_for_line(&self, order: &SalesOrder, line_no: u32) -> Result<Decimal> {
        let line = order.line(line_no)?;
        let covered = self.reserved_for_line(order.id, line_no) + self.issued_for_line(order.id, line_no);
        Ok((line.accepted - covered).max(Decimal::ZERO))
    }

    /// Reserves what is available for every accepted line of `order` still lacking stock,
    /// taking from `warehouses` in the given order, and returns the new reservations and
    /// the backorder lines for what could not be reserved.
    pub fn reserve_order(&mut self, order: &SalesOrder, warehouses: &[WarehouseId]) -> Result<ReservationOutcome> {
        order.ensure_accepted("reserved")?;
        if warehouses.is_empty() {
            return Err(OrderError::MissingWarehouses { sales_order: order.id });
        }

        let mut outcome = ReservationOutcome::default();
        for line in &order.lines {
            let mut missing = self.unreserved_for_line(order, line.line_no)?;
            for warehouse in warehouses {
                if missing.is_zero() {
                    break;
                }
                let level = self.level_mut(warehouse, &line.product_id);
                let reserved_now = missing.min(level.available()).max(Decimal::ZERO);
                if reserved_now.is_zero() {
                    continue;
                }
                level.reserved += reserved_now;
                missing -= reserved_now;
                let reservation = Reservation {
                    sales_order_id: order.id,
                    line_no: line.line_no,
                    product_id: line.product_id.clone(),
                    warehouse: warehouse.clone(),
                    quantity: reserved_now,
                };
                self.reservations.push(reservation.clone());
                outcome.reservations.push(reservation);
            }
            if !missing.is_zero() {
                outcome.backorders.push(BackorderLine {
                    sales_order_id: order.id,
                    line_no: line.line_no,
                    product_id: line.product_id.clone(),
                    quantity: missing,
                });
            }
        }
        Ok(outcome)
    }

    /// Issues reserved stock for dispatch: on hand and the line's reservation in `warehouse`
    /// both fall by `quantity`. Fails, changing nothing, when less than that is reserved.
    pub fn issue(
        &mut self,
        order: &SalesOrder,
        line_no: u32,
        warehouse: &WarehouseId,
        quantity: Decimal,
    ) -> Result<()> {
        let line = order.line(line_no)?;
        let quantity = non_negative(quantity, || format!("issue of sales order {} line {line_no}", order.id))?;
        let reserved: Decimal = self
            .reservations_of(order.id)
            .filter(|reservation| reservation.line_no == line_no && &reservation.warehouse == warehouse)
            .map(|reservation| reservation.quantity)
            .sum();
        if quantity > reserved {
            return Err(OrderError::InsufficientReservation {
                sales_order: order.id,
                line_no,
                product: line.product_id.to_string(),
                warehouse: warehouse.to_string(),
                requested: quantity,
                reserved,
            });
        }

        let mut left = quantity;
        for reservation in self.reservations.iter_mut().filter(|reservation| {
            reservation.sales_order_id == order.id
                && reservation.line_no == line_no
                && &reservation.warehouse == warehouse
        }) {
            let issued_now = left.min(reservation.quantity);
            reservation.quantity -= issued_now;
            left -= issued_now;
        }
        self.reservations.retain(|reservation| !reservation.quantity.is_zero());

        let level = self.level_mut(warehouse, &line.product_id);
        level.on_hand -= quantity;
        level.reserved -= quantity;
        *self.issued.entry(order.id).or_default().entry(line_no).or_default() += quantity;
        Ok(())
    }

    fn level_mut(&mut self, warehouse: &WarehouseId, product: &ProductId) -> &mut StockLevel {
        self.levels
            .entry(warehouse.clone())
            .or_default()
            .entry(product.clone())
            .or_default()
    }
}
