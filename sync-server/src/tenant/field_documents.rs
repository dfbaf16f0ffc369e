//! Accepting field documents in the sync engine: visit plans (`dms.visit-plan/1`), delivery
//! acknowledgements (`dms.delivery-ack/1`) and business plans (`dms.business-plan/1`).
//!
//! Each changed document is read with its schema's `*View::read`, checked by the write rules
//! in [`crate::access::field`], and turned into the rows it reconciles to ([`FieldRecords`]),
//! which the engine commits with the document's changes in one transaction.
//!
//! A field document lives only under the document id made from the bytes of its own ULID
//! (plan id or acknowledgement id), as a cart does under its cart id, so one plan or
//! acknowledgement cannot stand for two documents.

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::business_plan::{BusinessPlanView, GoalScope};
use dms_documents::delivery_ack::{AcknowledgementView, Verdict};
use dms_documents::visit_plan::{Presence, VisitPlanView, VisitStatus};
use dms_domain::timestamp::IST;
use dms_domain::{PartyId, TenantId, Timestamp};
use rust_decimal::Decimal;

use crate::access::{self, DocumentAccess, Principal};
use crate::error::ServerError;
use crate::orders::acknowledgement::SignedAcknowledgement;
use crate::registry::Registry;
use crate::tenant::field_store::{
    Alteration, DeliveryImage, DeliveryLineRow, DeliveryRecord, FieldRecords, GoalRow, PresenceRow, VisitRow,
};
use crate::tenant::store::TenantStore;

/// The field document kinds the engine accepts, by schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    VisitPlan,
    DeliveryAck,
    BusinessPlan,
}

impl FieldKind {
    pub fn from_schema(schema: &str) -> Option<FieldKind> {
        match schema {
            dms_documents::visit_plan::VISIT_PLAN_SCHEMA => Some(FieldKind::VisitPlan),
            dms_documents::delivery_ack::DELIVERY_ACK_SCHEMA => Some(FieldKind::DeliveryAck),
            dms_documents::business_plan::BUSINESS_PLAN_SCHEMA => Some(FieldKind::BusinessPlan),
            _ => None,
        }
    }

    /// The `documents.kind` text of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::VisitPlan => "visit_plan",
            FieldKind::DeliveryAck => "delivery_ack",
            FieldKind::BusinessPlan => "business_plan",
        }
    }
}

/// Inputs of one field document check.
pub struct FieldCheck<'a> {
    pub principal: &'a Principal,
    pub tenant_id: &'a TenantId,
    pub store: &'a TenantStore,
    pub registry: &'a Registry,
    pub document_id: DocumentId,
    /// The stored copy, when the document exists and is of the same kind.
    pub before: Option<&'a Automerge>,
    pub after: &'a Automerge,
}

/// An accepted change to a field document: its access facts, status and reconciled rows.
pub struct FieldUpdate {
    pub access: DocumentAccess,
    pub status: Option<String>,
    pub records: FieldRecords,
}

/// Why a change was refused.
pub enum FieldRefusal {
    Refused(String),
    Internal(ServerError),
}

impl From<ServerError> for FieldRefusal {
    fn from(error: ServerError) -> Self {
        FieldRefusal::Internal(error)
    }
}

/// A stored copy that no longer reads is a server fault, not the sender's.
impl From<dms_documents::DocumentError> for FieldRefusal {
    fn from(error: dms_documents::DocumentError) -> Self {
        FieldRefusal::Internal(ServerError::Document(error))
    }
}

/// The document id a field document with this ULID must live under.
pub fn field_document_id(ulid_bytes: [u8; 16]) -> DocumentId {
    DocumentId::from_bytes(ulid_bytes)
}

/// Checks a changed field document of `kind` and builds the rows it reconciles to.
pub fn check_field_update(kind: FieldKind, check: &FieldCheck<'_>) -> Result<FieldUpdate, FieldRefusal> {
    match kind {
        FieldKind::VisitPlan => check_visit_plan(check),
        FieldKind::DeliveryAck => check_delivery_ack(check),
        FieldKind::BusinessPlan => check_business_plan(check),
    }
}

