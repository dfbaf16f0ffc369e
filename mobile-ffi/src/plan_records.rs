//! Records and enums of the visit plan and business plan calls, and their conversions from
//! `dms-device` and `dms-documents` types. Timestamps are RFC 3339 strings with their offset,
//! quantities and amounts decimal strings, ids strings.

use dms_device::{ActionStatus as DeviceActionStatus, BusinessPlanSummary, VisitPlanSummary};
use dms_documents::business_plan::{Action, BusinessPlanView, Comment, Goal, GoalScope as DocumentGoalScope};
use dms_documents::visit_plan::{Presence, Vehicle, Visit, VisitPlanView, VisitStatus as DocumentVisitStatus};

/// A vehicle used for a visit, such as number "MH-12-AB-1234" and kind "two-wheeler".
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VehicleRecord {
    pub number: String,
    pub kind: String,
}

/// A visit to plan, or to add unplanned. The window is two RFC 3339 timestamps inside the
/// plan's period.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VisitDraftRecord {
    pub party_id: String,
    pub window_from: String,
    pub window_to: String,
    pub objectives: Vec<String>,
    /// User ids of the people who come along.
    pub attendees: Vec<String>,
    #[uniffi(default = None)]
    pub vehicle: Option<VehicleRecord>,
}

/// Time (RFC 3339) and place of a check-in or check-out; coordinates in decimal degrees,
/// accuracy in metres.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PresenceRecord {
    pub at: String,
    pub latitude: String,
    pub longitude: String,
    pub accuracy_m: String,
}

/// A visit's follow-up, under the key it was added with.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct FollowUpRecord {
    pub follow_up_id: String,
    pub text: String,
    pub due: Option<String>,
}

/// State of a visit, derived from its check-in, check-out and cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum VisitStatus {
    Planned,
    InProgress,
    Completed,
    Cancelled,
}

/// One visit of a plan.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VisitRecord {
    pub visit_id: String,
    pub party_id: String,
    pub owner: String,
    /// Owners assigned at the same time on other devices that lost under the merge rules.
    pub conflicting_owners: Vec<String>,
    pub window_from: String,
    pub window_to: String,
    pub unplanned: bool,
    pub objectives: Vec<String>,
    pub attendees: Vec<String>,
    pub vehicle: Option<VehicleRecord>,
    pub check_in: Option<PresenceRecord>,
    pub check_out: Option<PresenceRecord>,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub follow_ups: Vec<FollowUpRecord>,
    pub cancelled: bool,
    pub status: VisitStatus,
}

/// A visit plan as stored on this device, with its visits ordered by id.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VisitPlanRecord {
    pub plan_id: String,
    pub rep_id: String,
    pub period_from: String,
    pub period_to: String,
    pub created_by: String,
    pub created_at: String,
    pub visits: Vec<VisitRecord>,
}

/// One visit plan as listed on the device.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VisitPlanSummaryRecord {
    pub plan_id: String,
    pub rep_id: String,
    pub period_from: String,
    pub period_to: String,
    pub visit_count: u32,
    pub has_unsynced_edits: bool,
}

/// Scope of a business plan goal: a category by name, or a product by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum GoalScope {
    Category,
    Product,
}

/// A goal to add. Without a period the goal covers the plan's period; give both ends or
/// neither. At least one of `quantity` (base units) and `value` (rupees) is required.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct GoalDraftRecord {
    pub scope: GoalScope,
    pub target: String,
    #[uniffi(default = None)]
    pub period_from: Option<String>,
    #[uniffi(default = None)]
    pub period_to: Option<String>,
    #[uniffi(default = None)]
    pub quantity: Option<String>,
    #[uniffi(default = None)]
    pub value: Option<String>,
}

/// Values of one goal field that lost a concurrent edit; the goal shows the winner.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct GoalConflictRecord {
    /// "quantity" or "value".
    pub field: String,
    pub losing_values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct GoalRecord {
    pub goal_id: String,
    pub scope: GoalScope,
    pub target: String,
    pub period_from: String,
    pub period_to: String,
    /// Quantity target in base units, such as "50".
    pub quantity: Option<String>,
    /// Value target in rupees, such as "12000.00".
    pub value: Option<String>,
    pub conflicts: Vec<GoalConflictRecord>,
}

/// Progress of a business plan action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ActionRecord {
    pub action_id: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: ActionStatus,
}

#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CommentRecord {
    pub author: String,
    pub at: String,
    pub text: String,
}

