//! Field data over REST: reconciled visits and the visit report, delivery acknowledgement
//! reports, business plan achievement, and the images acknowledgements reference (blobs).
//!
//! Each handler first asks [`authorize`] about the kind, so a role without a row gets 403,
//! then asks again about each record; a record outside the caller's scope is answered as not
//! found, like one that does not exist.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use dms_domain::{PartyId, PlanId, Timestamp, UserId};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{ApiQuery, blocking};
use crate::access::{Action, Denied, DocumentAccess, Kind, Principal, Resource, Standing, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::reports::achievement::{Achievement, achievement};
use crate::reports::delivery;
use crate::reports::visits::{VisitReport, visit_report};
use crate::tenant::field_documents::field_document_id;
use crate::tenant::field_store::{DeliveryRecord, VisitRow};

/// Largest signature or photo accepted, in bytes: 5 MiB.
pub const MAX_BLOB_BYTES: usize = 5 * 1024 * 1024;

#[derive(Deserialize)]
pub struct VisitReportQuery {
    pub rep: String,
    /// `YYYY-MM-DD`, a day in IST.
    pub date: String,
}

/// Visits the caller may see. A visited party (a buyer) sees its own visits with the vehicle
/// and objectives, but not the rep's positions or outcome notes.
pub async fn visits(State(state): State<AppState>, Acting { context, .. }: Acting) -> Result<Json<Vec<VisitRow>>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Visits))?;
    let visits = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let rows = tenant.lock().store().visits(None, None)?;
        let mut visible = Vec::new();
        for mut row in rows {
            let (Ok(rep), Ok(party)) = (UserId::new(row.rep_id.clone()), PartyId::new(row.party_id.clone())) else {
                continue;
            };
            if authorize(&context, Action::Read, &Resource::visit(&rep, Some(&party))).is_err() {
                continue;
            }
            if context.standing == Standing::Buyer {
                row.check_in = None;
                row.check_out = None;
                row.outcome = None;
            }
            visible.push(row);
        }
        Ok(visible)
    })
    .await?;
    Ok(Json(visits))
}

/// The visit report of one rep for one day.
pub async fn visit_report_of_day(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    ApiQuery(query): ApiQuery<VisitReportQuery>,
) -> Result<Json<VisitReport>> {
    let rep = UserId::new(query.rep.clone())?;
    authorize(&context, Action::Read, &Resource::visit(&rep, None))?;
    if !is_calendar_date(&query.date) {
        return Err(ServerError::InvalidInput(format!(
            "date {:?} is not a day in the form YYYY-MM-DD",
            query.date
        )));
    }
    let report = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let rows = tenant.lock().store().visits(Some(rep.as_str()), Some(&query.date))?;
        Ok(visit_report(rep.as_str(), &query.date, rows, Timestamp::now()))
    })
    .await?;
    Ok(Json(report))
}

pub async fn delivery_report_html(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, shipment)): Path<(String, String)>,
) -> Result<impl IntoResponse> {
    let record = visible_delivery(state, context, shipment).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        delivery::html(&record),
    ))
}

pub async fn delivery_report_pdf(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, shipment)): Path<(String, String)>,
) -> Result<impl IntoResponse> {
    let record = visible_delivery(state, context, shipment).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], delivery::pdf(&record)))
}

async fn visible_delivery(state: AppState, context: Principal, shipment: String) -> Result<DeliveryRecord> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Deliveries))?;
    let not_found = || ServerError::NotFound(format!("delivery of shipment {shipment}"));
    let record = {
        let shipment = shipment.clone();
        blocking(move || {
            let tenant = state.hub.tenant(&context.tenant_id)?;
            let record = tenant.lock().store().delivery(&shipment)?;
            Ok(record.map(|record| (record, context)))
        })
        .await?
    };
    let Some((record, context)) = record else {
        return Err(not_found());
    };
    let buyer = PartyId::new(record.buyer_id.clone())?;
    let driver = UserId::new(record.driver_id.clone())?;
    match authorize(
        &context,
        Action::Read,
        &Resource::delivery(Kind::Deliveries, &buyer, &driver),
    ) {
        // The reason is written for the seller's staff and may name the shipment's real buyer
        // when a driver's acknowledgement named another one, so a buyer sees only the outcome.
        Ok(()) if context.party_id.is_some() => Ok(DeliveryRecord {
            shipment_outcome_reason: None,
            ..record
        }),
        Ok(()) => Ok(record),
        Err(Denied::OutOfScope { .. }) => Err(not_found()),
        Err(denied) => Err(denied.into()),
    }
}