/// Finds a change that alters a signed acknowledgement: content that no longer matches the
/// signed hash (a late offline edit merged after sign-off, or a tampering client), or any
/// change [`dms_documents::delivery_ack::check_transition`] refuses once signed. Returns the
/// report to record and the message for the device, or `None` when nothing signed changed.
pub fn signed_alteration(check: &FieldCheck<'_>) -> Option<(Alteration, String)> {
    let after = AcknowledgementView::read_unverified(check.after).ok()?;
    let before = check.before.and_then(|before| AcknowledgementView::read(before).ok());
    let signed = before
        .as_ref()
        .and_then(|before| before.sign_off.clone())
        .or_else(|| after.sign_off.clone())?;
    let header = before.as_ref().map_or(&after.header, |before| &before.header);

    let reason = if after.is_altered_after_sign_off() || after.sign_off.as_ref() != Some(&signed) {
        format!(
            "acknowledgement {} was signed by {} at {}; edits after sign-off are refused",
            header.ack_id, signed.signed_by, signed.signed_at
        )
    } else {
        let before = before.as_ref()?;
        dms_documents::delivery_ack::check_transition(before, &after).err()?
    };
    let alteration = Alteration {
        document_id: check.document_id.to_string(),
        ack_id: header.ack_id.to_string(),
        shipment_id: header.shipment_id.to_string(),
        signed_by: signed.signed_by.to_string(),
        signed_at: signed.signed_at.to_string(),
        signed_sha256: signed.content_sha256.clone(),
        altered_sha256: Some(after.content_sha256()),
        received_from: check.principal.user_id.to_string(),
        reason: reason.clone(),
    };
    Some((alteration, reason))
}

fn check_visit_plan(check: &FieldCheck<'_>) -> Result<FieldUpdate, FieldRefusal> {
    let plan = VisitPlanView::read(check.after).map_err(|error| FieldRefusal::Refused(error.to_string()))?;
    require_document_id(check, plan.header.plan_id.to_bytes(), "visit plan")?;
    let before = check.before.map(VisitPlanView::read).transpose()?;
    access::field::check_visit_plan_write(check.principal, before.as_ref(), &plan).map_err(FieldRefusal::Refused)?;

    // A visit added by this change must be to a party this organisation trades with.
    for visit in plan.visits.values() {
        let is_new = before
            .as_ref()
            .is_none_or(|before| !before.visits.contains_key(&visit.visit_id));
        if is_new && !check.registry.is_linked(check.tenant_id, visit.party_id.as_str())? {
            return Err(FieldRefusal::Refused(format!(
                "visit {} is to {}, which does not trade with organisation {}",
                visit.visit_id, visit.party_id, check.tenant_id
            )));
        }
    }

    let visits = plan
        .visits
        .values()
        .map(|visit| VisitRow {
            plan_id: plan.header.plan_id.to_string(),
            visit_id: visit.visit_id.to_string(),
            rep_id: visit.owner.to_string(),
            party_id: visit.party_id.to_string(),
            visit_date: ist_date(&visit.window_from),
            window_from: visit.window_from.to_string(),
            window_to: visit.window_to.to_string(),
            unplanned: visit.unplanned,
            objectives: visit.objectives.clone(),
            vehicle_number: visit.vehicle.as_ref().map(|vehicle| vehicle.number.clone()),
            vehicle_kind: visit.vehicle.as_ref().map(|vehicle| vehicle.kind.clone()),
            check_in: visit.check_in.as_ref().map(presence_row),
            check_out: visit.check_out.as_ref().map(presence_row),
            outcome: visit.outcome.clone(),
            status: visit_status(visit.status()).to_owned(),
        })
        .collect();
    Ok(FieldUpdate {
        access: DocumentAccess::VisitPlan {
            rep: plan.header.rep_id.clone(),
        },
        status: None,
        records: FieldRecords::Visits {
            plan_id: plan.header.plan_id.to_string(),
            visits,
        },
    })
}

