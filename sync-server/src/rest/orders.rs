//! Sales orders, stock and shipments over REST. The seller decides an order request, receives
//! and reserves stock, plans shipments and moves them through their statuses. The buyer reads
//! its own sales orders and its delivery schedule.
//!
//! Each handler asks [`authorize`] about the kind first, so a role without a row gets 403.
//! Lists then ask again per record, and a record outside the caller's scope reads as not
//! found. Every write runs under the tenant's lock and commits in one SQLite transaction.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dms_domain::{PartyId, ProductId, Quantity, ShipmentId, Timestamp};
use dms_orders::{
    AcknowledgementOutcome, AcknowledgementOutcomeKind, Driver, LorryReceipt, OrderDecision, PartyDetails,
    ReservationOutcome, SalesOrder, SalesOrderId, Shipment, ShipmentRecord, StockBook, Transport, TransportMode,
    VehicleNumber, WarehouseId, decide_order_request,
};
use rusqlite::Connection;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::{ApiJson, blocking};
use crate::access::{Action, Kind, Principal, Resource, Standing, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::orders::{acknowledgement, store};
use crate::orders::{domain_order_request, iso_date, seller_party};
use crate::tenant::TenantState;
use crate::tenant::field_store::delivery_of_shipment;

/// The seller's decision on an order request, with the parties' GST details that the sales
/// order, and every invoice made from it, carries.
#[derive(Deserialize)]
pub struct DecisionBody {
    pub decision: OrderDecision,
    pub seller: PartyDetails,
    pub buyer: PartyDetails,
    /// Days from the invoice date to the due date.
    #[serde(default)]
    pub credit_days: u16,
}

/// Decides an order request. The first decision makes the sales order (201); any later call
/// returns that same sales order unchanged (200), whatever decision it carries.
pub async fn decide(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, order_request_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<(StatusCode, Json<SalesOrder>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::SalesOrder))?;
    let (created, order) = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let not_found = || ServerError::NotFound(format!("order request {order_request_id}"));
        let request = guard
            .store()
            .order_requests(None)?
            .into_iter()
            .find(|request| request.order_request_id.to_string() == order_request_id)
            .ok_or_else(not_found)?;
        let connection = guard.store().connection();
        if let Some(existing) = store::sales_order_of_request(connection, &order_request_id)? {
            tracing::info!(order_request_id = %order_request_id, sales_order_id = %existing.id,
                "order request already decided; returning its sales order");
            return Ok((false, existing));
        }
        if body.seller.party_id != seller_party(&context.tenant_id)? {
            return Err(ServerError::InvalidInput(format!(
                "seller details are for party {}, but this organisation sells as {}",
                body.seller.party_id, context.tenant_id
            )));
        }
        let domain = domain_order_request(connection, &request, body.seller, body.buyer, body.credit_days)?;
        let order = decide_order_request(
            &domain,
            None,
            &body.decision,
            SalesOrderId::generate(),
            Timestamp::now(),
        )?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::insert_sales_order(&transaction, &order, &context.user_id)?;
        transaction.commit()?;
        tracing::info!(order_request_id = %order_request_id, sales_order_id = %order.id,
            status = ?order.status, user_id = %context.user_id, "order request decided");
        Ok((true, order))
    })
    .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(order)))
}

/// Sales orders the caller may see: all for the seller's staff, its own for a buyer.
pub async fn sales_orders(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<SalesOrder>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::SalesOrder))?;
    let orders = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let orders = store::sales_orders(tenant.lock().store().connection(), own_party(&context))?;
        Ok(orders
            .into_iter()
            .filter(|order| may_read(&context, Kind::SalesOrder, order.buyer_id()))
            .collect())
    })
    .await?;
    Ok(Json(orders))
}

/// Returns the buyer a buyer's lists are limited to, or `None` for staff.
pub fn own_party(context: &Principal) -> Option<&PartyId> {
    match context.standing {
        Standing::Buyer => context.party_id.as_ref(),
        Standing::Member | Standing::Overseer => None,
    }
}

pub fn may_read(context: &Principal, kind: Kind, buyer: &PartyId) -> bool {
    authorize(context, Action::Read, &Resource::buyer_record(kind, buyer)).is_ok()
}

// ---- stock ----

#[derive(Deserialize)]
pub struct StockReceipt {
    pub warehouse: WarehouseId,
    pub lines: Vec<ReceivedLine>,
}

#[derive(Deserialize)]
pub struct ReceivedLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
}

#[derive(Serialize)]
pub struct StockLevelView {
    pub warehouse: WarehouseId,
    pub product_id: ProductId,
    pub on_hand: Decimal,
    pub reserved: Decimal,
    pub available: Decimal,
}

