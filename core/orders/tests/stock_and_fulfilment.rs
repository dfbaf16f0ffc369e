#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;
use time::macros::date;

struct Scenario {
    stock: StockBook,
    order_a: SalesOrder,
    order_b: SalesOrder,
    outcome_a: ReservationOutcome,
    outcome_b: ReservationOutcome,
}

/// Order A: soap 10, tea 4. Order B: soap 8. Stock: Pune soap 6 and tea 4, Nashik soap 3.
fn reserve_two_orders() -> Scenario {
    let mut stock = StockBook::new();
    stock.receive(&warehouse("WH-PUNE"), &product(SOAP), qty("6"));
    stock.receive(&warehouse("WH-PUNE"), &product(TEA), qty("4"));
    stock.receive(&warehouse("WH-NASHIK"), &product(SOAP), qty("3"));

    let order_a = accepted_order(mumbai_buyer(), vec![soap_line("10"), tea_line("4")]);
    let order_b = accepted_order(mumbai_buyer(), vec![soap_line("8")]);
    let warehouses = [warehouse("WH-PUNE"), warehouse("WH-NASHIK")];
    let outcome_a = stock.reserve_order(&order_a, &warehouses).unwrap();
    let outcome_b = stock.reserve_order(&order_b, &warehouses).unwrap();
    Scenario {
        stock,
        order_a,
        order_b,
        outcome_a,
        outcome_b,
    }
}

fn supply(source: SupplySource, quantity: &str, expected_on: time::Date) -> SupplyEntry {
    SupplyEntry {
        id: SupplyEntryId::generate(),
        source,
        product_id: product(SOAP),
        quantity: qty(quantity),
        expected_on,
    }
}

#[test]
fn reservation_takes_available_stock_in_warehouse_order() {
    let scenario = reserve_two_orders();
    let reserved: Vec<_> = scenario
        .outcome_a
        .reservations
        .iter()
        .map(|r| (r.line_no, r.warehouse.as_str(), r.quantity))
        .collect();
    assert_eq!(
        reserved,
        vec![
            (1, "WH-PUNE", dec("6")),
            (1, "WH-NASHIK", dec("3")),
            (2, "WH-PUNE", dec("4"))
        ]
    );

    let pune_soap = scenario.stock.level(&warehouse("WH-PUNE"), &product(SOAP));
    assert_eq!(pune_soap.on_hand, dec("6"));
    assert_eq!(pune_soap.reserved, dec("6"));
    assert_eq!(pune_soap.available(), dec("0"));
}

#[test]
fn unreservable_quantity_becomes_backorder() {
    let scenario = reserve_two_orders();
    let backorder_a: Vec<_> = scenario
        .outcome_a
        .backorders
        .iter()
        .map(|b| (b.line_no, b.quantity))
        .collect();
    assert_eq!(backorder_a, vec![(1, dec("1"))]);

    assert!(scenario.outcome_b.reservations.is_empty());
    let backorder_b: Vec<_> = scenario
        .outcome_b
        .backorders
        .iter()
        .map(|b| (b.line_no, b.quantity))
        .collect();
    assert_eq!(backorder_b, vec![(1, dec("8"))]);
}

#[test]
fn reserving_again_only_fills_backorders() {
    let mut scenario = reserve_two_orders();
    scenario.stock.receive(&warehouse("WH-PUNE"), &product(SOAP), qty("5"));
    let warehouses = [warehouse("WH-PUNE")];

    let again_a = scenario.stock.reserve_order(&scenario.order_a, &warehouses).unwrap();
    assert_eq!(again_a.reservations.len(), 1);
    assert_eq!(again_a.reservations[0].quantity, dec("1"));
    assert!(again_a.backorders.is_empty());

    let again_b = scenario.stock.reserve_order(&scenario.order_b, &warehouses).unwrap();
    assert_eq!(again_b.reservations[0].quantity, dec("4"));
    assert_eq!(again_b.backorders[0].quantity, dec("4"));
}

