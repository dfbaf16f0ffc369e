//! Shared fixtures: a seller in Pune (Maharashtra, state 27), a buyer in Mumbai (same state)
//! and a buyer in Ahmedabad (Gujarat, state 24), two products, and helpers that run an order
//! to a delivered shipment.

// Each test file uses some of the fixtures, and a fixture that fails to build is a broken test.
#![allow(dead_code, clippy::unwrap_used)]

use dms_domain::{Money, PartyId, ProductId, Quantity, ShipmentId, Timestamp};
use dms_orders::*;
use dms_pricing::gst::StateCode;
use rust_decimal::Decimal;
use time::Date;
use time::macros::date;

pub const SOAP: &str = "SOAP-100";
pub const TEA: &str = "TEA-250";

pub fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

pub fn qty(text: &str) -> Quantity {
    text.parse().unwrap()
}

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub fn money(text: &str) -> Money {
    text.parse().unwrap()
}

pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

pub fn party(id: &str, gstin: &str, name: &str, place: &str, state: &str, district: &str, pin: &str) -> PartyDetails {
    PartyDetails {
        party_id: PartyId::new(id).unwrap(),
        gstin: Gstin::new(gstin).unwrap(),
        legal_name: name.to_owned(),
        address: format!("Shop 1, Main Road, {place}"),
        place: place.to_owned(),
        location: Location {
            state: StateCode::new(state).unwrap(),
            district: district.to_owned(),
            pin: Pincode::new(pin).unwrap(),
        },
    }
}

pub fn seller() -> PartyDetails {
    party(
        "acme",
        "27AAACA1234A1Z5",
        "Acme Foods Pvt Ltd",
        "Pune",
        "27",
        "Pune",
        "411001",
    )
}

pub fn mumbai_buyer() -> PartyDetails {
    party(
        "kirana-12",
        "27BBBPK5678B1Z3",
        "Kirana Stores",
        "Mumbai",
        "27",
        "Mumbai",
        "400001",
    )
}

pub fn ahmedabad_buyer() -> PartyDetails {
    party(
        "gujarat-mart",
        "24CCCPG9012C1Z1",
        "Gujarat Mart",
        "Ahmedabad",
        "24",
        "Ahmedabad",
        "380001",
    )
}

pub fn soap_line(quantity: &str) -> RequestedLine {
    RequestedLine {
        product_id: product(SOAP),
        description: "Bath soap 100 g".to_owned(),
        hsn: "34011190".to_owned(),
        gst_rate: dec("18"),
        unit: "NOS".to_owned(),
        unit_price: money("40.00"),
        quantity: qty(quantity),
    }
}

pub fn tea_line(quantity: &str) -> RequestedLine {
    RequestedLine {
        product_id: product(TEA),
        description: "Assam tea 250 g".to_owned(),
        hsn: "09023020".to_owned(),
        gst_rate: dec("5"),
        unit: "NOS".to_owned(),
        unit_price: money("125.50"),
        quantity: qty(quantity),
    }
}

pub fn order_request(buyer: PartyDetails, lines: Vec<RequestedLine>) -> OrderRequest {
    OrderRequest {
        id: OrderRequestId::generate(),
        seller: seller(),
        buyer,
        requested_at: at("2026-05-04T09:00:00+05:30"),
        credit_days: 30,
        lines,
    }
}

pub fn accepted_order(buyer: PartyDetails, lines: Vec<RequestedLine>) -> SalesOrder {
    let request = order_request(buyer, lines);
    decide_order_request(
        &request,
        None,
        &OrderDecision::AcceptInFull,
        SalesOrderId::generate(),
        at("2026-05-04T10:00:00+05:30"),
    )
    .unwrap()
}

pub fn warehouse(code: &str) -> WarehouseId {
    WarehouseId::new(code).unwrap()
}

pub fn road_transport() -> Transport {
    Transport {
        transporter: Some("Sharma Roadways".to_owned()),
        mode: TransportMode::Road,
        vehicle: Some(VehicleNumber::new("MH 12 AB 1234").unwrap()),
        driver: Some(Driver::new("Ravi Patil", "+91 98765 43210").unwrap()),
        lorry_receipt: Some(LorryReceipt {
            number: "LR-5521".to_owned(),
            date: date!(2026 - 05 - 05),
        }),
    }
}

/// Plans a shipment of `(order line, quantity)` pairs of `order`, from warehouse WH-PUNE.
pub fn planned_shipment(order: &SalesOrder, lines: &[(u32, &str)]) -> Shipment {
    let lines: Vec<_> = lines
        .iter()
        .map(|(line_no, quantity)| {
            let product_id = order.line(*line_no).unwrap().product_id.clone();
            (order.id, *line_no, product_id, dec(quantity))
        })
        .collect();
    Shipment::plan_lines(
        ShipmentId::generate(),
        order.seller.party_id.clone(),
        warehouse("WH-PUNE"),
        date!(2026 - 05 - 05),
        date!(2026 - 05 - 06),
        road_transport(),
        &lines,
    )
    .unwrap()
}

/// Plans, dispatches and delivers a shipment, with `delivered` quantities per shipment line.
pub fn delivered_shipment(order: &SalesOrder, lines: &[(u32, &str)], delivered: &[(u32, &str)]) -> Shipment {
    let mut shipment = planned_shipment(order, lines);
    shipment.dispatch(at("2026-05-05T08:00:00+05:30")).unwrap();
    shipment.mark_in_transit().unwrap();
    let delivered: Vec<_> = delivered
        .iter()
        .map(|(line, quantity)| (*line, dec(quantity)))
        .collect();
    shipment
        .record_delivery(at("2026-05-06T15:00:00+05:30"), &delivered)
        .unwrap();
    shipment
}

pub fn invoice_series(prefix: &str, year: i32) -> InvoiceSeries {
    InvoiceSeries::new(seller().party_id, prefix, FinancialYear(year)).unwrap()
}

pub fn invoice_request(issued_at: &str, lines: &[(u32, &str)]) -> InvoiceRequest {
    InvoiceRequest {
        id: InvoiceId::generate(),
        issued_at: at(issued_at),
        lines: lines
            .iter()
            .map(|(line_no, quantity)| InvoiceLineRequest {
                source_line_no: *line_no,
                quantity: qty(quantity),
            })
            .collect(),
    }
}

pub fn day(year: i32, month: u8, day: u8) -> Date {
    Date::from_calendar_date(year, month.try_into().unwrap(), day).unwrap()
}