/// Adds received goods to a warehouse's stock and returns the new levels of those products.
pub async fn receive_stock(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(receipt): ApiJson<StockReceipt>,
) -> Result<Json<Vec<StockLevelView>>> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Stock))?;
    let levels = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        for line in &receipt.lines {
            if guard.store().product(&line.product_id)?.is_none() {
                return Err(ServerError::InvalidInput(format!(
                    "product {} is not in the catalog",
                    line.product_id
                )));
            }
        }
        let mut book = store::stock_book(guard.store().connection())?;
        let mut touched = Vec::new();
        for line in &receipt.lines {
            book.receive(&receipt.warehouse, &line.product_id, line.quantity);
            touched.push((receipt.warehouse.clone(), line.product_id.clone()));
        }
        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::save_stock_book(&transaction, &book, &touched)?;
        transaction.commit()?;
        tracing::info!(warehouse = %receipt.warehouse, lines = receipt.lines.len(), user_id = %context.user_id,
            "stock received");
        Ok(level_views(&book, &touched))
    })
    .await?;
    Ok(Json(levels))
}

pub(crate) fn level_views(book: &StockBook, pairs: &[(WarehouseId, ProductId)]) -> Vec<StockLevelView> {
    pairs
        .iter()
        .map(|(warehouse, product)| {
            let level = book.level(warehouse, product);
            StockLevelView {
                warehouse: warehouse.clone(),
                product_id: product.clone(),
                on_hand: level.on_hand,
                reserved: level.reserved,
                available: level.available(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ReservationBody {
    /// Warehouses to reserve from, in order of preference.
    pub warehouses: Vec<WarehouseId>,
}

/// Reserves what stock allows for a sales order; the rest comes back as backorder lines.
/// Reserving again only tops up what is still missing.
pub async fn reserve(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, sales_order_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReservationBody>,
) -> Result<Json<ReservationOutcome>> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Stock))?;
    let outcome = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let order = load_sales_order(&guard, &sales_order_id)?;
        let mut book = store::stock_book(guard.store().connection())?;
        let outcome = book.reserve_order(&order, &body.warehouses)?;
        let touched: Vec<_> = outcome
            .reservations
            .iter()
            .map(|reservation| (reservation.warehouse.clone(), reservation.product_id.clone()))
            .collect();
        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::save_stock_book(&transaction, &book, &touched)?;
        store::record_reservation(&transaction, &sales_order_id, &outcome)?;
        transaction.commit()?;
        tracing::info!(sales_order_id = %sales_order_id, reserved = outcome.reservations.len(),
            backordered = outcome.backorders.len(), "stock reserved");
        Ok(outcome)
    })
    .await?;
    Ok(Json(outcome))
}

fn load_sales_order(guard: &TenantState, sales_order_id: &str) -> Result<SalesOrder> {
    store::sales_order(guard.store().connection(), sales_order_id)?
        .ok_or_else(|| ServerError::NotFound(format!("sales order {sales_order_id}")))
}

// ---- shipments ----

/// Transport details as a client sends them; checked when the shipment is built.
#[derive(Deserialize)]
pub struct TransportBody {
    pub transporter: Option<String>,
    pub mode: TransportMode,
    pub vehicle_number: Option<String>,
    pub driver_name: Option<String>,
    pub driver_phone: Option<String>,
    pub lorry_receipt_number: Option<String>,
    #[serde(default, with = "iso_date::option")]
    pub lorry_receipt_date: Option<Date>,
}

impl TransportBody {
    fn into_transport(self) -> Result<Transport> {
        let vehicle = self.vehicle_number.as_deref().map(VehicleNumber::new).transpose()?;
        let driver = match (&self.driver_name, &self.driver_phone) {
            (Some(name), Some(phone)) => Some(Driver::new(name, phone)?),
            (None, None) => None,
            _ => {
                return Err(ServerError::InvalidInput(
                    "give both driver_name and driver_phone, or neither".to_owned(),
                ));
            }
        };
        let lorry_receipt = match (self.lorry_receipt_number, self.lorry_receipt_date) {
            (Some(number), Some(date)) => Some(LorryReceipt { number, date }),
            (None, None) => None,
            _ => {
                return Err(ServerError::InvalidInput(
                    "give both lorry_receipt_number and lorry_receipt_date, or neither".to_owned(),
                ));
            }
        };
        Ok(Transport {
            transporter: self.transporter,
            mode: self.mode,
            vehicle,
            driver,
            lorry_receipt,
        })
    }
}

