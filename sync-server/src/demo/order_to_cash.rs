//! The demo's order-to-cash stage: the distributor's admin turns the order requests into
//! sales orders over REST, receives and reserves stock, ships, invoices and records payments.
//!
//! Every fourth order request is rejected and every fourth (from the second) is accepted in
//! part. Each accepted order ships in one shipment, which is invoiced once delivered. The
//! first few shipments are delivered by the driver's phone: its signed acknowledgement, one
//! pack short, moves the shipment and records the shortage. The rest are delivered in full
//! over REST.
//! Even-numbered invoices are paid in full, odd ones by half, so some money stays
//! outstanding. The figures come back from the tenant's tables, and the check is that the
//! amount invoiced equals the amount paid plus the amount outstanding, to the paisa.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use dms_domain::{Money, PartyId, ProductId, TenantId};
use dms_orders::{Invoice, Receivables};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::demo::BUILTIN_CATALOG;
use crate::demo::field::{Consignment, acknowledge_consignment};
use crate::demo::logins::{Api, DISTRIBUTOR, Login};
use crate::orders::Books;
use crate::orders::store;
use crate::pricing::admin::{CatalogImportOptions, import_catalog};
use crate::pricing::hsn_map::HsnMap;

/// HSN codes and GST rates per category, so every order line can be invoiced.
const HSN_MAP: &str = include_str!("../../../examples/catalog/bigbasket_hsn_map.csv");

const WAREHOUSE: &str = "WH-DEMO";

/// Shipments the driver's phone acknowledges, at most; the others are delivered over REST.
const ACKNOWLEDGED_SHIPMENTS: usize = 3;

/// The driver's phone, from the field stage.
pub struct DriverPhone<'a> {
    pub server_url: &'a str,
    pub login: &'a Login,
    pub token: &'a str,
}

/// Figures of the order-to-cash stage, read back from the tenant's tables.
#[derive(Clone, Debug, Default)]
pub struct OrderToCashOutcome {
    pub sales_orders: u64,
    pub shipments: u64,
    pub invoices: u64,
    pub payments: u64,
    pub invoiced_total: Money,
    pub paid_total: Money,
    pub outstanding_total: Money,
    /// Acknowledgements the driver's phone sent for shipments, and those the server applied.
    pub acknowledgements_sent: u64,
    pub shipments_acknowledged: u64,
    /// Shortage and damage rows recorded against sales order lines.
    pub delivery_exceptions: u64,
}

/// Runs the stage on every order request of the demo distributor.
/// `catalog` is the file the demo imported, `None` for the built-in one.
pub async fn run(
    api: &Api,
    state: &AppState,
    admin_token: &str,
    catalog: Option<&Path>,
    driver: Option<&DriverPhone<'_>>,
) -> anyhow::Result<OrderToCashOutcome> {
    let tenant_id = TenantId::new(DISTRIBUTOR)?;
    // The catalogs have no HSN codes of their own; the map gives them by category. A product
    // no map row matches keeps none, and an order request with it is left undecided.
    let options = CatalogImportOptions {
        hsn_map: Some(HsnMap::read(HSN_MAP.as_bytes())?),
        prices_include_gst: false,
    };
    match catalog {
        Some(path) => {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open catalog {}", path.display()))?;
            import_catalog(state, &tenant_id, file, &options)?
        }
        None => import_catalog(state, &tenant_id, BUILTIN_CATALOG.as_bytes(), &options)?,
    };
    let requests = state.hub.tenant(&tenant_id)?.lock().store().order_requests(None)?;

    let mut acknowledgements_sent = 0;
    for (index, request) in requests.iter().rev().enumerate() {
        let decision = match index % 4 {
            3 => json!({"reject": {"reason": "outside the delivery area this month"}}),
            1 if request.lines.iter().any(|line| line.quantity.value() > Decimal::ONE) => {
                let line_no = request
                    .lines
                    .iter()
                    .position(|line| line.quantity.value() > Decimal::ONE)
                    .map_or(1, |position| position + 1);
                json!({"accept_in_part": [{"line_no": line_no, "accepted": "1", "reason": "allocation limit"}]})
            }
            _ => json!("accept_in_full"),
        };
        let body = json!({
            "decision": decision,
            "seller": party(DISTRIBUTOR, "27AAADD1111B1Z6", "Demo Distributor", index),
            "buyer": party(request.buyer_id.as_str(), &format!("27AAAPP{:04}A1Z5", index % 10_000), "Partner store", index),
            "credit_days": 15,
        });
        let path = format!(
            "/api/v1/orgs/{DISTRIBUTOR}/order-requests/{}/decision",
            request.order_request_id
        );
        let order = match api.post_json(admin_token, &path, &body).await {
            Ok(order) => order,
            Err(error) => {
                tracing::warn!(order_request_id = %request.order_request_id, error = %error,
                    "demo: order request left undecided");
                continue;
            }
        };
        if order["status"] != "rejected" {
            let phone = driver.filter(|_| acknowledgements_sent < ACKNOWLEDGED_SHIPMENTS);
            acknowledgements_sent += usize::from(phone.is_some());
            ship_and_bill(api, admin_token, &order, index, phone).await?;
        }
    }

    let tenant = state.hub.tenant(&tenant_id)?;
    let guard = tenant.lock();
    let connection = guard.store().connection();
    let books = Books::load(connection, None)?;
    let seller = PartyId::new(DISTRIBUTOR)?;
    let as_of = dms_orders::numbering::ist_date(dms_domain::Timestamp::now());
    let outstanding_total = Receivables::new(
        &books.invoices,
        &books.credit_notes,
        &books.payments,
        &books.allocations,
    )
    .outstanding_by_buyer(&seller, as_of)
    .iter()
    .map(|buyer| buyer.outstanding)
    .sum();
    let count = |sql: &str| connection.query_row(sql, [], |row| row.get::<_, i64>(0));
    Ok(OrderToCashOutcome {
        acknowledgements_sent: acknowledgements_sent as u64,
        shipments_acknowledged: count("SELECT COUNT(*) FROM deliveries WHERE shipment_outcome = 'applied'")? as u64,
        delivery_exceptions: count("SELECT COUNT(*) FROM delivery_exceptions")? as u64,
        sales_orders: store::sales_orders(connection, None)?.len() as u64,
        shipments: store::shipments(connection, None)?.len() as u64,
        invoices: books.invoices.len() as u64,
        payments: books.payments.len() as u64,
        invoiced_total: books.invoiced_total(),
        paid_total: books.allocated_total(),
        outstanding_total,
    })
}

