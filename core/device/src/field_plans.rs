//! Visit plans on the device: a manager (the organisation's admin) or the rep creates a rep's
//! plan for a period, plans visits, reschedules, reassigns and cancels them, and the rep adds
//! unplanned visits and follow-ups during the day, all offline.
//!
//! Each call validates its input against the plan as the device holds it, edits a copy of the
//! document, commits the change to the device store and only then keeps the copy, as cart
//! edits do. A rejected call changes nothing. Check-ins, check-outs and outcomes are in
//! [`crate::field`]. The server decides who may write which plan (`docs/access-control.md`);
//! the device does not know its user's role, so a call it accepts may still be rejected at
//! sync.

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::visit_plan::{
    self, FollowUp, NewVisit, VISIT_PLAN_SCHEMA, Vehicle, Visit, VisitPlanHeader, VisitPlanView,
};
use dms_domain::{PartyId, PlanId, Timestamp, UserId, VisitId};
use serde::Serialize;

use crate::device::Device;
use crate::error::{DeviceError, Result};
use crate::field::{field_document, plan_document};

/// A visit as a manager plans it, or as a rep adds it unplanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitDraft {
    pub party_id: PartyId,
    pub window_from: Timestamp,
    pub window_to: Timestamp,
    /// Purposes of the visit, such as "collect the order". Blank entries are rejected.
    pub objectives: Vec<String>,
    /// Other users who come along.
    pub attendees: Vec<UserId>,
    pub vehicle: Option<Vehicle>,
}

/// One visit plan as listed on the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VisitPlanSummary {
    pub plan_id: PlanId,
    pub rep_id: UserId,
    pub period_from: Timestamp,
    pub period_to: Timestamp,
    pub visit_count: u32,
    /// Whether this device has edits the server has not confirmed.
    pub has_unsynced_edits: bool,
}

impl Device {
    /// Creates a visit plan for `rep` (this user when `None`) covering `period_from` to
    /// `period_to`, and returns its id. A rep may plan for itself; planning for another rep
    /// needs the organisation's admin, which the server checks at sync.
    pub fn create_visit_plan(
        &self,
        rep: Option<UserId>,
        period_from: Timestamp,
        period_to: Timestamp,
    ) -> Result<PlanId> {
        let identity = self.identity();
        if let Some(party) = &identity.party_id {
            return Err(DeviceError::InvalidInput(format!(
                "user {} buys for {party} and cannot create visit plans",
                identity.user_id
            )));
        }
        check_period("the plan's period", &period_from, &period_to)?;
        let header = VisitPlanHeader {
            plan_id: PlanId::generate(),
            tenant_id: identity.tenant_id.clone(),
            rep_id: rep.unwrap_or_else(|| identity.user_id.clone()),
            period_from,
            period_to,
            created_by: identity.user_id.clone(),
            created_at: Timestamp::now(),
        };
        let mut doc = Automerge::new();
        visit_plan::create_plan(&mut doc, &header)?;
        self.shared
            .lock()
            .commit_edit(plan_document(header.plan_id), doc, &[])?;
        tracing::debug!(plan_id = %header.plan_id, rep_id = %header.rep_id, "created visit plan");
        Ok(header.plan_id)
    }

    /// Lists the visit plans on this device, ordered by id (creation order).
    pub fn visit_plans(&self) -> Result<Vec<VisitPlanSummary>> {
        let inner = self.shared.lock();
        let mut summaries = Vec::new();
        for (document_id, doc) in &inner.documents {
            let Ok(view) = VisitPlanView::read(doc) else { continue };
            summaries.push(VisitPlanSummary {
                plan_id: view.header.plan_id,
                rep_id: view.header.rep_id,
                period_from: view.header.period_from,
                period_to: view.header.period_to,
                visit_count: view.visits.len() as u32,
                has_unsynced_edits: inner.store.acked_heads(document_id)? != doc.get_heads(),
            });
        }
        summaries.sort_by_key(|summary| summary.plan_id);
        Ok(summaries)
    }