#[derive(Deserialize)]
pub struct ShipmentBody {
    pub sales_order_id: String,
    pub warehouse: WarehouseId,
    #[serde(with = "iso_date")]
    pub planned_dispatch_on: Date,
    #[serde(with = "iso_date")]
    pub planned_delivery_on: Date,
    pub transport: TransportBody,
    /// Order lines and quantities; empty ships what is reserved in `warehouse`.
    #[serde(default)]
    pub lines: Vec<ShipLine>,
}

#[derive(Deserialize)]
pub struct ShipLine {
    pub order_line_no: u32,
    pub quantity: Decimal,
}

/// Plans a shipment of one sales order from one warehouse.
pub async fn plan_shipment(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(body): ApiJson<ShipmentBody>,
) -> Result<(StatusCode, Json<ShipmentRecord>)> {
    authorize(&context, Action::Create, &Resource::kind(Kind::Shipment))?;
    let shipment = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let order = load_sales_order(&guard, &body.sales_order_id)?;
        let book = store::stock_book(guard.store().connection())?;
        let mut lines = Vec::new();
        if body.lines.is_empty() {
            for line in &order.lines {
                let reserved: Decimal = book
                    .reservations_of(order.id)
                    .filter(|reservation| {
                        reservation.line_no == line.line_no && reservation.warehouse == body.warehouse
                    })
                    .map(|reservation| reservation.quantity)
                    .sum();
                if !reserved.is_zero() {
                    lines.push((order.id, line.line_no, line.product_id.clone(), reserved));
                }
            }
        } else {
            for line in &body.lines {
                let order_line = order.line(line.order_line_no)?;
                lines.push((
                    order.id,
                    line.order_line_no,
                    order_line.product_id.clone(),
                    line.quantity,
                ));
            }
        }
        let shipment = Shipment::plan_lines(
            ShipmentId::generate(),
            order.seller_id().clone(),
            body.warehouse,
            body.planned_dispatch_on,
            body.planned_delivery_on,
            body.transport.into_transport()?,
            &lines,
        )?;
        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::save_shipment(
            &transaction,
            &shipment,
            &body.sales_order_id,
            order.buyer_id(),
            &context.user_id,
        )?;
        transaction.commit()?;
        tracing::info!(shipment_id = %shipment.id, sales_order_id = %order.id, "shipment planned");
        store::shipment(guard.store().connection(), &shipment.id.to_string())?
            .ok_or_else(|| ServerError::Corrupt(format!("shipment {} vanished after insert", shipment.id)))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(shipment)))
}

/// An event in a shipment's life, as the seller records it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentEventKind {
    /// Planned → dispatched; issues the shipped quantities from reserved stock.
    Dispatch,
    /// Dispatched → in transit.
    InTransit,
    /// In transit → delivered or partly delivered, with the quantities the buyer accepted.
    Deliver,
    /// In transit → returned: the whole consignment came back; its goods return to stock.
    Returned,
    /// Goods delivered earlier and sent back; they return to stock.
    ReturnGoods,
}

#[derive(Deserialize)]
pub struct ShipmentEvent {
    pub event: ShipmentEventKind,
    /// When it happened; the server's clock when left out.
    pub at: Option<Timestamp>,
    /// Per shipment line: delivered (for `deliver`) or returned (for `return_goods`).
    #[serde(default)]
    pub lines: Vec<EventLine>,
    /// New transport details, accepted only with `dispatch`.
    pub transport: Option<TransportBody>,
}

#[derive(Deserialize)]
pub struct EventLine {
    pub line_no: u32,
    pub quantity: Decimal,
}

/// Moves a shipment through its statuses; each new status is added to its history, which the
/// buyer's device reads.
pub async fn shipment_event(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, shipment_id)): Path<(String, String)>,
    ApiJson(event): ApiJson<ShipmentEvent>,
) -> Result<Json<ShipmentRecord>> {
    authorize(&context, Action::Update, &Resource::kind(Kind::Shipment))?;
    let shipment = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let stored = store::shipment(guard.store().connection(), &shipment_id)?
            .ok_or_else(|| ServerError::NotFound(format!("shipment {shipment_id}")))?;
        let order = load_sales_order(&guard, &stored.sales_order_id.to_string())?;
        let mut shipment = stored.shipment;
        let mut book = store::stock_book(guard.store().connection())?;
        let touched = apply_event(&mut shipment, &order, &mut book, event)?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        if !touched.is_empty() {
            store::save_stock_book(&transaction, &book, &touched)?;
        }
        store::save_shipment(
            &transaction,
            &shipment,
            &order.id.to_string(),
            order.buyer_id(),
            &context.user_id,
        )?;
        // A driver's acknowledgement that arrived while the shipment was planned is applied
        // now that it is dispatched or in transit.
        acknowledgement::apply_after_dispatch(&transaction, &shipment_id)?;
        transaction.commit()?;
        tracing::info!(shipment_id = %shipment_id, status = ?shipment.status, user_id = %context.user_id,
            "shipment updated");
        let connection = guard.store().connection();
        let record = store::shipment(connection, &shipment_id)?
            .ok_or_else(|| ServerError::Corrupt(format!("shipment {shipment_id} vanished after update")))?;
        with_acknowledgement(connection, record)
    })
    .await?;
    Ok(Json(shipment))
}

