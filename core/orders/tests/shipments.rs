#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dms_orders::*;

use ShipmentStatus::*;

#[test]
fn shipment_status_machine_allows_exactly_these_transitions() {
    let all = [Planned, Dispatched, InTransit, Delivered, PartlyDelivered, Returned];
    let legal = [
        (Planned, Dispatched),
        (Dispatched, InTransit),
        (InTransit, Delivered),
        (InTransit, PartlyDelivered),
        (InTransit, Returned),
    ];
    for from in all {
        for to in all {
            assert_eq!(from.can_become(to), legal.contains(&(from, to)), "{from} -> {to}");
        }
    }
}

#[test]
fn illegal_transition_names_from_and_to() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = planned_shipment(&order, &[(1, "10")]);

    let error = shipment.mark_in_transit().unwrap_err();
    assert_eq!(
        error,
        OrderError::IllegalShipmentTransition {
            shipment: shipment.id,
            from: Planned,
            to: InTransit,
        }
    );
    assert_eq!(
        error.to_string(),
        format!("shipment {} cannot go from planned to in_transit", shipment.id)
    );

    shipment.dispatch(at("2026-05-05T08:00:00+05:30")).unwrap();
    let error = shipment.dispatch(at("2026-05-05T09:00:00+05:30")).unwrap_err();
    assert!(matches!(
        error,
        OrderError::IllegalShipmentTransition {
            from: Dispatched,
            to: Dispatched,
            ..
        }
    ));
    let error = shipment
        .record_delivery(at("2026-05-06T10:00:00+05:30"), &[(1, dec("10"))])
        .unwrap_err();
    assert!(matches!(
        error,
        OrderError::IllegalShipmentTransition {
            from: Dispatched,
            to: Delivered,
            ..
        }
    ));
    assert_eq!(shipment.lines[0].delivered, dec("0"));
}

#[test]
fn delivered_shipment_is_final() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = delivered_shipment(&order, &[(1, "10")], &[(1, "10")]);
    assert_eq!(shipment.status, Delivered);
    assert!(matches!(
        shipment.mark_returned(at("2026-05-07T10:00:00+05:30")).unwrap_err(),
        OrderError::IllegalShipmentTransition {
            from: Delivered,
            to: Returned,
            ..
        }
    ));
}

#[test]
fn road_dispatch_needs_a_vehicle_number() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = planned_shipment(&order, &[(1, "10")]);
    shipment.transport.vehicle = None;
    let error = shipment.dispatch(at("2026-05-05T08:00:00+05:30")).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "shipment {} by road cannot be dispatched without a vehicle number",
            shipment.id
        )
    );
    assert_eq!(shipment.status, Planned);
}

#[test]
fn rail_dispatch_needs_a_transport_document() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = planned_shipment(&order, &[(1, "10")]);
    shipment.transport.mode = TransportMode::Rail;
    shipment.transport.vehicle = None;
    shipment.transport.lorry_receipt = None;
    assert!(matches!(
        shipment.dispatch(at("2026-05-05T08:00:00+05:30")).unwrap_err(),
        OrderError::MissingTransportDetail {
            mode: TransportMode::Rail,
            ..
        }
    ));
}

#[test]
fn vehicle_number_error_says_the_expected_format() {
    let error = VehicleNumber::new("MH12 1234").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid vehicle number \"MH12 1234\": must be state letters, RTO digits, series letters and number \
         digits, such as \"MH 12 AB 1234\" or \"KA-01-F-0001\""
    );
    assert_eq!(VehicleNumber::new("KA-01-F-0001").unwrap().as_str(), "KA01F0001");
}

#[test]
fn driver_phone_must_be_an_indian_mobile_number() {
    assert_eq!(Driver::new("Ravi", "+91 98765-43210").unwrap().phone, "9876543210");
    assert_eq!(Driver::new("Ravi", "09876543210").unwrap().phone, "9876543210");
    assert!(Driver::new("Ravi", "12345").is_err());
    assert!(Driver::new("Ravi", "5876543210").is_err());
    assert!(Driver::new(" ", "9876543210").is_err());
}

#[test]
fn partial_delivery_sets_partly_delivered() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10"), tea_line("4")]);
    let shipment = delivered_shipment(&order, &[(1, "10"), (2, "4")], &[(1, "7"), (2, "4")]);
    assert_eq!(shipment.status, PartlyDelivered);
    assert_eq!(shipment.lines[0].delivered, dec("7"));
    assert_eq!(shipment.lines[1].delivered, dec("4"));
    assert!(shipment.delivered_at.is_some());
}

#[test]
fn nothing_delivered_sets_returned() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let shipment = delivered_shipment(&order, &[(1, "10")], &[]);
    assert_eq!(shipment.status, Returned);
}

#[test]
fn delivery_above_dispatch_is_rejected() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = planned_shipment(&order, &[(1, "10")]);
    shipment.dispatch(at("2026-05-05T08:00:00+05:30")).unwrap();
    shipment.mark_in_transit().unwrap();

    let error = shipment
        .record_delivery(at("2026-05-06T10:00:00+05:30"), &[(1, dec("11"))])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "shipment {} line 1: delivered 11 exceeds the dispatched 10",
            shipment.id
        )
    );
    assert_eq!(shipment.status, InTransit);
    assert_eq!(shipment.lines[0].delivered, dec("0"));
}

#[test]
fn returns_accumulate_up_to_the_delivered_quantity() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = delivered_shipment(&order, &[(1, "10")], &[(1, "8")]);

    shipment.record_return(1, dec("3")).unwrap();
    shipment.record_return(1, dec("5")).unwrap();
    assert_eq!(shipment.lines[0].returned, dec("8"));
    assert_eq!(shipment.lines[0].kept(), dec("0"));

    let error = shipment.record_return(1, dec("0.5")).unwrap_err();
    assert_eq!(
        error,
        OrderError::ReturnExceedsDelivery {
            shipment: shipment.id,
            line_no: 1,
            delivered: dec("8"),
            requested: dec("0.5"),
            total: dec("8.5"),
        }
    );
    assert_eq!(shipment.status, PartlyDelivered);
}

#[test]
fn return_before_delivery_is_rejected() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let mut shipment = planned_shipment(&order, &[(1, "10")]);
    assert!(matches!(
        shipment.record_return(1, dec("1")).unwrap_err(),
        OrderError::ShipmentNotDelivered { status: Planned, .. }
    ));
}

#[test]
fn shipment_plan_rejects_delivery_before_dispatch() {
    let order = accepted_order(mumbai_buyer(), vec![soap_line("10")]);
    let error = Shipment::plan_lines(
        dms_domain::ShipmentId::generate(),
        order.seller.party_id.clone(),
        warehouse("WH-PUNE"),
        day(2026, 5, 6),
        day(2026, 5, 5),
        road_transport(),
        &[(order.id, 1, product(SOAP), dec("10"))],
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("planned delivery 2026-05-05 is before planned dispatch 2026-05-06")
    );
}