/// A business plan as stored on this device. Goals and actions are ordered by id, which is
/// the order they were added in, and comments keep the thread's order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct BusinessPlanRecord {
    pub plan_id: String,
    pub company_id: String,
    pub distributor_id: String,
    pub period_from: String,
    pub period_to: String,
    pub created_by: String,
    pub created_at: String,
    pub goals: Vec<GoalRecord>,
    pub actions: Vec<ActionRecord>,
    pub comments: Vec<CommentRecord>,
}

/// One business plan as listed on the device.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct BusinessPlanSummaryRecord {
    pub plan_id: String,
    pub company_id: String,
    pub distributor_id: String,
    pub period_from: String,
    pub period_to: String,
    pub goal_count: u32,
    pub action_count: u32,
    pub comment_count: u32,
    pub has_unsynced_edits: bool,
}

impl From<Vehicle> for VehicleRecord {
    fn from(vehicle: Vehicle) -> Self {
        Self {
            number: vehicle.number,
            kind: vehicle.kind,
        }
    }
}

impl From<Presence> for PresenceRecord {
    fn from(presence: Presence) -> Self {
        Self {
            at: presence.at.to_string(),
            latitude: presence.position.latitude.to_string(),
            longitude: presence.position.longitude.to_string(),
            accuracy_m: presence.position.accuracy_m.to_string(),
        }
    }
}

impl From<DocumentVisitStatus> for VisitStatus {
    fn from(status: DocumentVisitStatus) -> Self {
        match status {
            DocumentVisitStatus::Planned => VisitStatus::Planned,
            DocumentVisitStatus::InProgress => VisitStatus::InProgress,
            DocumentVisitStatus::Completed => VisitStatus::Completed,
            DocumentVisitStatus::Cancelled => VisitStatus::Cancelled,
        }
    }
}

impl From<Visit> for VisitRecord {
    fn from(visit: Visit) -> Self {
        let status = visit.status().into();
        Self {
            visit_id: visit.visit_id.to_string(),
            party_id: visit.party_id.to_string(),
            owner: visit.owner.to_string(),
            conflicting_owners: visit.conflicting_owners.iter().map(ToString::to_string).collect(),
            window_from: visit.window_from.to_string(),
            window_to: visit.window_to.to_string(),
            unplanned: visit.unplanned,
            objectives: visit.objectives,
            attendees: visit.attendees.iter().map(ToString::to_string).collect(),
            vehicle: visit.vehicle.map(VehicleRecord::from),
            check_in: visit.check_in.map(PresenceRecord::from),
            check_out: visit.check_out.map(PresenceRecord::from),
            notes: visit.notes,
            outcome: visit.outcome,
            follow_ups: visit
                .follow_ups
                .into_iter()
                .map(|(follow_up_id, follow_up)| FollowUpRecord {
                    follow_up_id,
                    text: follow_up.text,
                    due: follow_up.due.map(|due| due.to_string()),
                })
                .collect(),
            cancelled: visit.cancelled,
            status,
        }
    }
}

impl From<VisitPlanView> for VisitPlanRecord {
    fn from(plan: VisitPlanView) -> Self {
        let header = plan.header;
        Self {
            plan_id: header.plan_id.to_string(),
            rep_id: header.rep_id.to_string(),
            period_from: header.period_from.to_string(),
            period_to: header.period_to.to_string(),
            created_by: header.created_by.to_string(),
            created_at: header.created_at.to_string(),
            visits: plan.visits.into_values().map(VisitRecord::from).collect(),
        }
    }
}

impl From<VisitPlanSummary> for VisitPlanSummaryRecord {
    fn from(summary: VisitPlanSummary) -> Self {
        Self {
            plan_id: summary.plan_id.to_string(),
            rep_id: summary.rep_id.to_string(),
            period_from: summary.period_from.to_string(),
            period_to: summary.period_to.to_string(),
            visit_count: summary.visit_count,
            has_unsynced_edits: summary.has_unsynced_edits,
        }
    }
}

impl From<GoalScope> for DocumentGoalScope {
    fn from(scope: GoalScope) -> Self {
        match scope {
            GoalScope::Category => DocumentGoalScope::Category,
            GoalScope::Product => DocumentGoalScope::Product,
        }
    }
}

impl From<DocumentGoalScope> for GoalScope {
    fn from(scope: DocumentGoalScope) -> Self {
        match scope {
            DocumentGoalScope::Category => GoalScope::Category,
            DocumentGoalScope::Product => GoalScope::Product,
        }
    }
}

impl From<ActionStatus> for DeviceActionStatus {
    fn from(status: ActionStatus) -> Self {
        match status {
            ActionStatus::Open => DeviceActionStatus::Open,
            ActionStatus::InProgress => DeviceActionStatus::InProgress,
            ActionStatus::Done => DeviceActionStatus::Done,
        }
    }
}