/// Applies one event to `shipment` and the stock book; returns the stock levels it changed.
fn apply_event(
    shipment: &mut Shipment,
    order: &SalesOrder,
    book: &mut StockBook,
    event: ShipmentEvent,
) -> Result<Vec<(WarehouseId, ProductId)>> {
    let at = event.at.unwrap_or_else(Timestamp::now);
    if event.transport.is_some() && event.event != ShipmentEventKind::Dispatch {
        return Err(ServerError::InvalidInput(
            "transport details can change only with the dispatch event".to_owned(),
        ));
    }
    let warehouse = shipment.warehouse.clone();
    let mut touched = Vec::new();
    match event.event {
        ShipmentEventKind::Dispatch => {
            if let Some(transport) = event.transport {
                shipment.transport = transport.into_transport()?;
            }
            shipment.dispatch(at)?;
            // Issue on a copy, so a shortfall on a later line leaves the book unchanged.
            let mut issued = book.clone();
            for line in &shipment.lines {
                issued.issue(order, line.order_line_no, &warehouse, line.dispatched)?;
                touched.push((warehouse.clone(), line.product_id.clone()));
            }
            *book = issued;
        }
        ShipmentEventKind::InTransit => shipment.mark_in_transit()?,
        ShipmentEventKind::Deliver => {
            let delivered: Vec<(u32, Decimal)> = event.lines.iter().map(|line| (line.line_no, line.quantity)).collect();
            shipment.record_delivery(at, &delivered)?;
        }
        ShipmentEventKind::Returned => {
            shipment.mark_returned(at)?;
            for line in &shipment.lines {
                book.receive(&warehouse, &line.product_id, Quantity::new(line.dispatched)?);
                touched.push((warehouse.clone(), line.product_id.clone()));
            }
        }
        ShipmentEventKind::ReturnGoods => {
            for line in &event.lines {
                shipment.record_return(line.line_no, line.quantity)?;
            }
            for line in &event.lines {
                let product = shipment.line(line.line_no)?.product_id.clone();
                book.receive(&warehouse, &product, Quantity::new(line.quantity)?);
                touched.push((warehouse.clone(), product));
            }
        }
    }
    Ok(touched)
}

/// Lists the delivery schedule: shipments by planned delivery date, with transport details
/// and status history. A buyer gets only its own.
pub async fn shipments(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<ShipmentRecord>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Shipment))?;
    let shipments = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let connection = guard.store().connection();
        let staff = own_party(&context).is_none();
        let mut visible = Vec::new();
        for record in store::shipments(connection, own_party(&context))? {
            if !may_read(&context, Kind::Shipment, &record.buyer_id) {
                continue;
            }
            visible.push(if staff {
                with_acknowledgement(connection, record)?
            } else {
                record
            });
        }
        Ok(visible)
    })
    .await?;
    Ok(Json(shipments))
}

/// Adds the outcome of the shipment's signed delivery acknowledgement, for the seller's staff.
/// A delivery without an outcome (unsigned) adds nothing.
pub(crate) fn with_acknowledgement(connection: &Connection, mut record: ShipmentRecord) -> Result<ShipmentRecord> {
    let Some(delivery) = delivery_of_shipment(connection, &record.shipment.id.to_string())? else {
        return Ok(record);
    };
    let Some(stored) = delivery.shipment_outcome.as_deref() else {
        return Ok(record);
    };
    let corrupt = |what: &str| ServerError::Corrupt(format!("delivery of shipment {}: {what}", record.shipment.id));
    let outcome =
        AcknowledgementOutcomeKind::parse(stored).ok_or_else(|| corrupt(&format!("unknown outcome {stored:?}")))?;
    record.acknowledgement = Some(AcknowledgementOutcome {
        ack_id: delivery
            .ack_id
            .parse()
            .map_err(|_| corrupt(&format!("acknowledgement id {:?}", delivery.ack_id)))?,
        outcome,
        reason: delivery.shipment_outcome_reason.unwrap_or_default(),
    });
    Ok(record)
}