/// Achievement of each goal of a business plan.
pub async fn business_plan_achievement(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, plan)): Path<(String, String)>,
) -> Result<Json<Achievement>> {
    authorize(&context, Action::Read, &Resource::kind(Kind::BusinessPlan))?;
    let plan_id: PlanId = plan
        .parse()
        .map_err(|_| ServerError::NotFound(format!("business plan {plan}")))?;
    let result = blocking(move || {
        let not_found = || ServerError::NotFound(format!("business plan {plan_id}"));
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let document_id = field_document_id(plan_id.to_bytes()).to_string();
        let distributor = guard
            .store()
            .business_plan_distributor(&document_id)?
            .ok_or_else(not_found)?;
        let access = DocumentAccess::BusinessPlan {
            distributor: PartyId::new(distributor.clone())?,
        };
        match authorize(&context, Action::Read, &Resource::document(&access)) {
            Ok(()) => {}
            Err(Denied::OutOfScope { .. }) => return Err(not_found()),
            Err(denied) => return Err(denied.into()),
        }
        let goals = guard.store().goals(&plan_id.to_string())?;
        let lines = guard.store().ordered_lines(&distributor)?;
        Ok(achievement(&plan_id.to_string(), &distributor, &goals, &lines))
    })
    .await?;
    Ok(Json(result))
}

/// Stores a signature or photo under the SHA-256 of its bytes. The hash in the path must
/// match the body; storing the same bytes again changes nothing.
pub async fn put_blob(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, sha256)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse> {
    let own = Resource {
        kind: Kind::Blobs,
        buyer: None,
        owner: Some(&context.user_id),
        owner_in_org: false,
    };
    authorize(&context, Action::Create, &own)?;
    check_sha256(&sha256)?;
    if body.len() > MAX_BLOB_BYTES {
        return Err(ServerError::InvalidInput(format!(
            "the blob has {} bytes, more than the limit of {MAX_BLOB_BYTES}",
            body.len()
        )));
    }
    let actual = hex::encode(Sha256::digest(&body));
    if actual != sha256 {
        return Err(ServerError::InvalidInput(format!(
            "the body's SHA-256 is {actual}, not {sha256} as the path says; the upload was not stored"
        )));
    }
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty() && value.len() <= 100)
        .unwrap_or("application/octet-stream")
        .to_owned();
    let created = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let created = tenant
            .lock()
            .store_mut()
            .put_blob(&sha256, &body, &media_type, context.user_id.as_str())?;
        tracing::info!(
            tenant_id = %context.tenant_id, user_id = %context.user_id, sha256 = %sha256, bytes = body.len(),
            created, "stored blob"
        );
        Ok(created)
    })
    .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(status)
}

/// Returns a blob to its uploader, and to whoever may read a delivery that references it.
pub async fn get_blob(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, sha256)): Path<(String, String)>,
) -> Result<impl IntoResponse> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Blobs))?;
    check_sha256(&sha256)?;
    let blob = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let guard = tenant.lock();
        let Some(info) = guard.store().blob_info(&sha256)? else {
            return Ok(None);
        };
        let mut allowed = info.uploaded_by == context.user_id.as_str();
        for (buyer, driver) in guard.store().blob_references(&sha256)? {
            let (Ok(buyer), Ok(driver)) = (PartyId::new(buyer), UserId::new(driver)) else {
                continue;
            };
            allowed |= authorize(
                &context,
                Action::Read,
                &Resource::delivery(Kind::Blobs, &buyer, &driver),
            )
            .is_ok();
        }
        if !allowed {
            return Ok(None);
        }
        let bytes = guard.store().blob_bytes(&sha256)?.unwrap_or_default();
        Ok(Some((info.media_type, bytes)))
    })
    .await?;
    match blob {
        Some((media_type, bytes)) => Ok(([(header::CONTENT_TYPE, media_type)], bytes)),
        None => Err(ServerError::NotFound("blob".to_owned())),
    }
}

/// Whether `text` is a real day written `YYYY-MM-DD`.
fn is_calendar_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>()) else {
        return false;
    };
    time::Month::try_from(month)
        .and_then(|month| time::Date::from_calendar_date(year, month, day))
        .is_ok()
}

fn check_sha256(text: &str) -> Result<()> {
    let valid = text.len() == 64 && text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
    if valid {
        Ok(())
    } else {
        Err(ServerError::InvalidInput(format!(
            "{text:?} is not a lower-case hex SHA-256"
        )))
    }
}
