//! Fulfilment and delivery planning over REST. It covers supply entries (the production
//! schedule and purchase entries) and the receipts that close them, the fulfilment plan over
//! the seller's open sales orders, production entries raised for the shortfall, and proposed
//! shipments grouped for delivery.
//!
//! These are seller-staff routes on the access table's `stock` rows: reads need `stock, read`,
//! writes `stock, manage`. Buyers have neither row, so they get 403.
//!
//! A sales order is open while it is not rejected and some of it is still reserved or waits
//! for stock. Orders are planned oldest decision first, so older orders take supply first.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dms_domain::{PartyId, ProductId, Quantity, Timestamp};
use dms_orders::{
    AwaitingSupply, DeliveryGrouping, FromStock, FulfilmentPlan, ProposedShipment, SalesOrder, SalesOrderId,
    SalesOrderStatus, SupplyEntry, SupplyEntryId, SupplySource, WarehouseId, open_supply, plan_fulfilment,
    propose_shipments, schedule_production_for_shortfall,
};
use rusqlite::Connection;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::{ApiJson, ApiQuery, blocking};
use crate::access::{Action, Kind, Resource, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::orders::planning_store::SupplyReceipt;
use crate::orders::{iso_date, planning_store, store};
use crate::rest::orders::{StockLevelView, level_views};

// ---- supply entries ----

#[derive(Deserialize)]
pub struct SupplyEntryBody {
    pub product_id: ProductId,
    pub quantity: Quantity,
    /// "YYYY-MM-DD": the day the goods are expected in stock.
    #[serde(with = "iso_date")]
    pub expected_on: Date,
    /// `production` or `purchase`.
    pub source: SupplySource,
}

/// Records a production schedule entry or a purchase entry (201).
pub async fn record_supply_entry(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(body): ApiJson<SupplyEntryBody>,
) -> Result<(StatusCode, Json<SupplyEntry>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Stock))?;
    let entry = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        if guard.store().product(&body.product_id)?.is_none() {
            return Err(ServerError::InvalidInput(format!(
                "product {} is not in the catalog",
                body.product_id
            )));
        }
        let entry = SupplyEntry {
            id: SupplyEntryId::generate(),
            source: body.source,
            product_id: body.product_id,
            quantity: body.quantity,
            expected_on: body.expected_on,
        };
        let transaction = guard.store_mut().connection_mut().transaction()?;
        planning_store::insert_supply_entry(&transaction, &entry, context.user_id.as_str())?;
        transaction.commit()?;
        tracing::info!(supply_entry_id = %entry.id, product_id = %entry.product_id, quantity = %entry.quantity.value(),
            expected_on = %entry.expected_on, user_id = %context.user_id, "supply entry recorded");
        Ok(entry)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// A supply entry with the quantity received against it and the quantity still expected.
#[derive(Serialize)]
pub struct SupplyEntryView {
    #[serde(flatten)]
    pub entry: SupplyEntry,
    pub received: Decimal,
    /// `quantity − received`: what the fulfilment plan still counts as expected supply.
    pub open: Decimal,
}

impl SupplyEntryView {
    fn new(entry: SupplyEntry, received: Decimal) -> SupplyEntryView {
        SupplyEntryView {
            open: entry.open_quantity(received).normalize(),
            received: received.normalize(),
            entry,
        }
    }
}

