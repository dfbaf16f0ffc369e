//! Business plan calls exported on [`DeviceClient`]: create a plan with a distributor, add
//! and change goals, add actions and set their status, comment, read and list plans.
//! Quantities and amounts are decimal strings and timestamps RFC 3339 strings. All checks
//! live in `dms-device`.

use dms_device::GoalDraft;
use dms_domain::{Money, TenantId, UserId};
use rust_decimal::Decimal;

use crate::client::DeviceClient;
use crate::error::DeviceClientError;
use crate::field_plans::{parse_plan, parse_time};
use crate::plan_records::{ActionStatus, BusinessPlanRecord, BusinessPlanSummaryRecord, GoalDraftRecord};

type Result<T, E = DeviceClientError> = std::result::Result<T, E>;

#[uniffi::export]
impl DeviceClient {
    /// Creates a business plan between this device's company and a distributor, and returns
    /// its id. A distributor's admin passes `None` (or its own organisation); company staff
    /// must name the distributor.
    pub fn create_business_plan(
        &self,
        distributor_id: Option<String>,
        period_from: String,
        period_to: String,
    ) -> Result<String> {
        let distributor_id = distributor_id.map(TenantId::new).transpose()?;
        let plan_id =
            self.device
                .create_business_plan(distributor_id, parse_time(&period_from)?, parse_time(&period_to)?)?;
        Ok(plan_id.to_string())
    }

    /// Lists the business plans on this device, ordered by id (creation order).
    pub fn business_plans(&self) -> Result<Vec<BusinessPlanSummaryRecord>> {
        let plans = self.device.business_plans()?;
        Ok(plans.into_iter().map(BusinessPlanSummaryRecord::from).collect())
    }

    /// Returns a business plan on this device with its goals, actions and comments.
    pub fn business_plan(&self, plan_id: String) -> Result<BusinessPlanRecord> {
        Ok(self.device.business_plan(parse_plan(&plan_id)?)?.into())
    }

    /// Adds a goal and returns its id.
    pub fn add_goal(&self, plan_id: String, goal: GoalDraftRecord) -> Result<String> {
        let plan_id = parse_plan(&plan_id)?;
        let period = match (goal.period_from.as_deref(), goal.period_to.as_deref()) {
            (Some(from), Some(to)) => Some((parse_time(from)?, parse_time(to)?)),
            (None, None) => None,
            _ => {
                return Err(DeviceClientError::InvalidInput {
                    message: "a goal's period needs both period_from and period_to, or neither".to_owned(),
                });
            }
        };
        let draft = GoalDraft {
            scope: goal.scope.into(),
            target: goal.target,
            period,
            quantity: goal.quantity.as_deref().map(parse_quantity).transpose()?,
            value: goal.value.as_deref().map(parse_value).transpose()?,
        };
        Ok(self.device.add_goal(plan_id, &draft)?)
    }

    /// Sets a goal's quantity target in base units, such as "50".
    pub fn change_goal_quantity(&self, plan_id: String, goal_id: String, quantity: String) -> Result<()> {
        let plan_id = parse_plan(&plan_id)?;
        Ok(self
            .device
            .change_goal_quantity(plan_id, &goal_id, parse_quantity(&quantity)?)?)
    }

    /// Sets a goal's value target in rupees, such as "12000" or "12000.50".
    pub fn change_goal_value(&self, plan_id: String, goal_id: String, value: String) -> Result<()> {
        let plan_id = parse_plan(&plan_id)?;
        Ok(self.device.change_goal_value(plan_id, &goal_id, parse_value(&value)?)?)
    }

    /// Adds an open action with an owner and a due time (RFC 3339), and returns its id.
    pub fn add_action(&self, plan_id: String, title: String, owner_id: String, due: String) -> Result<String> {
        let plan_id = parse_plan(&plan_id)?;
        Ok(self
            .device
            .add_action(plan_id, &title, UserId::new(owner_id)?, parse_time(&due)?)?)
    }

    pub fn set_action_status(&self, plan_id: String, action_id: String, status: ActionStatus) -> Result<()> {
        let plan_id = parse_plan(&plan_id)?;
        Ok(self.device.set_action_status(plan_id, &action_id, status.into())?)
    }

    /// Appends a comment by this user to the plan's thread.
    pub fn add_comment(&self, plan_id: String, text: String) -> Result<()> {
        Ok(self.device.add_comment(parse_plan(&plan_id)?, &text)?)
    }
}

fn parse_quantity(text: &str) -> Result<Decimal> {
    Decimal::from_str_exact(text.trim()).map_err(|_| DeviceClientError::InvalidInput {
        message: format!("invalid quantity target {text:?}: not a decimal number"),
    })
}

/// Parses a value target in rupees, with at most two decimal places.
fn parse_value(text: &str) -> Result<Money> {
    Ok(Money::parse_price(text)?)
}
