//! The visit plan document: one per sales rep and period, listing the visits the rep will
//! make to distributors or partners, edited offline by the rep and online by the manager.
//!
//! # Layout
//! ```text
//! { schema: "dms.visit-plan/1",
//!   header: { plan_id, tenant_id, rep_id, period_from, period_to, created_by, created_at },
//!   visits: { <visit id>: {
//!       party_id, owner, window_from, window_to, unplanned, objectives: [text],
//!       attendees: [user id], vehicle?: { number, kind },
//!       check_in?: { at, latitude, longitude, accuracy_m },
//!       check_out?: { at, latitude, longitude, accuracy_m },
//!       notes?, outcome?, follow_ups: { <id>: { text, due } }, cancelled? } } }
//! ```
//!
//! # Merge rules
//! 1. **A check-in is never lost to a reschedule.** Rescheduling writes `window_from` and
//!    `window_to`; checking in writes the `check_in` map. They are different keys, so both
//!    survive, and the visit shows its planned window beside its actual times.
//! 2. **One owner per visit.** `owner` is a single value. If two managers assign the visit to
//!    different reps concurrently, every replica picks the same one (automerge's
//!    deterministic winner) and the other assignment is visible as a conflict; two reps can
//!    never both own a visit.
//! 3. **A check-in is written once.** The rep's device refuses a second check-in or a
//!    check-out before check-in. Two devices of the same rep checking in concurrently leave
//!    one winner.
//! 4. **Status is derived, not stored**: completed with a check-out, in progress with a
//!    check-in, cancelled when cancelled without a check-in, planned otherwise. Storing it
//!    would let a concurrent cancellation overwrite a check-in.
//! 5. Objectives, attendees and follow-ups are lists or maps, so concurrent additions from
//!    the manager and the rep both survive.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc};
use dms_domain::{GeoPoint, PartyId, PlanId, TenantId, Timestamp, UserId, VisitId};
use serde::Serialize;

use crate::SCHEMA_KEY;
use crate::error::{DocumentError, Result};
use crate::fields::{Reader, commit};

pub const VISIT_PLAN_SCHEMA: &str = "dms.visit-plan/1";
const KIND: &str = "visit plan";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VisitPlanHeader {
    pub plan_id: PlanId,
    pub tenant_id: TenantId,
    pub rep_id: UserId,
    pub period_from: Timestamp,
    pub period_to: Timestamp,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vehicle {
    pub number: String,
    pub kind: String,
}

/// Time and place of a check-in or check-out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub at: Timestamp,
    pub position: GeoPoint,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    Planned,
    InProgress,
    Completed,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub text: String,
    pub due: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub visit_id: VisitId,
    pub party_id: PartyId,
    pub owner: UserId,
    /// Owners assigned concurrently that lost under the merge rules.
    pub conflicting_owners: Vec<UserId>,
    pub window_from: Timestamp,
    pub window_to: Timestamp,
    pub unplanned: bool,
    pub objectives: Vec<String>,
    pub attendees: Vec<UserId>,
    pub vehicle: Option<Vehicle>,
    pub check_in: Option<Presence>,
    pub check_out: Option<Presence>,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub follow_ups: BTreeMap<String, FollowUp>,
    pub cancelled: bool,
}