fn check_delivery_ack(check: &FieldCheck<'_>) -> Result<FieldUpdate, FieldRefusal> {
    let ack = AcknowledgementView::read(check.after).map_err(|error| FieldRefusal::Refused(error.to_string()))?;
    require_document_id(check, ack.header.ack_id.to_bytes(), "acknowledgement")?;
    let before = check.before.map(AcknowledgementView::read).transpose()?;
    access::field::check_delivery_ack_write(check.principal, before.as_ref(), &ack).map_err(FieldRefusal::Refused)?;

    let shipment_id = ack.header.shipment_id.to_string();
    if before.is_none() {
        if let Some(other) = check.store.delivery_ack_id(&shipment_id)? {
            return Err(FieldRefusal::Refused(format!(
                "shipment {shipment_id} already has acknowledgement {other}"
            )));
        }
        if !check
            .registry
            .is_linked(check.tenant_id, ack.header.buyer_id.as_str())?
        {
            return Err(FieldRefusal::Refused(format!(
                "buyer {} is not a buyer of organisation {}",
                ack.header.buyer_id, check.tenant_id
            )));
        }
    }

    let record = delivery_record(&ack);
    Ok(FieldUpdate {
        access: DocumentAccess::DeliveryAck {
            buyer_id: ack.header.buyer_id.clone(),
            driver: ack.header.driver_id.clone(),
        },
        status: Some(record.status.clone()),
        records: FieldRecords::Delivery {
            record: Box::new(record),
            signed: signed_acknowledgement(&ack).map(Box::new),
        },
    })
}

fn check_business_plan(check: &FieldCheck<'_>) -> Result<FieldUpdate, FieldRefusal> {
    let plan = BusinessPlanView::read(check.after).map_err(|error| FieldRefusal::Refused(error.to_string()))?;
    require_document_id(check, plan.header.plan_id.to_bytes(), "business plan")?;
    let before = check.before.map(BusinessPlanView::read).transpose()?;
    access::field::check_business_plan_write(check.principal, before.as_ref(), &plan).map_err(FieldRefusal::Refused)?;

    let distributor = plan.header.distributor_id.as_str();
    if before.is_none() && !check.registry.is_linked(check.tenant_id, distributor)? {
        return Err(FieldRefusal::Refused(format!(
            "distributor {distributor} is not a distributor of company {}",
            check.tenant_id
        )));
    }

    let goals = plan
        .goals
        .values()
        .map(|goal| GoalRow {
            goal_id: goal.goal_id.clone(),
            scope: match goal.scope {
                GoalScope::Category => "category",
                GoalScope::Product => "product",
            }
            .to_owned(),
            target: goal.target.clone(),
            period_from: goal.period_from.to_string(),
            period_to: goal.period_to.to_string(),
            quantity: goal.quantity.map(|quantity| quantity.normalize().to_string()),
            value: goal.value.map(String::from),
        })
        .collect();
    Ok(FieldUpdate {
        access: DocumentAccess::BusinessPlan {
            distributor: PartyId::new(distributor).map_err(ServerError::from)?,
        },
        status: None,
        records: FieldRecords::Goals {
            plan_id: plan.header.plan_id.to_string(),
            distributor_id: distributor.to_owned(),
            goals,
        },
    })
}

fn require_document_id(check: &FieldCheck<'_>, ulid_bytes: [u8; 16], name: &str) -> Result<(), FieldRefusal> {
    let expected = field_document_id(ulid_bytes);
    if expected != check.document_id {
        return Err(FieldRefusal::Refused(format!(
            "this {name} belongs under document {expected}, not {}",
            check.document_id
        )));
    }
    Ok(())
}

/// Collects the facts order to cash applies to the shipment, when `ack` is signed. `ack` was
/// read with [`AcknowledgementView::read`], which rejects content that no longer matches the
/// signed hash.
fn signed_acknowledgement(ack: &AcknowledgementView) -> Option<SignedAcknowledgement> {
    let sign_off = ack.sign_off.as_ref()?;
    Some(SignedAcknowledgement {
        ack_id: ack.header.ack_id,
        shipment_id: ack.header.shipment_id,
        buyer_id: ack.header.buyer_id.clone(),
        signed_by: sign_off.signed_by.clone(),
        signed_at: sign_off.signed_at,
        lines: ack.lines.values().cloned().collect(),
    })
}

