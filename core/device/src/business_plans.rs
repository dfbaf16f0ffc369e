//! Business plans on the device. The company's staff and a distributor's admin create a plan
//! between the company and the distributor and set goals by category or product. They change
//! a goal's quantity or value target, add actions with owners and due dates, and comment, all
//! offline.
//!
//! Edits go through the same validate, copy, commit, swap path as visit plans
//! ([`crate::field_plans`]), and a rejected call changes nothing. Concurrent edits of
//! different fields of one goal both survive a merge. Two edits of the same field leave one
//! winner on every replica and the loser in [`Goal::conflicts`].
//!
//! [`Goal::conflicts`]: dms_documents::business_plan::Goal::conflicts

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::business_plan::{
    self, BUSINESS_PLAN_SCHEMA, BusinessPlanHeader, BusinessPlanView, GoalChange, GoalScope, NewGoal,
};
use dms_domain::{Money, PlanId, ProductId, TenantId, Timestamp, UserId};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::device::Device;
use crate::error::{DeviceError, Result};
use crate::field::field_document;
use crate::field_plans::{as_input, check_period, required_text};

/// A goal as it is first set. Without a period, the goal covers the plan's period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalDraft {
    pub scope: GoalScope,
    /// A category name, or a product id in this device's catalog, by `scope`.
    pub target: String,
    pub period: Option<(Timestamp, Timestamp)>,
    /// Quantity target in the product's base unit; greater than zero when given.
    pub quantity: Option<Decimal>,
    /// Value target in rupees; greater than zero when given.
    pub value: Option<Money>,
}

/// Progress of a growth action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
}

impl ActionStatus {
    /// Returns the status as the document stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
        }
    }

    /// Parses a stored status; `None` for text the documents crate does not write.
    pub fn parse(text: &str) -> Option<ActionStatus> {
        match text {
            "open" => Some(ActionStatus::Open),
            "in_progress" => Some(ActionStatus::InProgress),
            "done" => Some(ActionStatus::Done),
            _ => None,
        }
    }
}

/// One business plan as listed on the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusinessPlanSummary {
    pub plan_id: PlanId,
    pub company_id: TenantId,
    pub distributor_id: TenantId,
    pub period_from: Timestamp,
    pub period_to: Timestamp,
    pub goal_count: u32,
    pub action_count: u32,
    pub comment_count: u32,
    /// Whether this device has edits the server has not confirmed.
    pub has_unsynced_edits: bool,
}

/// Document id of a business plan: its ULID's 16 bytes.
pub fn business_plan_document(plan_id: PlanId) -> DocumentId {
    DocumentId::from_bytes(plan_id.to_bytes())
}

impl Device {
    /// Creates a business plan between this device's company and a distributor for a period,
    /// and returns its id. A distributor's admin (buying from the company) plans for its own
    /// distributor and may pass `None`; company staff must name the distributor.
    pub fn create_business_plan(
        &self,
        distributor: Option<TenantId>,
        period_from: Timestamp,
        period_to: Timestamp,
    ) -> Result<PlanId> {
        let identity = self.identity();
        let distributor_id = match (&identity.party_id, distributor) {
            (Some(own), None) => TenantId::new(own.as_str())?,
            (Some(own), Some(requested)) if requested.as_str() == own.as_str() => requested,
            (Some(own), Some(requested)) => {
                return Err(DeviceError::InvalidInput(format!(
                    "user {} acts for distributor {own} and cannot create a business plan for {requested}",
                    identity.user_id
                )));
            }
            (None, Some(requested)) => requested,
            (None, None) => {
                return Err(DeviceError::InvalidInput(
                    "company staff must name the distributor of a new business plan".to_owned(),
                ));
            }
        };
        if distributor_id == identity.tenant_id {
            return Err(DeviceError::InvalidInput(format!(
                "a business plan is between a company and a distributor, but both would be {distributor_id}"
            )));
        }
        check_period("the plan's period", &period_from, &period_to)?;

        let header = BusinessPlanHeader {
            plan_id: PlanId::generate(),
            company_id: identity.tenant_id.clone(),
            distributor_id,
            period_from,
            period_to,
            created_by: identity.user_id.clone(),
            created_at: Timestamp::now(),
        };
        let mut doc = Automerge::new();
        business_plan::create_plan(&mut doc, &header)?;
        self.shared
            .lock()
            .commit_edit(business_plan_document(header.plan_id), doc, &[])?;
        tracing::debug!(
            plan_id = %header.plan_id, distributor_id = %header.distributor_id, "created business plan"
        );
        Ok(header.plan_id)
    }

    /// Returns a business plan on this device.
    pub fn business_plan(&self, plan_id: PlanId) -> Result<BusinessPlanView> {
        let inner = self.shared.lock();
        let doc = field_document(&inner, business_plan_document(plan_id), BUSINESS_PLAN_SCHEMA)?;
        Ok(BusinessPlanView::read(doc)?)
    }

    /// Lists the business plans on this device, ordered by id (creation order).
    pub fn business_plans(&self) -> Result<Vec<BusinessPlanSummary>> {
        let inner = self.shared.lock();
        let mut summaries = Vec::new();
        for (document_id, doc) in &inner.documents {
            let Ok(view) = BusinessPlanView::read(doc) else {
                continue;
            };
            summaries.push(BusinessPlanSummary {
                plan_id: view.header.plan_id,
                company_id: view.header.company_id,
                distributor_id: view.header.distributor_id,
                period_from: view.header.period_from,
                period_to: view.header.period_to,
                goal_count: view.goals.len() as u32,
                action_count: view.actions.len() as u32,
                comment_count: view.comments.len() as u32,
                has_unsynced_edits: inner.store.acked_heads(document_id)? != doc.get_heads(),
            });
        }
        summaries.sort_by_key(|summary| summary.plan_id);
        Ok(summaries)
    }

