//! Fulfilment and delivery planning over REST: supply entries (the production schedule and
//! purchase entries), the fulfilment plan over the seller's open sales orders, production
//! entries raised for the shortfall, and proposed shipments grouped for delivery.
//!
//! These are seller-staff routes on the access table's `stock` rows: reads need `stock, read`,
//! writes `stock, manage`. Buyers have neither row, so they get 403.
//!
//! A sales order is open while it is not rejected and some of it is still reserved or waits
//! for stock. Orders are planned oldest decision first, so older orders take supply first.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dms_domain::{PartyId, ProductId, Quantity, Timestamp};
use dms_orders::{
    AwaitingSupply, DeliveryGrouping, FromStock, FulfilmentPlan, ProposedShipment, SalesOrder, SalesOrderId,
    SalesOrderStatus, SupplyEntry, SupplyEntryId, SupplySource, plan_fulfilment, propose_shipments,
    schedule_production_for_shortfall,
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
use crate::orders::{iso_date, planning_store, store};

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

/// Lists supply entries by expected date.
pub async fn supply_entries(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
) -> Result<Json<Vec<SupplyEntry>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Stock))?;
    let entries = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        planning_store::supply_entries(tenant.lock().store().connection())
    })
    .await?;
    Ok(Json(entries))
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
/// book's reservations and the supply entries.
fn open_plan(connection: &Connection) -> Result<(Vec<SalesOrder>, FulfilmentPlan)> {
    let orders: Vec<SalesOrder> = store::sales_orders(connection, None)?
        .into_iter()
        .filter(|order| order.status != SalesOrderStatus::Rejected)
        .collect();
    let book = store::stock_book(connection)?;
    let supply = planning_store::supply_entries(connection)?;
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
