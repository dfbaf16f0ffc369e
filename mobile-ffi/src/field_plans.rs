//! Visit plan calls exported on [`DeviceClient`]: create a plan, plan visits, add unplanned
//! ones, reschedule, reassign, cancel, add follow-ups, read and list plans. Timestamps are
//! RFC 3339 strings with their offset and ids are strings; all checks live in `dms-device`.

use dms_device::VisitDraft;
use dms_documents::visit_plan::Vehicle;
use dms_domain::{PartyId, PlanId, Timestamp, UserId, VisitId};

use crate::client::DeviceClient;
use crate::error::DeviceClientError;
use crate::plan_records::{VisitDraftRecord, VisitPlanRecord, VisitPlanSummaryRecord};

type Result<T, E = DeviceClientError> = std::result::Result<T, E>;

#[uniffi::export]
impl DeviceClient {
    /// Creates a visit plan for `rep_id` (this user when `None`) from `period_from` to
    /// `period_to`, and returns its id. Planning for another rep needs the organisation's
    /// admin; the server checks that at sync.
    pub fn create_visit_plan(&self, rep_id: Option<String>, period_from: String, period_to: String) -> Result<String> {
        let rep_id = rep_id.map(UserId::new).transpose()?;
        let plan_id = self
            .device
            .create_visit_plan(rep_id, parse_time(&period_from)?, parse_time(&period_to)?)?;
        Ok(plan_id.to_string())
    }

    /// Lists the visit plans on this device, ordered by id (creation order).
    pub fn visit_plans(&self) -> Result<Vec<VisitPlanSummaryRecord>> {
        let plans = self.device.visit_plans()?;
        Ok(plans.into_iter().map(VisitPlanSummaryRecord::from).collect())
    }

    /// Returns a visit plan on this device with its visits.
    pub fn visit_plan(&self, plan_id: String) -> Result<VisitPlanRecord> {
        Ok(self.device.visit_plan(parse_plan(&plan_id)?)?.into())
    }

    /// Plans a visit for the plan's rep and returns its id.
    pub fn add_planned_visit(&self, plan_id: String, visit: VisitDraftRecord) -> Result<String> {
        let plan_id = parse_plan(&plan_id)?;
        Ok(self
            .device
            .add_planned_visit(plan_id, &visit_draft(visit)?)?
            .to_string())
    }

    /// Adds an unplanned visit owned by this user and returns its id.
    pub fn add_unplanned_visit(&self, plan_id: String, visit: VisitDraftRecord) -> Result<String> {
        let plan_id = parse_plan(&plan_id)?;
        Ok(self
            .device
            .add_unplanned_visit(plan_id, &visit_draft(visit)?)?
            .to_string())
    }

    /// Moves a visit's window; rejected once the visit is checked in or cancelled.
    pub fn reschedule_visit(
        &self,
        plan_id: String,
        visit_id: String,
        window_from: String,
        window_to: String,
    ) -> Result<()> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        Ok(self
            .device
            .reschedule_visit(plan_id, visit_id, parse_time(&window_from)?, parse_time(&window_to)?)?)
    }

    /// Assigns a visit to another user.
    pub fn assign_visit_owner(&self, plan_id: String, visit_id: String, owner_id: String) -> Result<()> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        Ok(self
            .device
            .assign_visit_owner(plan_id, visit_id, UserId::new(owner_id)?)?)
    }

    /// Cancels a visit that is not checked in.
    pub fn cancel_visit(&self, plan_id: String, visit_id: String) -> Result<()> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        Ok(self.device.cancel_visit(plan_id, visit_id)?)
    }

    /// Adds a follow-up to a visit, due at `due` (RFC 3339) if given, and returns its id.
    pub fn add_follow_up(
        &self,
        plan_id: String,
        visit_id: String,
        text: String,
        due: Option<String>,
    ) -> Result<String> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        let due = due.as_deref().map(parse_time).transpose()?;
        Ok(self.device.add_follow_up(plan_id, visit_id, &text, due)?)
    }
}

fn visit_draft(record: VisitDraftRecord) -> Result<VisitDraft> {
    Ok(VisitDraft {
        party_id: PartyId::new(record.party_id)?,
        window_from: parse_time(&record.window_from)?,
        window_to: parse_time(&record.window_to)?,
        objectives: record.objectives,
        attendees: record
            .attendees
            .into_iter()
            .map(UserId::new)
            .collect::<Result<Vec<_>, _>>()?,
        vehicle: record.vehicle.map(|vehicle| Vehicle {
            number: vehicle.number,
            kind: vehicle.kind,
        }),
    })
}

pub(crate) fn parse_time(text: &str) -> Result<Timestamp> {
    Ok(text.parse()?)
}

pub(crate) fn parse_plan(text: &str) -> Result<PlanId> {
    Ok(text.parse()?)
}

fn parse_visit(plan_id: &str, visit_id: &str) -> Result<(PlanId, VisitId)> {
    Ok((plan_id.parse()?, visit_id.parse()?))
}