    /// Plans a visit for the plan's rep and returns its id.
    pub fn add_planned_visit(&self, plan_id: PlanId, draft: &VisitDraft) -> Result<VisitId> {
        self.add_visit(plan_id, draft, false)
    }

    /// Adds a visit the rep makes without a plan, owned by this user, and returns its id.
    pub fn add_unplanned_visit(&self, plan_id: PlanId, draft: &VisitDraft) -> Result<VisitId> {
        self.add_visit(plan_id, draft, true)
    }

    /// Moves a visit's planned window. Rejected once the visit is checked in or cancelled.
    pub fn reschedule_visit(&self, plan_id: PlanId, visit_id: VisitId, from: Timestamp, to: Timestamp) -> Result<()> {
        self.edit_visit_plan(plan_id, |plan, doc| {
            let visit = existing_visit(plan, visit_id)?;
            check_not_started(visit, "rescheduled")?;
            check_not_cancelled(visit, "rescheduled")?;
            check_window(plan, &from, &to)?;
            as_input(visit_plan::reschedule(doc, visit_id, from, to, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, visit_id = %visit_id, "rescheduled visit");
        Ok(())
    }

    /// Assigns a visit to `owner`, who then owns it instead of the previous owner.
    pub fn assign_visit_owner(&self, plan_id: PlanId, visit_id: VisitId, owner: UserId) -> Result<()> {
        self.edit_visit_plan(plan_id, |plan, doc| {
            let visit = existing_visit(plan, visit_id)?;
            check_not_cancelled(visit, "reassigned")?;
            if visit.check_out.is_some() {
                return Err(DeviceError::InvalidInput(format!(
                    "visit {visit_id} is completed and cannot be reassigned"
                )));
            }
            as_input(visit_plan::assign_owner(doc, visit_id, &owner, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, visit_id = %visit_id, owner = %owner, "assigned visit");
        Ok(())
    }

    /// Cancels a visit that is not checked in.
    pub fn cancel_visit(&self, plan_id: PlanId, visit_id: VisitId) -> Result<()> {
        self.edit_visit_plan(plan_id, |plan, doc| {
            let visit = existing_visit(plan, visit_id)?;
            check_not_started(visit, "cancelled")?;
            check_not_cancelled(visit, "cancelled again")?;
            as_input(visit_plan::cancel(doc, visit_id, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, visit_id = %visit_id, "cancelled visit");
        Ok(())
    }

    /// Adds a follow-up to a visit, due at `due` if given, and returns its key.
    pub fn add_follow_up(
        &self,
        plan_id: PlanId,
        visit_id: VisitId,
        text: &str,
        due: Option<Timestamp>,
    ) -> Result<String> {
        let text = required_text(text, "a follow-up's text")?;
        self.edit_visit_plan(plan_id, |plan, doc| {
            existing_visit(plan, visit_id)?;
            let follow_up = FollowUp { text, due };
            as_input(visit_plan::add_follow_up(doc, visit_id, &follow_up, &Timestamp::now()))
        })
    }

    fn add_visit(&self, plan_id: PlanId, draft: &VisitDraft, unplanned: bool) -> Result<VisitId> {
        let objectives = draft
            .objectives
            .iter()
            .enumerate()
            .map(|(index, objective)| required_text(objective, &format!("objective {}", index + 1)))
            .collect::<Result<Vec<_>>>()?;
        let vehicle = draft
            .vehicle
            .as_ref()
            .map(|vehicle| {
                Ok::<_, DeviceError>(Vehicle {
                    number: required_text(&vehicle.number, "the vehicle number")?,
                    kind: required_text(&vehicle.kind, "the vehicle kind")?,
                })
            })
            .transpose()?;
        let visit_id = VisitId::generate();
        self.edit_visit_plan(plan_id, |plan, doc| {
            check_window(plan, &draft.window_from, &draft.window_to)?;
            let owner = if unplanned {
                self.identity().user_id.clone()
            } else {
                plan.header.rep_id.clone()
            };
            let visit = NewVisit {
                visit_id,
                party_id: draft.party_id.clone(),
                owner,
                window_from: draft.window_from,
                window_to: draft.window_to,
                unplanned,
                objectives,
                attendees: draft.attendees.clone(),
                vehicle,
            };
            as_input(visit_plan::add_visit(doc, &visit, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, visit_id = %visit_id, unplanned, "added visit");
        Ok(visit_id)
    }

    /// Reads the plan, runs `edit` on a copy, stores the new changes, then keeps the copy.
    fn edit_visit_plan<T>(
        &self,
        plan_id: PlanId,
        edit: impl FnOnce(&VisitPlanView, &mut Automerge) -> Result<T>,
    ) -> Result<T> {
        self.edit_plan_document(plan_document(plan_id), VISIT_PLAN_SCHEMA, VisitPlanView::read, edit)
    }

    /// Reads a document with `read`, runs `edit` on a copy, stores the new changes, then
    /// keeps the copy. Holding the device's lock throughout, the checks in `edit` see the
    /// document the edit applies to.
    pub(crate) fn edit_plan_document<V, T>(
        &self,
        document_id: DocumentId,
        schema: &str,
        read: impl FnOnce(&Automerge) -> dms_documents::Result<V>,
        edit: impl FnOnce(&V, &mut Automerge) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.shared.lock();
        let current = field_document(&inner, document_id, schema)?;
        let view = read(current)?;
        let mut doc = current.clone();
        let before = doc.get_heads();
        let outcome = edit(&view, &mut doc)?;
        inner.commit_edit(document_id, doc, &before)?;
        Ok(outcome)
    }
}

fn existing_visit(plan: &VisitPlanView, visit_id: VisitId) -> Result<&Visit> {
    plan.visits.get(&visit_id).ok_or_else(|| DeviceError::NotInDocument {
        item: "visit",
        id: visit_id.to_string(),
        document: format!("visit plan {}", plan.header.plan_id),
    })
}

fn check_not_started(visit: &Visit, action: &str) -> Result<()> {
    match &visit.check_in {
        Some(check_in) => Err(DeviceError::InvalidInput(format!(
            "visit {} was checked in at {} and cannot be {action}",
            visit.visit_id, check_in.at
        ))),
        None => Ok(()),
    }
}

fn check_not_cancelled(visit: &Visit, action: &str) -> Result<()> {
    if visit.cancelled {
        return Err(DeviceError::InvalidInput(format!(
            "visit {} is cancelled and cannot be {action}",
            visit.visit_id
        )));
    }
    Ok(())
}

/// Checks that a visit window is in order and inside the plan's period.
fn check_window(plan: &VisitPlanView, from: &Timestamp, to: &Timestamp) -> Result<()> {
    check_period("a visit window", from, to)?;
    let header = &plan.header;
    if *from < header.period_from || *to > header.period_to {
        return Err(DeviceError::InvalidInput(format!(
            "the visit window {from} to {to} is outside visit plan {}'s period {} to {}",
            header.plan_id, header.period_from, header.period_to
        )));
    }
    Ok(())
}

/// Checks that a period ends after it starts; `what` names it in the error.
pub(crate) fn check_period(what: &str, from: &Timestamp, to: &Timestamp) -> Result<()> {
    if to <= from {
        return Err(DeviceError::InvalidInput(format!(
            "{what} must end after it starts, but runs from {from} to {to}"
        )));
    }
    Ok(())
}

/// Returns `text` trimmed, or an error naming `what` when it is blank.
pub(crate) fn required_text(text: &str, what: &str) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DeviceError::InvalidInput(format!("{what} must not be blank")));
    }
    Ok(trimmed.to_owned())
}

/// Turns an edit the documents crate rejects into an input error. The document itself was
/// read without error just before, so a rejection here is about the edit, not the store.
pub(crate) fn as_input<T>(result: dms_documents::Result<T>) -> Result<T> {
    result.map_err(|error| match error {
        dms_documents::DocumentError::Invalid { reason, .. } => DeviceError::InvalidInput(reason),
        other => DeviceError::Document(other),
    })
}