impl Visit {
    pub fn status(&self) -> VisitStatus {
        match (&self.check_in, &self.check_out) {
            (_, Some(_)) => VisitStatus::Completed,
            (Some(_), None) => VisitStatus::InProgress,
            (None, None) if self.cancelled => VisitStatus::Cancelled,
            (None, None) => VisitStatus::Planned,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VisitPlanView {
    pub header: VisitPlanHeader,
    pub visits: BTreeMap<VisitId, Visit>,
}

/// A visit as the manager plans it, or as a rep adds it unplanned.
#[derive(Clone, Debug)]
pub struct NewVisit {
    pub visit_id: VisitId,
    pub party_id: PartyId,
    pub owner: UserId,
    pub window_from: Timestamp,
    pub window_to: Timestamp,
    pub unplanned: bool,
    pub objectives: Vec<String>,
    pub attendees: Vec<UserId>,
    pub vehicle: Option<Vehicle>,
}

impl VisitPlanView {
    pub fn read(doc: &Automerge) -> Result<VisitPlanView> {
        let reader = Reader::new(doc, KIND);
        if reader.optional_text(&ROOT, SCHEMA_KEY, SCHEMA_KEY)?.as_deref() != Some(VISIT_PLAN_SCHEMA) {
            return Err(reader.invalid("root field schema is not dms.visit-plan/1"));
        }

        let header_obj = reader.object(&ROOT, "header", "header")?;
        let text = |name: &str| reader.text(&header_obj, name, &format!("header.{name}"));
        let header = VisitPlanHeader {
            plan_id: text("plan_id")?.parse()?,
            tenant_id: TenantId::new(text("tenant_id")?)?,
            rep_id: UserId::new(text("rep_id")?)?,
            period_from: text("period_from")?.parse()?,
            period_to: text("period_to")?.parse()?,
            created_by: UserId::new(text("created_by")?)?,
            created_at: text("created_at")?.parse()?,
        };

        let visits_obj = reader.object(&ROOT, "visits", "visits")?;
        let mut visits = BTreeMap::new();
        for key in doc.keys(&visits_obj) {
            let visit_id: VisitId = key.parse()?;
            let visit_obj = reader.object(&visits_obj, &key, &format!("visits.{key}"))?;
            visits.insert(visit_id, read_visit(reader, &visit_obj, visit_id)?);
        }
        Ok(VisitPlanView { header, visits })
    }
}

fn read_visit(reader: Reader<'_>, obj: &ObjId, visit_id: VisitId) -> Result<Visit> {
    let path = |name: &str| format!("visits.{visit_id}.{name}");
    let text = |name: &str| reader.text(obj, name, &path(name));
    let optional = |name: &str| reader.optional_text(obj, name, &path(name));

    let mut conflicting_owners = Vec::new();
    let owner = UserId::new(text("owner")?)?;
    for (value, _) in reader.doc.get_all(obj, "owner")? {
        if let automerge::Value::Scalar(scalar) = value
            && let automerge::ScalarValue::Str(candidate) = scalar.as_ref()
            && candidate.as_str() != owner.as_str()
        {
            conflicting_owners.push(UserId::new(candidate.to_string())?);
        }
    }

    let vehicle = match reader.optional_object(obj, "vehicle", &path("vehicle"))? {
        Some(vehicle_obj) => Some(Vehicle {
            number: reader.text(&vehicle_obj, "number", &path("vehicle.number"))?,
            kind: reader.text(&vehicle_obj, "kind", &path("vehicle.kind"))?,
        }),
        None => None,
    };

    let mut follow_ups = BTreeMap::new();
    if let Some(follow_ups_obj) = reader.optional_object(obj, "follow_ups", &path("follow_ups"))? {
        for key in reader.doc.keys(&follow_ups_obj) {
            let item = reader.object(&follow_ups_obj, &key, &path(&format!("follow_ups.{key}")))?;
            let due = reader.optional_text(&item, "due", &path(&format!("follow_ups.{key}.due")))?;
            follow_ups.insert(
                key.clone(),
                FollowUp {
                    text: reader.text(&item, "text", &path(&format!("follow_ups.{key}.text")))?,
                    due: due.map(|text| text.parse()).transpose()?,
                },
            );
        }
    }

    let attendees = reader
        .text_list(obj, "attendees", &path("attendees"))?
        .into_iter()
        .map(UserId::new)
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Visit {
        visit_id,
        party_id: PartyId::new(text("party_id")?)?,
        owner,
        conflicting_owners,
        window_from: text("window_from")?.parse()?,
        window_to: text("window_to")?.parse()?,
        unplanned: reader
            .optional_bool(obj, "unplanned", &path("unplanned"))?
            .unwrap_or(false),
        objectives: reader.text_list(obj, "objectives", &path("objectives"))?,
        attendees,
        vehicle,
        check_in: read_presence(reader, obj, "check_in", &path("check_in"))?,
        check_out: read_presence(reader, obj, "check_out", &path("check_out"))?,
        notes: optional("notes")?,
        outcome: optional("outcome")?,
        follow_ups,
        cancelled: reader
            .optional_bool(obj, "cancelled", &path("cancelled"))?
            .unwrap_or(false),
    })
}

fn read_presence(reader: Reader<'_>, obj: &ObjId, name: &str, path: &str) -> Result<Option<Presence>> {
    let Some(presence_obj) = reader.optional_object(obj, name, path)? else {
        return Ok(None);
    };
    let text = |field: &str| reader.text(&presence_obj, field, &format!("{path}.{field}"));
    Ok(Some(Presence {
        at: text("at")?.parse()?,
        position: GeoPoint::parse(&text("latitude")?, &text("longitude")?, &text("accuracy_m")?)?,
    }))
}

/// Writes a new plan's schema, header and empty visits as one change.
pub fn create_plan(doc: &mut Automerge, header: &VisitPlanHeader) -> Result<()> {
    if !doc.get_heads().is_empty() {
        return Err(invalid("a visit plan can only be created in an empty document"));
    }
    if header.period_to <= header.period_from {
        return Err(invalid("the period must end after it starts"));
    }
    commit(doc, &header.created_at, "create visit plan", |tx| {
        tx.put(ROOT, SCHEMA_KEY, VISIT_PLAN_SCHEMA)?;
        let header_obj = tx.put_object(ROOT, "header", ObjType::Map)?;
        tx.put(&header_obj, "plan_id", header.plan_id.to_string())?;
        tx.put(&header_obj, "tenant_id", header.tenant_id.as_str())?;
        tx.put(&header_obj, "rep_id", header.rep_id.as_str())?;
        tx.put(&header_obj, "period_from", header.period_from.to_string())?;
        tx.put(&header_obj, "period_to", header.period_to.to_string())?;
        tx.put(&header_obj, "created_by", header.created_by.as_str())?;
        tx.put(&header_obj, "created_at", header.created_at.to_string())?;
        tx.put_object(ROOT, "visits", ObjType::Map)?;
        Ok(())
    })
}

/// Adds a planned or unplanned visit.
pub fn add_visit(doc: &mut Automerge, visit: &NewVisit, at: &Timestamp) -> Result<()> {
    let view = VisitPlanView::read(doc)?;
    if view.visits.contains_key(&visit.visit_id) {
        return Err(invalid(format!("visit {} already exists", visit.visit_id)));
    }
    check_window(&visit.window_from, &visit.window_to)?;
    let visits_obj = visits(doc)?;
    commit(doc, at, "add visit", |tx| {
        let obj = tx.put_object(&visits_obj, visit.visit_id.to_string(), ObjType::Map)?;
        tx.put(&obj, "party_id", visit.party_id.as_str())?;
        tx.put(&obj, "owner", visit.owner.as_str())?;
        tx.put(&obj, "window_from", visit.window_from.to_string())?;
        tx.put(&obj, "window_to", visit.window_to.to_string())?;
        tx.put(&obj, "unplanned", visit.unplanned)?;
        let objectives = tx.put_object(&obj, "objectives", ObjType::List)?;
        for (index, objective) in visit.objectives.iter().enumerate() {
            tx.insert(&objectives, index, objective.as_str())?;
        }
        let attendees = tx.put_object(&obj, "attendees", ObjType::List)?;
        for (index, attendee) in visit.attendees.iter().enumerate() {
            tx.insert(&attendees, index, attendee.as_str())?;
        }
        if let Some(vehicle) = &visit.vehicle {
            let vehicle_obj = tx.put_object(&obj, "vehicle", ObjType::Map)?;
            tx.put(&vehicle_obj, "number", vehicle.number.as_str())?;
            tx.put(&vehicle_obj, "kind", vehicle.kind.as_str())?;
        }
        tx.put_object(&obj, "follow_ups", ObjType::Map)?;
        Ok(())
    })
}

/// Moves a visit's planned window. Refused once the visit has started.
pub fn reschedule(
    doc: &mut Automerge,
    visit_id: VisitId,
    from: Timestamp,
    to: Timestamp,
    at: &Timestamp,
) -> Result<()> {
    let visit = existing_visit(doc, visit_id)?;
    if visit.check_in.is_some() {
        return Err(invalid(format!(
            "visit {visit_id} has started and cannot be rescheduled"
        )));
    }
    check_window(&from, &to)?;
    let obj = visit_object(doc, visit_id)?;
    commit(doc, at, "reschedule visit", |tx| {
        tx.put(&obj, "window_from", from.to_string())?;
        tx.put(&obj, "window_to", to.to_string())?;
        Ok(())
    })
}

/// Assigns the visit to a rep; the previous owner no longer owns it.
pub fn assign_owner(doc: &mut Automerge, visit_id: VisitId, owner: &UserId, at: &Timestamp) -> Result<()> {
    existing_visit(doc, visit_id)?;
    let obj = visit_object(doc, visit_id)?;
    commit(doc, at, "assign visit", |tx| tx.put(&obj, "owner", owner.as_str()))
}

/// Records arrival. Refused if the visit already has a check-in.
pub fn check_in(doc: &mut Automerge, visit_id: VisitId, presence: &Presence) -> Result<()> {
    let visit = existing_visit(doc, visit_id)?;
    if visit.check_in.is_some() {
        return Err(invalid(format!("visit {visit_id} is already checked in")));
    }
    write_presence(doc, visit_id, "check_in", presence)
}

/// Records departure. Refused before check-in or after a check-out.
pub fn check_out(doc: &mut Automerge, visit_id: VisitId, presence: &Presence) -> Result<()> {
    let visit = existing_visit(doc, visit_id)?;
    let Some(check_in) = &visit.check_in else {
        return Err(invalid(format!(
            "visit {visit_id} must be checked in before checking out"
        )));
    };
    if visit.check_out.is_some() {
        return Err(invalid(format!("visit {visit_id} is already checked out")));
    }
    if presence.at < check_in.at {
        return Err(invalid(format!("visit {visit_id} cannot end before it started")));
    }
    write_presence(doc, visit_id, "check_out", presence)
}

/// Records the visit's notes and outcome.
pub fn record_outcome(
    doc: &mut Automerge,
    visit_id: VisitId,
    notes: &str,
    outcome: &str,
    at: &Timestamp,
) -> Result<()> {
    existing_visit(doc, visit_id)?;
    let obj = visit_object(doc, visit_id)?;
    commit(doc, at, "record visit outcome", |tx| {
        tx.put(&obj, "notes", notes)?;
        tx.put(&obj, "outcome", outcome)?;
        Ok(())
    })
}

/// Adds a follow-up under a new key, so follow-ups added concurrently all survive.
pub fn add_follow_up(doc: &mut Automerge, visit_id: VisitId, follow_up: &FollowUp, at: &Timestamp) -> Result<String> {
    existing_visit(doc, visit_id)?;
    let obj = visit_object(doc, visit_id)?;
    let reader = Reader::new(doc, KIND);
    let follow_ups = reader.object(&obj, "follow_ups", "follow_ups")?;
    let key = ulid::Ulid::generate().to_string();
    commit(doc, at, "add follow-up", |tx| {
        let item = tx.put_object(&follow_ups, key.as_str(), ObjType::Map)?;
        tx.put(&item, "text", follow_up.text.as_str())?;
        if let Some(due) = &follow_up.due {
            tx.put(&item, "due", due.to_string())?;
        }
        Ok(())
    })?;
    Ok(key)
}

/// Cancels a visit that has not started.
pub fn cancel(doc: &mut Automerge, visit_id: VisitId, at: &Timestamp) -> Result<()> {
    let visit = existing_visit(doc, visit_id)?;
    if visit.check_in.is_some() {
        return Err(invalid(format!("visit {visit_id} has started and cannot be cancelled")));
    }
    let obj = visit_object(doc, visit_id)?;
    commit(doc, at, "cancel visit", |tx| tx.put(&obj, "cancelled", true))
}

fn write_presence(doc: &mut Automerge, visit_id: VisitId, name: &str, presence: &Presence) -> Result<()> {
    let obj = visit_object(doc, visit_id)?;
    commit(doc, &presence.at, name, |tx| {
        let presence_obj = tx.put_object(&obj, name, ObjType::Map)?;
        tx.put(&presence_obj, "at", presence.at.to_string())?;
        tx.put(&presence_obj, "latitude", presence.position.latitude.to_string())?;
        tx.put(&presence_obj, "longitude", presence.position.longitude.to_string())?;
        tx.put(&presence_obj, "accuracy_m", presence.position.accuracy_m.to_string())?;
        Ok(())
    })
}

fn existing_visit(doc: &Automerge, visit_id: VisitId) -> Result<Visit> {
    VisitPlanView::read(doc)?
        .visits
        .remove(&visit_id)
        .ok_or_else(|| invalid(format!("visit {visit_id} is not in this plan")))
}

fn visits(doc: &Automerge) -> Result<ObjId> {
    Reader::new(doc, KIND).object(&ROOT, "visits", "visits")
}

fn visit_object(doc: &Automerge, visit_id: VisitId) -> Result<ObjId> {
    let key = visit_id.to_string();
    Reader::new(doc, KIND).object(&visits(doc)?, &key, &format!("visits.{key}"))
}

fn check_window(from: &Timestamp, to: &Timestamp) -> Result<()> {
    if to <= from {
        return Err(invalid("a visit window must end after it starts"));
    }
    Ok(())
}

fn invalid(reason: impl Into<String>) -> DocumentError {
    DocumentError::Invalid {
        kind: KIND,
        reason: reason.into(),
    }
}
