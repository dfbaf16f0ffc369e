//! Comments on a shipment over REST. The buyer's users and the seller's staff write them; they
//! are listed in the shipment's record (`GET shipments`, and `order-status` on the buyer's
//! device).
//!
//! A caller that may read the shipment passes the access table's `shipment, read` row, so another
//! buyer's shipment reads as not found. A company's users overseeing a distributor can read
//! its shipments but are neither its staff nor its buyer, so their comments are refused.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dms_domain::{PartyId, Timestamp};
use dms_orders::{ShipmentComment, ShipmentCommentId};
use serde::Deserialize;

use super::orders::may_read;
use super::{ApiJson, blocking};
use crate::access::{Action, Denied, Kind, Principal, Resource, Standing, authorize};
use crate::app::AppState;
use crate::auth::Acting;
use crate::error::{Result, ServerError};
use crate::orders::{planning_store, seller_party, store};

#[derive(Deserialize)]
pub struct CommentBody {
    /// 1 to 2,000 characters after trimming.
    pub text: String,
}

/// Adds a comment to a shipment and returns it (201).
pub async fn add_comment(
    State(state): State<AppState>,
    Acting { context, .. }: Acting,
    Path((_, shipment_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<ShipmentComment>)> {
    authorize(&context, Action::Read, &Resource::kind(Kind::Shipment))?;
    let comment = blocking(move || {
        let tenant = state.hub.tenant(&context.tenant_id)?;
        let mut guard = tenant.lock();
        let record = store::shipment(guard.store().connection(), &shipment_id)?
            .filter(|record| may_read(&context, Kind::Shipment, &record.buyer_id))
            .ok_or_else(|| ServerError::NotFound(format!("shipment {shipment_id}")))?;
        let comment = ShipmentComment::new(
            ShipmentCommentId::generate(),
            record.shipment.id,
            context.user_id.clone(),
            author_party(&context)?,
            &body.text,
            Timestamp::now(),
        )?;

        let transaction = guard.store_mut().connection_mut().transaction()?;
        planning_store::insert_comment(&transaction, &comment)?;
        transaction.commit()?;
        tracing::info!(shipment_id = %shipment_id, comment_id = %comment.id, user_id = %context.user_id,
            party_id = %comment.party, "shipment comment added");
        Ok(comment)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// Returns the party a comment is written for: the buyer's own party, or the seller's for its
/// staff. Overseers are refused.
fn author_party(context: &Principal) -> Result<PartyId> {
    match (context.standing, &context.party_id) {
        (Standing::Buyer, Some(party)) => Ok(party.clone()),
        (Standing::Member, _) => seller_party(&context.tenant_id),
        _ => Err(Denied::Forbidden {
            role: context.role,
            action: Action::Create,
            kind: Kind::Shipment,
        }
        .into()),
    }
}