/// Lists supply entries by expected date, fully received ones included.
pub async fn supply_entries(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<SupplyEntryView>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Stock))?;
    let entries = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let connection = guard.store().connection();
        let received = planning_store::received_by_entry(connection)?;
        Ok(planning_store::supply_entries(connection)?
            .into_iter()
            .map(|entry| {
                let received = received.get(&entry.id).copied().unwrap_or_default();
                SupplyEntryView::new(entry, received)
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(entries))
}

// ---- supply receipts ----

#[derive(Deserialize)]
pub struct SupplyReceiptBody {
    /// The warehouse the goods arrived in.
    pub warehouse: WarehouseId,
    /// At most the entry's open quantity.
    pub quantity: Quantity,
}

#[derive(Serialize)]
pub struct SupplyReceiptView {
    pub receipt: SupplyReceipt,
    pub supply_entry: SupplyEntryView,
    /// The product's stock level in the warehouse after the receipt.
    pub stock: StockLevelView,
}

/// Receives goods of a supply entry into stock and reduces the entry's open quantity, in one
/// transaction (201). The goods are not reserved for waiting orders; staff reserve them as
/// after any stock receipt. Receiving more than is open is 409 and changes nothing.
pub async fn receive_supply(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, supply_entry_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<SupplyReceiptBody>,
) -> Result<(StatusCode, Json<SupplyReceiptView>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Stock))?;
    let view = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let connection = guard.store().connection();
        let entry = planning_store::supply_entry(connection, &supply_entry_id)?
            .ok_or_else(|| ServerError::NotFound(format!("supply entry {supply_entry_id}")))?;
        let received = planning_store::received_of_entry(connection, &entry.id)?;
        let open_after = entry
            .receive(received, body.quantity)
            .map_err(|error| ServerError::Conflict(error.to_string()))?;

        let mut book = store::stock_book(connection)?;
        book.receive(&body.warehouse, &entry.product_id, body.quantity);
        let touched = [(body.warehouse.clone(), entry.product_id.clone())];
        let receipt = SupplyReceipt {
            receipt_id: ulid::Ulid::generate().to_string(),
            supply_entry_id: entry.id,
            warehouse: body.warehouse,
            product_id: entry.product_id.clone(),
            quantity: body.quantity.value(),
            received_by: context.user_id.to_string(),
            received_at: Timestamp::now().to_string(),
        };
        let transaction = guard.store_mut().connection_mut().transaction()?;
        store::save_stock_book(&transaction, &book, &touched)?;
        planning_store::insert_supply_receipt(&transaction, &receipt)?;
        transaction.commit()?;
        tracing::info!(supply_entry_id = %entry.id, receipt_id = %receipt.receipt_id, warehouse = %receipt.warehouse,
            product_id = %entry.product_id, quantity = %receipt.quantity, open = %open_after,
            user_id = %context.user_id, "supply received into stock");

        let stock = level_views(&book, &touched)
            .pop()
            .ok_or_else(|| ServerError::Corrupt(format!("no stock level for supply entry {}", entry.id)))?;
        Ok(SupplyReceiptView {
            supply_entry: SupplyEntryView::new(entry, received + receipt.quantity),
            receipt,
            stock,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

// ---- fulfilment plan ----

/// One open sales order in the plan.
#[derive(Serialize)]
pub struct OrderPlanView {
    pub sales_order_id: SalesOrderId,
    pub buyer_id: PartyId,
    pub decided_at: Timestamp,
    /// True when nothing waits for supply: all of it is reserved and can ship now.
    pub ready: bool,
    /// The day the last waiting quantity is expected. `null` when the order is ready, or when
    /// part of it is a shortfall that no supply entry covers.
    #[serde(with = "dms_orders::iso_date::option")]
    pub expected_complete_on: Option<Date>,
    pub from_stock: Vec<FromStock>,
    pub awaiting: Vec<AwaitingSupply>,
}

#[derive(Serialize)]
pub struct ShortfallView {
    pub product_id: ProductId,
    pub quantity: Decimal,
}

#[derive(Serialize)]
pub struct FulfilmentPlanView {
    /// Oldest decision first.
    pub orders: Vec<OrderPlanView>,
    /// Per product, by product id: waiting quantities no supply entry covers.
    pub shortfall: Vec<ShortfallView>,
}

/// Returns the fulfilment plan over the seller's open sales orders.
pub async fn fulfilment_plan(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<FulfilmentPlanView>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Stock))?;
    let view = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let (orders, plan) = open_plan(tenant.lock().store().connection())?;
        Ok(plan_view(&orders, &plan))
    })
    .await?;
    Ok(Json(view))
}

#[derive(Deserialize)]
pub struct ProductionBody {
    /// "YYYY-MM-DD": the day the new production is expected to finish.
    #[serde(with = "iso_date")]
    pub expected_on: Date,
}

