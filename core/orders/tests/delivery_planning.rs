#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;
use time::macros::date;

#[test]
fn ready_lines_group_by_location_and_dispatch_date() {
    let mut stock = StockBook::new();
    stock.receive(&warehouse("WH-PUNE"), &product(SOAP), qty("100"));

    let mumbai_1 = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut other_mumbai = mumbai_buyer();
    other_mumbai.party_id = dms_domain::PartyId::new("kirana-99").unwrap();
    other_mumbai.location.district = " mumbai ".to_owned();
    let mumbai_2 = accepted_order(other_mumbai, vec![soap_line("5")]);
    let ahmedabad = accepted_order(ahmedabad_buyer(), vec![soap_line("7")]);
    let mumbai_late = accepted_order(mumbai_buyer(), vec![soap_line("3")]);

    let orders = vec![
        mumbai_1.clone(),
        mumbai_2.clone(),
        ahmedabad.clone(),
        mumbai_late.clone(),
    ];
    for order in &orders {
        stock.reserve_order(order, &[warehouse("WH-PUNE")]).unwrap();
    }
    let plan = plan_fulfilment(&stock, &orders, &[]).unwrap();
    let proposals = propose_shipments(&plan, &orders, DeliveryGrouping::ReadyLines, |order| {
        if order.id == mumbai_late.id {
            date!(2026 - 05 - 07)
        } else {
            date!(2026 - 05 - 05)
        }
    });

    let summary: Vec<_> = proposals
        .iter()
        .map(|p| (p.dispatch_on, p.state.as_str(), p.pin.as_str(), p.sales_orders.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (date!(2026 - 05 - 05), "24", "380001", vec![ahmedabad.id]),
            (date!(2026 - 05 - 05), "27", "400001", vec![mumbai_1.id, mumbai_2.id]),
            (date!(2026 - 05 - 07), "27", "400001", vec![mumbai_late.id]),
        ]
    );
    assert_eq!(proposals[1].district, "Mumbai");
    let quantities: Vec<_> = proposals[1].lines.iter().map(|line| line.quantity).collect();
    assert_eq!(quantities, vec![dec("10"), dec("5")]);
}

#[test]
fn complete_orders_wait_for_supply() {
    let mut stock = StockBook::new();
    stock.receive(&warehouse("WH-PUNE"), &product(SOAP), qty("12"));
    let full = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let short = accepted_order(mumbai_buyer(), vec![soap_line("5")]);
    let orders = vec![full.clone(), short.clone()];
    for order in &orders {
        stock.reserve_order(order, &[warehouse("WH-PUNE")]).unwrap();
    }
    let plan = plan_fulfilment(&stock, &orders, &[]).unwrap();

    let ready_lines = propose_shipments(&plan, &orders, DeliveryGrouping::ReadyLines, |_| date!(2026 - 05 - 05));
    assert_eq!(ready_lines.len(), 1);
    assert_eq!(ready_lines[0].sales_orders, vec![full.id, short.id]);
    assert_eq!(ready_lines[0].lines[1].quantity, dec("2"));

    let complete = propose_shipments(&plan, &orders, DeliveryGrouping::CompleteOrders, |_| {
        date!(2026 - 05 - 05)
    });
    assert_eq!(complete.len(), 1);
    assert_eq!(complete[0].sales_orders, vec![full.id]);
}

#[test]
fn proposal_becomes_a_planned_shipment() {
    let mut stock = StockBook::new();
    stock.receive(&warehouse("WH-PUNE"), &product(SOAP), qty("10"));
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    stock.reserve_order(&order, &[warehouse("WH-PUNE")]).unwrap();
    let plan = plan_fulfilment(&stock, std::slice::from_ref(&order), &[]).unwrap();
    let proposals = propose_shipments(
        &plan,
        std::slice::from_ref(&order),
        DeliveryGrouping::ReadyLines,
        |_| date!(2026 - 05 - 05),
    );

    let shipment = Shipment::plan(
        dms_domain::ShipmentId::generate(),
        order.seller.party_id.clone(),
        &proposals[0],
        date!(2026 - 05 - 06),
        road_transport(),
    )
    .unwrap();
    assert_eq!(shipment.status, ShipmentStatus::Planned);
    assert_eq!(shipment.planned_dispatch_on, date!(2026 - 05 - 05));
    assert_eq!(shipment.lines[0].dispatched, dec("10"));
    assert_eq!(shipment.lines[0].order_line_no, 1);
}
