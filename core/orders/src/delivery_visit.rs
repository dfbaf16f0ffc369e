//! The seller's representative assigned to a shipment's delivery: who comes, in which window
//! they are expected to arrive, and in which vehicle. The buyer sees it with the shipment.
//!
//! A shipment has at most one assignment; assigning again replaces it. Once the shipment is
//! delivered, partly delivered or returned, the delivery is over and nothing can be assigned.

use dms_domain::{Timestamp, UserId};
use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};
use crate::shipment::{Shipment, ShipmentStatus};
use crate::vehicle::VehicleNumber;

/// A staff user of the seller, as the server's user registry stores them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    pub user_id: UserId,
    pub login: String,
    /// The user's role in the seller's organisation, such as "delivery_driver".
    pub role: String,
    /// The person's name, when the seller recorded contact details for the user.
    #[serde(default)]
    pub name: Option<String>,
    /// Ten-digit mobile number, with the name.
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryVisit {
    pub representative: Representative,
    /// Start of the expected arrival window.
    pub arrive_from: Timestamp,
    /// End of the expected arrival window, never before `arrive_from`.
    pub arrive_to: Timestamp,
    /// The vehicle given with the assignment, else the shipment's transport vehicle.
    pub vehicle: Option<VehicleNumber>,
    pub assigned_by: UserId,
    pub assigned_at: Timestamp,
}

/// The seller's request to assign a representative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitRequest {
    pub representative: Representative,
    pub arrive_from: Timestamp,
    pub arrive_to: Timestamp,
    pub vehicle: Option<VehicleNumber>,
}

impl DeliveryVisit {
    /// Assigns `request` to `shipment`'s delivery. Fails when the window ends before it
    /// starts, or when the shipment is already delivered, partly delivered or returned.
    pub fn assign(
        shipment: &Shipment,
        request: VisitRequest,
        assigned_by: UserId,
        assigned_at: Timestamp,
    ) -> Result<Self> {
        if matches!(
            shipment.status,
            ShipmentStatus::Delivered | ShipmentStatus::PartlyDelivered | ShipmentStatus::Returned
        ) {
            return Err(OrderError::ShipmentFinal {
                shipment: shipment.id,
                status: shipment.status,
            });
        }
        if request.arrive_to < request.arrive_from {
            return Err(OrderError::InvalidArrivalWindow {
                shipment: shipment.id,
                from: request.arrive_from,
                to: request.arrive_to,
            });
        }
        Ok(Self {
            representative: request.representative,
            arrive_from: request.arrive_from,
            arrive_to: request.arrive_to,
            vehicle: request.vehicle.or_else(|| shipment.transport.vehicle.clone()),
            assigned_by,
            assigned_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use dms_domain::{PartyId, ProductId, ShipmentId};
    use rust_decimal::Decimal;
    use time::macros::date;

    use super::*;
    use crate::ids::{SalesOrderId, WarehouseId};
    use crate::shipment::{Transport, TransportMode};

    fn shipment() -> Shipment {
        Shipment::plan_lines(
            ShipmentId::generate(),
            PartyId::new("acme-dist").unwrap(),
            WarehouseId::new("WH-PUNE").unwrap(),
            date!(2026 - 05 - 05),
            date!(2026 - 05 - 06),
            Transport {
                transporter: None,
                mode: TransportMode::Road,
                vehicle: Some(VehicleNumber::new("MH 12 AB 1234").unwrap()),
                driver: None,
                lorry_receipt: None,
            },
            &[(
                SalesOrderId::generate(),
                1,
                ProductId::new("DM-001").unwrap(),
                Decimal::TEN,
            )],
        )
        .unwrap()
    }

    fn request(from: &str, to: &str, vehicle: Option<&str>) -> VisitRequest {
        VisitRequest {
            representative: Representative {
                user_id: UserId::new("ravi").unwrap(),
                login: "ravi".to_owned(),
                role: "delivery_driver".to_owned(),
                name: Some("Ravi Kumar".to_owned()),
                phone: Some("9876543210".to_owned()),
            },
            arrive_from: from.parse().unwrap(),
            arrive_to: to.parse().unwrap(),
            vehicle: vehicle.map(|number| VehicleNumber::new(number).unwrap()),
        }
    }

    fn assign(shipment: &Shipment, request: VisitRequest) -> Result<DeliveryVisit> {
        DeliveryVisit::assign(
            shipment,
            request,
            UserId::new("acme-admin").unwrap(),
            "2026-05-05T09:00:00+05:30".parse().unwrap(),
        )
    }

    #[test]
    fn vehicle_defaults_to_the_shipment_vehicle() {
        let shipment = shipment();
        let visit = assign(
            &shipment,
            request("2026-05-06T10:00:00+05:30", "2026-05-06T12:00:00+05:30", None),
        )
        .unwrap();
        assert_eq!(visit.vehicle.unwrap().as_str(), "MH12AB1234");
        let visit = assign(
            &shipment,
            request(
                "2026-05-06T10:00:00+05:30",
                "2026-05-06T12:00:00+05:30",
                Some("KA-01-F-0001"),
            ),
        )
        .unwrap();
        assert_eq!(visit.vehicle.unwrap().as_str(), "KA01F0001");
    }

    #[test]
    fn window_ending_before_it_starts_is_rejected() {
        let error = assign(
            &shipment(),
            request("2026-05-06T12:00:00+05:30", "2026-05-06T10:00:00+05:30", None),
        )
        .unwrap_err();
        assert!(matches!(error, OrderError::InvalidArrivalWindow { .. }), "{error}");
        // A window of one instant is allowed; offsets are compared as instants.
        assign(
            &shipment(),
            request("2026-05-06T10:00:00+05:30", "2026-05-06T04:30:00Z", None),
        )
        .unwrap();
    }

    #[test]
    fn final_shipment_takes_no_visit() {
        let mut shipment = shipment();
        shipment.dispatch("2026-05-05T08:00:00+05:30".parse().unwrap()).unwrap();
        shipment.mark_in_transit().unwrap();
        assign(
            &shipment,
            request("2026-05-06T10:00:00+05:30", "2026-05-06T12:00:00+05:30", None),
        )
        .unwrap();
        shipment
            .record_delivery("2026-05-06T11:00:00+05:30".parse().unwrap(), &[(1, Decimal::TEN)])
            .unwrap();
        let error = assign(
            &shipment,
            request("2026-05-06T10:00:00+05:30", "2026-05-06T12:00:00+05:30", None),
        )
        .unwrap_err();
        assert_eq!(
            error,
            OrderError::ShipmentFinal {
                shipment: shipment.id,
                status: ShipmentStatus::Delivered
            }
        );
    }
}