    /// Adds a goal and returns its id. A product goal needs the product in this device's
    /// catalog; a category goal is taken as named.
    pub fn add_goal(&self, plan_id: PlanId, draft: &GoalDraft) -> Result<String> {
        let target = required_text(&draft.target, "a goal's category or product")?;
        if draft.scope == GoalScope::Product {
            let product_id = ProductId::new(target.as_str())?;
            if self.product(&product_id)?.is_none() {
                return Err(DeviceError::UnknownProduct(product_id.to_string()));
            }
        }
        if draft.quantity.is_none() && draft.value.is_none() {
            return Err(DeviceError::InvalidInput(
                "a goal needs a quantity target, a value target, or both".to_owned(),
            ));
        }
        if let Some(quantity) = draft.quantity {
            check_target("quantity", quantity)?;
        }
        if let Some(value) = draft.value {
            check_target("value", value.rupees())?;
        }

        let by = self.identity().user_id.clone();
        let goal_id = self.edit_business_plan(plan_id, |plan, doc| {
            let header = &plan.header;
            let (period_from, period_to) = draft.period.unwrap_or((header.period_from, header.period_to));
            check_period("a goal's period", &period_from, &period_to)?;
            if period_from < header.period_from || period_to > header.period_to {
                return Err(DeviceError::InvalidInput(format!(
                    "the goal's period {period_from} to {period_to} is outside business plan {}'s period {} to {}",
                    header.plan_id, header.period_from, header.period_to
                )));
            }
            let goal = NewGoal {
                scope: draft.scope,
                target,
                period_from,
                period_to,
                quantity: draft.quantity,
                value: draft.value,
            };
            as_input(business_plan::add_goal(doc, &goal, &by, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, goal_id = %goal_id, "added goal");
        Ok(goal_id)
    }

    /// Sets a goal's quantity target, leaving its value target as it is.
    pub fn change_goal_quantity(&self, plan_id: PlanId, goal_id: &str, quantity: Decimal) -> Result<()> {
        check_target("quantity", quantity)?;
        self.change_goal(plan_id, goal_id, &GoalChange::Quantity(quantity))
    }

    /// Sets a goal's value target, leaving its quantity target as it is.
    pub fn change_goal_value(&self, plan_id: PlanId, goal_id: &str, value: Money) -> Result<()> {
        check_target("value", value.rupees())?;
        self.change_goal(plan_id, goal_id, &GoalChange::Value(value))
    }

    /// Adds a growth action with an owner and a due date, open, and returns its id.
    pub fn add_action(&self, plan_id: PlanId, title: &str, owner: UserId, due: Timestamp) -> Result<String> {
        let title = required_text(title, "an action's title")?;
        let action_id = self.edit_business_plan(plan_id, |_, doc| {
            as_input(business_plan::add_action(doc, &title, &owner, &due, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, action_id = %action_id, owner = %owner, "added action");
        Ok(action_id)
    }

    pub fn set_action_status(&self, plan_id: PlanId, action_id: &str, status: ActionStatus) -> Result<()> {
        self.edit_business_plan(plan_id, |plan, doc| {
            if !plan.actions.contains_key(action_id) {
                return Err(not_in_plan(plan, "action", action_id));
            }
            as_input(business_plan::set_action_status(
                doc,
                action_id,
                status.as_str(),
                &Timestamp::now(),
            ))
        })
    }

    /// Appends a comment by this user to the plan's thread.
    pub fn add_comment(&self, plan_id: PlanId, text: &str) -> Result<()> {
        let text = required_text(text, "a comment")?;
        let author = self.identity().user_id.clone();
        self.edit_business_plan(plan_id, |_, doc| {
            as_input(business_plan::add_comment(doc, &author, &text, &Timestamp::now()))
        })
    }

    fn change_goal(&self, plan_id: PlanId, goal_id: &str, change: &GoalChange) -> Result<()> {
        let by = self.identity().user_id.clone();
        self.edit_business_plan(plan_id, |plan, doc| {
            if !plan.goals.contains_key(goal_id) {
                return Err(not_in_plan(plan, "goal", goal_id));
            }
            as_input(business_plan::change_goal(doc, goal_id, change, &by, &Timestamp::now()))
        })?;
        tracing::debug!(plan_id = %plan_id, goal_id, "changed goal");
        Ok(())
    }

    fn edit_business_plan<T>(
        &self,
        plan_id: PlanId,
        edit: impl FnOnce(&BusinessPlanView, &mut Automerge) -> Result<T>,
    ) -> Result<T> {
        self.edit_plan_document(
            business_plan_document(plan_id),
            BUSINESS_PLAN_SCHEMA,
            BusinessPlanView::read,
            edit,
        )
    }
}

fn check_target(name: &str, target: Decimal) -> Result<()> {
    if target <= Decimal::ZERO {
        return Err(DeviceError::InvalidInput(format!(
            "the {name} target must be greater than zero, not {target}"
        )));
    }
    Ok(())
}

fn not_in_plan(plan: &BusinessPlanView, item: &'static str, id: &str) -> DeviceError {
    DeviceError::NotInDocument {
        item,
        id: id.to_owned(),
        document: format!("business plan {}", plan.header.plan_id),
    }
}