/// Receives the accepted quantities, reserves them, ships one delivery, invoices it and
/// records a payment of all (even `index`) or half (odd) of the invoice. With `driver`, the
/// driver's phone acknowledges the delivery; otherwise staff record it in full over REST.
async fn ship_and_bill(
    api: &Api,
    token: &str,
    order: &Value,
    index: usize,
    driver: Option<&DriverPhone<'_>>,
) -> anyhow::Result<()> {
    let orgs = format!("/api/v1/orgs/{DISTRIBUTOR}");
    let sales_order = order["id"].as_str().context("sales order id")?;
    let mut received: BTreeMap<ProductId, String> = BTreeMap::new();
    for line in order["lines"].as_array().context("sales order lines")? {
        let accepted = line["accepted"].as_str().context("accepted quantity")?;
        if accepted != "0" {
            received.insert(
                ProductId::new(line["product_id"].as_str().context("product id")?)?,
                accepted.to_owned(),
            );
        }
    }
    let lines: Vec<Value> = received
        .iter()
        .map(|(product, quantity)| json!({"product_id": product, "quantity": quantity}))
        .collect();
    api.post_json(
        token,
        &format!("{orgs}/stock/receipts"),
        &json!({"warehouse": WAREHOUSE, "lines": lines}),
    )
    .await?;
    api.post_json(
        token,
        &format!("{orgs}/sales-orders/{sales_order}/reservations"),
        &json!({"warehouses": [WAREHOUSE]}),
    )
    .await?;

    let planned = api
        .post_json(
            token,
            &format!("{orgs}/shipments"),
            &json!({"sales_order_id": sales_order, "warehouse": WAREHOUSE,
                    "planned_dispatch_on": "2026-05-05", "planned_delivery_on": "2026-05-06",
                    "transport": {"transporter": "Demo Roadways", "mode": "road", "vehicle_number": "MH 12 AB 1234",
                                  "driver_name": "Demo Driver", "driver_phone": "9876543210",
                                  "lorry_receipt_number": format!("LR-{index:04}"), "lorry_receipt_date": "2026-05-05"}}),
        )
        .await?;
    let shipment = planned["shipment"]["id"].as_str().context("shipment id")?;
    let delivered: Vec<Value> = planned["shipment"]["lines"]
        .as_array()
        .context("shipment lines")?
        .iter()
        .map(|line| json!({"line_no": line["line_no"], "quantity": line["dispatched"]}))
        .collect();
    let events = format!("{orgs}/shipments/{shipment}/events");
    api.post_json(token, &events, &json!({"event": "dispatch"})).await?;
    api.post_json(token, &events, &json!({"event": "in_transit"})).await?;
    match driver {
        Some(phone) => {
            let mut dispatched: BTreeMap<ProductId, Decimal> = BTreeMap::new();
            for line in planned["shipment"]["lines"].as_array().context("shipment lines")? {
                let product = ProductId::new(line["product_id"].as_str().context("product id")?)?;
                let quantity: Decimal = line["dispatched"].as_str().context("dispatched")?.parse()?;
                *dispatched.entry(product).or_default() += quantity;
            }
            let consignment = Consignment {
                shipment_id: shipment.parse()?,
                buyer_id: PartyId::new(order["buyer"]["party_id"].as_str().context("buyer id")?)?,
                vehicle_number: "MH12AB1234".to_owned(),
                dispatched,
            };
            acknowledge_consignment(phone.server_url, (phone.login, phone.token), &consignment, index).await?;
        }
        None => {
            api.post_json(token, &events, &json!({"event": "deliver", "lines": delivered}))
                .await?;
        }
    }

    let invoice: Invoice = serde_json::from_value(
        api.post_json(token, &format!("{orgs}/invoices"), &json!({"shipment_id": shipment}))
            .await?,
    )
    .context("invoice")?;
    let total = invoice.grand_total();
    let amount = if index.is_multiple_of(2) {
        total
    } else {
        Money::from_rupees(total.rupees() / Decimal::TWO).round_paise()
    };
    if amount > Money::ZERO {
        api.post_json(
            token,
            &format!("{orgs}/payments"),
            &json!({"buyer_id": invoice.buyer_id(), "mode": "upi", "reference": format!("UPI-{index:05}"),
                    "received_on": "2026-05-20", "amount": amount}),
        )
        .await?;
    }
    Ok(())
}

fn party(id: &str, gstin: &str, name: &str, index: usize) -> Value {
    json!({
        "party_id": id,
        "gstin": gstin,
        "legal_name": format!("{name} {index}"),
        "address": "1 Market Road, Pune",
        "place": "Pune",
        "location": {"state": "27", "district": "Pune", "pin": "411001"}
    })
}