fn delivery_record(ack: &AcknowledgementView) -> DeliveryRecord {
    let (dispatched, delivered, short, damaged) = ack.totals();
    let status = match &ack.sign_off {
        None => "unsigned",
        Some(_) if short.is_zero() && damaged.is_zero() => "delivered",
        Some(_) => "partly_delivered",
    };
    let mut images: Vec<DeliveryImage> = ack
        .photos
        .values()
        .map(|(image, _)| DeliveryImage {
            sha256: image.sha256.clone(),
            role: "photo".to_owned(),
            media_type: image.media_type.clone(),
        })
        .collect();
    if let Some(signature) = &ack.signature {
        images.push(DeliveryImage {
            sha256: signature.sha256.clone(),
            role: "signature".to_owned(),
            media_type: signature.media_type.clone(),
        });
    }
    let countersign = ack.countersign.as_ref();
    DeliveryRecord {
        shipment_id: ack.header.shipment_id.to_string(),
        ack_id: ack.header.ack_id.to_string(),
        buyer_id: ack.header.buyer_id.to_string(),
        driver_id: ack.header.driver_id.to_string(),
        vehicle_number: ack.header.vehicle_number.clone(),
        status: status.to_owned(),
        dispatched: decimal_text(dispatched),
        delivered: decimal_text(delivered),
        short: decimal_text(short),
        damaged: decimal_text(damaged),
        receiver_name: ack.receiver.as_ref().map(|receiver| receiver.name.clone()),
        receiver_phone: ack.receiver.as_ref().map(|receiver| receiver.phone.clone()),
        signature_sha256: ack.signature.as_ref().map(|image| image.sha256.clone()),
        captured_at: ack.captured.as_ref().map(|capture| capture.at.to_string()),
        captured_latitude: ack
            .captured
            .as_ref()
            .map(|capture| capture.position.latitude.to_string()),
        captured_longitude: ack
            .captured
            .as_ref()
            .map(|capture| capture.position.longitude.to_string()),
        signed_by: ack.sign_off.as_ref().map(|sign_off| sign_off.signed_by.to_string()),
        signed_at: ack.sign_off.as_ref().map(|sign_off| sign_off.signed_at.to_string()),
        content_sha256: ack.sign_off.as_ref().map(|sign_off| sign_off.content_sha256.clone()),
        countersigned_by: countersign.map(|countersign| countersign.by.to_string()),
        countersigned_at: countersign.map(|countersign| countersign.at.to_string()),
        countersign_verdict: countersign.map(|countersign| {
            match countersign.verdict {
                Verdict::Accepted => "accepted",
                Verdict::Disputed => "disputed",
            }
            .to_owned()
        }),
        countersign_note: countersign.and_then(|countersign| countersign.note.clone()),
        // Filled in when the record is written, from the stored outcome or by applying it.
        shipment_outcome: None,
        shipment_outcome_reason: None,
        lines: ack
            .lines
            .values()
            .map(|line| DeliveryLineRow {
                product_id: line.product_id.to_string(),
                product_name: line.product_id.to_string(),
                dispatched: decimal_text(line.dispatched),
                delivered: decimal_text(line.delivered),
                short: decimal_text(line.short),
                damaged: decimal_text(line.damaged),
                reason: line.reason.clone(),
            })
            .collect(),
        images,
    }
}

fn decimal_text(value: Decimal) -> String {
    value.normalize().to_string()
}

fn presence_row(presence: &Presence) -> PresenceRow {
    PresenceRow {
        at: presence.at.to_string(),
        latitude: presence.position.latitude.to_string(),
        longitude: presence.position.longitude.to_string(),
        accuracy_m: presence.position.accuracy_m.to_string(),
    }
}

fn visit_status(status: VisitStatus) -> &'static str {
    match status {
        VisitStatus::Planned => "planned",
        VisitStatus::InProgress => "in_progress",
        VisitStatus::Completed => "completed",
        VisitStatus::Cancelled => "cancelled",
    }
}

/// The calendar date of `at` in IST, `YYYY-MM-DD`: the day a visit report groups it under.
pub fn ist_date(at: &Timestamp) -> String {
    let date = at.offset_date_time().to_offset(IST).date();
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}