#[test]
fn plan_dates_backorders_by_supply_date() {
    let scenario = reserve_two_orders();
    let supplies = [
        supply(SupplySource::Purchase, "5", date!(2026 - 05 - 20)),
        supply(SupplySource::Production, "2", date!(2026 - 05 - 12)),
    ];
    let plan = plan_fulfilment(
        &scenario.stock,
        &[scenario.order_a.clone(), scenario.order_b.clone()],
        &supplies,
    )
    .unwrap();

    let a = plan.order(scenario.order_a.id).unwrap();
    let from_stock: Vec<_> = a.from_stock.iter().map(|s| (s.line_no, s.quantity)).collect();
    assert_eq!(from_stock, vec![(1, dec("6")), (1, dec("3")), (2, dec("4"))]);
    assert_eq!(a.awaiting.len(), 1);
    assert_eq!(a.awaiting[0].quantity, dec("1"));
    assert_eq!(a.awaiting[0].supply, Some((SupplySource::Production, supplies[1].id)));
    assert_eq!(a.expected_complete_on(), Some(date!(2026 - 05 - 12)));

    let b = plan.order(scenario.order_b.id).unwrap();
    let awaiting: Vec<_> = b.awaiting.iter().map(|w| (w.quantity, w.expected_on)).collect();
    assert_eq!(
        awaiting,
        vec![
            (dec("1"), Some(date!(2026 - 05 - 12))),
            (dec("5"), Some(date!(2026 - 05 - 20))),
            (dec("2"), None),
        ]
    );
    assert_eq!(b.expected_complete_on(), None);
    assert_eq!(plan.shortfall().get(&product(SOAP)), Some(&dec("2")));
}

#[test]
fn production_is_scheduled_for_the_shortfall() {
    let scenario = reserve_two_orders();
    let orders = [scenario.order_a.clone(), scenario.order_b.clone()];
    let mut supplies = vec![
        supply(SupplySource::Purchase, "5", date!(2026 - 05 - 20)),
        supply(SupplySource::Production, "2", date!(2026 - 05 - 12)),
    ];
    let plan = plan_fulfilment(&scenario.stock, &orders, &supplies).unwrap();

    let raised = schedule_production_for_shortfall(&plan, date!(2026 - 05 - 30), SupplyEntryId::generate).unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].source, SupplySource::Production);
    assert_eq!(raised[0].product_id, product(SOAP));
    assert_eq!(raised[0].quantity, qty("2"));
    assert_eq!(raised[0].expected_on, date!(2026 - 05 - 30));

    supplies.extend(raised);
    let replanned = plan_fulfilment(&scenario.stock, &orders, &supplies).unwrap();
    assert!(replanned.shortfall().is_empty());
    assert_eq!(
        replanned.order(scenario.order_b.id).unwrap().expected_complete_on(),
        Some(date!(2026 - 05 - 30))
    );
}

#[test]
fn issue_moves_reserved_stock_out() {
    let mut scenario = reserve_two_orders();
    let pune = warehouse("WH-PUNE");
    scenario.stock.issue(&scenario.order_a, 1, &pune, dec("4")).unwrap();

    let level = scenario.stock.level(&pune, &product(SOAP));
    assert_eq!(level.on_hand, dec("2"));
    assert_eq!(level.reserved, dec("2"));
    assert_eq!(scenario.stock.issued_for_line(scenario.order_a.id, 1), dec("4"));
    assert_eq!(scenario.stock.reserved_for_line(scenario.order_a.id, 1), dec("5"));
    assert_eq!(
        scenario.stock.unreserved_for_line(&scenario.order_a, 1).unwrap(),
        dec("1")
    );
}

#[test]
fn issue_beyond_reservation_is_rejected() {
    let mut scenario = reserve_two_orders();
    let before = scenario.stock.clone();
    let error = scenario
        .stock
        .issue(&scenario.order_a, 1, &warehouse("WH-PUNE"), dec("7"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "sales order {} line 1: cannot issue 7 of product SOAP-100 from warehouse WH-PUNE, only 6 is reserved",
            scenario.order_a.id
        )
    );
    assert_eq!(scenario.stock, before);
}

#[test]
fn stock_book_round_trips_through_json() {
    let scenario = reserve_two_orders();
    let text = serde_json::to_string(&scenario.stock).unwrap();
    let back: StockBook = serde_json::from_str(&text).unwrap();
    assert_eq!(back, scenario.stock);
}