impl From<DeviceActionStatus> for ActionStatus {
    fn from(status: DeviceActionStatus) -> Self {
        match status {
            DeviceActionStatus::Open => ActionStatus::Open,
            DeviceActionStatus::InProgress => ActionStatus::InProgress,
            DeviceActionStatus::Done => ActionStatus::Done,
        }
    }
}

impl From<Goal> for GoalRecord {
    fn from(goal: Goal) -> Self {
        Self {
            goal_id: goal.goal_id,
            scope: goal.scope.into(),
            target: goal.target,
            period_from: goal.period_from.to_string(),
            period_to: goal.period_to.to_string(),
            quantity: goal.quantity.map(|quantity| quantity.normalize().to_string()),
            value: goal.value.map(String::from),
            conflicts: goal
                .conflicts
                .into_iter()
                .map(|(field, losing_values)| GoalConflictRecord { field, losing_values })
                .collect(),
        }
    }
}

impl From<Action> for ActionRecord {
    fn from(action: Action) -> Self {
        // The documents crate reads only "open", "in_progress" and "done"; anything else
        // fails the read before a record is made, so the fallback is never taken.
        let status = DeviceActionStatus::parse(&action.status).unwrap_or(DeviceActionStatus::Open);
        Self {
            action_id: action.action_id,
            title: action.title,
            owner: action.owner.to_string(),
            due: action.due.to_string(),
            status: status.into(),
        }
    }
}

impl From<Comment> for CommentRecord {
    fn from(comment: Comment) -> Self {
        Self {
            author: comment.author.to_string(),
            at: comment.at.to_string(),
            text: comment.text,
        }
    }
}

impl From<BusinessPlanView> for BusinessPlanRecord {
    fn from(plan: BusinessPlanView) -> Self {
        let header = plan.header;
        Self {
            plan_id: header.plan_id.to_string(),
            company_id: header.company_id.to_string(),
            distributor_id: header.distributor_id.to_string(),
            period_from: header.period_from.to_string(),
            period_to: header.period_to.to_string(),
            created_by: header.created_by.to_string(),
            created_at: header.created_at.to_string(),
            goals: plan.goals.into_values().map(GoalRecord::from).collect(),
            actions: plan.actions.into_values().map(ActionRecord::from).collect(),
            comments: plan.comments.into_iter().map(CommentRecord::from).collect(),
        }
    }
}

impl From<BusinessPlanSummary> for BusinessPlanSummaryRecord {
    fn from(summary: BusinessPlanSummary) -> Self {
        Self {
            plan_id: summary.plan_id.to_string(),
            company_id: summary.company_id.to_string(),
            distributor_id: summary.distributor_id.to_string(),
            period_from: summary.period_from.to_string(),
            period_to: summary.period_to.to_string(),
            goal_count: summary.goal_count,
            action_count: summary.action_count,
            comment_count: summary.comment_count,
            has_unsynced_edits: summary.has_unsynced_edits,
        }
    }
}

#[cfg(test)]
mod tests {
    use dms_domain::{GeoPoint, Money, Timestamp};
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn goal_formats_targets_and_conflicts() {
        let goal = Goal {
            goal_id: "01JG0000000000000000000000".to_owned(),
            scope: DocumentGoalScope::Category,
            target: "Foodgrains, Oil & Masala".to_owned(),
            period_from: "2026-10-01T00:00:00+05:30".parse().unwrap(),
            period_to: "2027-01-01T00:00:00+05:30".parse().unwrap(),
            quantity: Some(Decimal::new(5000, 2)),
            value: Some(Money::from_rupees(Decimal::new(12000, 0))),
            conflicts: [("quantity".to_owned(), vec!["45".to_owned()])].into(),
        };
        let record = GoalRecord::from(goal);
        assert_eq!(record.quantity.as_deref(), Some("50"));
        assert_eq!(record.value.as_deref(), Some("12000.00"));
        assert_eq!(record.period_from, "2026-10-01T00:00:00+05:30");
        assert_eq!(
            record.conflicts,
            vec![GoalConflictRecord {
                field: "quantity".to_owned(),
                losing_values: vec!["45".to_owned()],
            }]
        );
    }

    #[test]
    fn presence_keeps_decimal_text_and_offset() {
        let at: Timestamp = "2026-11-20T10:05:00+05:30".parse().unwrap();
        let presence = Presence {
            at,
            position: GeoPoint::parse("18.5204", "73.8567", "8").unwrap(),
        };
        let record = PresenceRecord::from(presence);
        assert_eq!(record.at, "2026-11-20T10:05:00+05:30");
        assert_eq!(record.latitude, "18.5204");
        assert_eq!(record.longitude, "73.8567");
        assert_eq!(record.accuracy_m, "8");
    }
}
