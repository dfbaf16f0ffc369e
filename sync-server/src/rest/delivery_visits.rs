//! The representative assigned to a shipment's delivery, over REST. The seller's admin assigns
//! one of its organisation's active staff users, an expected arrival window and a vehicle; the
//! buyer sees the assignment in the shipment's record (`GET shipments`, `order-status`).

use axum::Json;
use axum::extract::{Path, State};
use dms_domain::{Timestamp, UserId};
use dms_orders::{DeliveryVisit, OrderError, Representative, ShipmentRecord, VehicleNumber, VisitRequest};
use serde::Deserialize;

use super::{ApiJson, blocking};
use crate::access::{Action, Kind, Resource, Role, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::orders::{planning_store, store};
use crate::rest::orders::with_acknowledgement;

#[derive(Deserialize)]
pub struct DeliveryVisitBody {
    /// User id of a staff user of the seller's organisation.
    pub representative: UserId,
    /// Start of the expected arrival window, with its offset.
    pub arrive_from: Timestamp,
    /// End of the window; must not be before `arrive_from`.
    pub arrive_to: Timestamp,
    /// Defaults to the shipment's transport vehicle.
    pub vehicle_number: Option<String>,
}

/// Assigns a representative to a shipment's delivery, replacing any earlier assignment, and
/// returns the shipment's record.
pub async fn assign(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, shipment_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<DeliveryVisitBody>,
) -> Result<Json<ShipmentRecord>> {
    authorize(&context, Action::Create, &Resource::kind(Kind::Shipment))?;
    let record = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let stored = store::shipment(guard.store().connection(), &shipment_id)?
            .ok_or_else(|| ServerError::NotFound(format!("shipment {shipment_id}")))?;
        let vehicle = body.vehicle_number.as_deref().map(VehicleNumber::new).transpose()?;
        // The registry's lock is taken inside the tenant's here. That order cannot deadlock,
        // because the registry (`crate::registry`) has no access to tenants or their locks.
        let staff = state
            .registry
            .users_of(&context.tenant_id)?
            .into_iter()
            .find(|user| user.user_id == body.representative && !user.revoked && user.role != Role::PartnerUser)
            .ok_or_else(|| OrderError::UnknownRepresentative {
                user: body.representative.to_string(),
                organisation: context.tenant_id.to_string(),
            })?;
        let request = VisitRequest {
            representative: Representative {
                user_id: staff.user_id,
                login: staff.login,
                role: staff.role.as_str().to_owned(),
                name: staff.contact.as_ref().map(|contact| contact.name.clone()),
                phone: staff.contact.map(|contact| contact.phone),
            },
            arrive_from: body.arrive_from,
            arrive_to: body.arrive_to,
            vehicle,
        };
        let visit = DeliveryVisit::assign(&stored.shipment, request, context.user_id.clone(), Timestamp::now())?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        planning_store::save_delivery_visit(&transaction, &shipment_id, &visit)?;
        transaction.commit()?;
        tracing::info!(shipment_id = %shipment_id, representative = %visit.representative.user_id,
            user_id = %context.user_id, "delivery visit assigned");
        let record = store::shipment(guard.store().connection(), &shipment_id)?
            .ok_or_else(|| ServerError::Corrupt(format!("shipment {shipment_id} vanished after assignment")))?;
        // Only the seller's staff assign, so the record shows the acknowledgement's outcome.
        with_acknowledgement(guard.store().connection(), record)
    })
    .await?;
    Ok(Json(record))
}