/// Raises one production entry per product for the current shortfall and returns them: 201
/// when it raised any, 200 with an empty list when supply already covers every open order.
pub async fn schedule_production(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiJson(body): ApiJson<ProductionBody>,
) -> Result<(StatusCode, Json<Vec<SupplyEntry>>)> {
    authorize(&context, Action::Manage, &Resource::kind(Kind::Stock))?;
    let entries = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let (_, plan) = open_plan(guard.store().connection())?;
        let entries = schedule_production_for_shortfall(&plan, body.expected_on, SupplyEntryId::generate)?;
        if entries.is_empty() {
            return Ok(entries);
        }
        let transaction = guard.store_mut().connection_mut().transaction()?;
        for entry in &entries {
            planning_store::insert_supply_entry(&transaction, entry, context.user_id.as_str())?;
        }
        transaction.commit()?;
        tracing::info!(entries = entries.len(), expected_on = %body.expected_on, user_id = %context.user_id,
            "production scheduled for the shortfall");
        Ok(entries)
    })
    .await?;
    let status = if entries.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(entries)))
}

// ---- delivery plan ----

#[derive(Deserialize)]
pub struct DeliveryPlanQuery {
    /// "YYYY-MM-DD": the planned dispatch date of every proposal.
    #[serde(with = "iso_date")]
    pub dispatch_on: Date,
    /// `ready_lines` (the default) ships every reserved line; `complete_orders` holds back an
    /// order while any of it waits for supply.
    #[serde(default = "ready_lines")]
    pub grouping: DeliveryGrouping,
}

fn ready_lines() -> DeliveryGrouping {
    DeliveryGrouping::ReadyLines
}

/// Proposes shipments of the reserved stock of open sales orders, grouped by dispatch date,
/// warehouse and the buyer's state, district and PIN code.
pub async fn delivery_plan(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiQuery(query): ApiQuery<DeliveryPlanQuery>,
) -> Result<Json<Vec<ProposedShipment>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Stock))?;
    let proposals = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let (orders, plan) = open_plan(tenant.lock().store().connection())?;
        Ok(propose_shipments(&plan, &orders, query.grouping, |_| query.dispatch_on))
    })
    .await?;
    Ok(Json(proposals))
}

// ---- shared ----

/// Loads the open sales orders (oldest decision first) and plans them against the stock
/// book's reservations and the open quantity of each supply entry. Fully received entries
/// are left out.
fn open_plan(connection: &Connection) -> Result<(Vec<SalesOrder>, FulfilmentPlan)> {
    let orders: Vec<SalesOrder> = store::sales_orders(connection, None)?
        .into_iter()
        .filter(|order| order.status != SalesOrderStatus::Rejected)
        .collect();
    let book = store::stock_book(connection)?;
    let supply = open_supply(
        &planning_store::supply_entries(connection)?,
        &planning_store::received_by_entry(connection)?,
    );
    let mut plan = plan_fulfilment(&book, &orders, &supply)?;
    // A fully shipped order has nothing reserved and nothing waiting: it is not open.
    plan.orders
        .retain(|order| !order.from_stock.is_empty() || !order.awaiting.is_empty());
    let orders = orders
        .into_iter()
        .filter(|order| plan.order(order.id).is_some())
        .collect();
    Ok((orders, plan))
}

fn plan_view(orders: &[SalesOrder], plan: &FulfilmentPlan) -> FulfilmentPlanView {
    let orders = orders
        .iter()
        .filter_map(|order| {
            let fulfilment = plan.order(order.id)?;
            Some(OrderPlanView {
                sales_order_id: order.id,
                buyer_id: order.buyer_id().clone(),
                decided_at: order.decided_at,
                ready: fulfilment.is_ready(),
                expected_complete_on: fulfilment.expected_complete_on(),
                from_stock: fulfilment.from_stock.clone(),
                awaiting: fulfilment.awaiting.clone(),
            })
        })
        .collect();
    let shortfall = plan
        .shortfall()
        .into_iter()
        .map(|(product_id, quantity)| ShortfallView { product_id, quantity })
        .collect();
    FulfilmentPlanView { orders, shortfall }
}
