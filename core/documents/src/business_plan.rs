//! The business plan document shared by a company and one of its distributors: sales goals
//! per period by category or product, growth actions with owners and dates, and a comment
//! thread, edited by both sides offline and online.
//!
//! # Layout
//! ```text
//! { schema: "dms.business-plan/1",
//!   header: { plan_id, company_id, distributor_id, period_from, period_to, created_by, created_at },
//!   goals: { <goal id>: { scope: "category" | "product", target, period_from, period_to,
//!                         quantity?, value?, updated_by, updated_at } },
//!   actions: { <action id>: { title, owner, due, status, updated_by, updated_at } },
//!   comments: [ { author, at, text } ] }
//! ```
//!
//! # Merge rules
//! 1. **Goals and actions are edited field by field, in place.** When the company changes a
//!    goal's value target while the distributor, offline, changes its quantity target, both
//!    edits survive. Only two edits of the same field conflict; then every replica keeps the
//!    same winner (automerge's deterministic choice) and the losing value stays readable in
//!    `conflicts`, so neither side's number silently disappears from view.
//! 2. New goals, actions and comments get new keys or list positions, so additions from both
//!    sides always survive. Comments keep automerge's list order, the same on every replica.
//! 3. Targets are decimal text: quantities in the product's base unit, values in rupees.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use dms_domain::{Money, PlanId, TenantId, Timestamp, UserId};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::SCHEMA_KEY;
use crate::error::{DocumentError, Result};
use crate::fields::{Reader, commit};

pub const BUSINESS_PLAN_SCHEMA: &str = "dms.business-plan/1";
const KIND: &str = "business plan";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusinessPlanHeader {
    pub plan_id: PlanId,
    /// The company's organisation (its tenant).
    pub company_id: TenantId,
    /// The distributor's organisation.
    pub distributor_id: TenantId,
    pub period_from: Timestamp,
    pub period_to: Timestamp,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalScope {
    Category,
    Product,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Goal {
    pub goal_id: String,
    pub scope: GoalScope,
    /// Category name or product id, by `scope`.
    pub target: String,
    pub period_from: Timestamp,
    pub period_to: Timestamp,
    /// Quantity target in the product's base unit.
    pub quantity: Option<Decimal>,
    /// Value target in rupees.
    pub value: Option<Money>,
    /// Field name to the values that lost a concurrent edit of that field.
    pub conflicts: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    pub action_id: String,
    pub title: String,
    pub owner: UserId,
    pub due: Timestamp,
    /// "open", "in_progress" or "done".
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub author: UserId,
    pub at: Timestamp,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BusinessPlanView {
    pub header: BusinessPlanHeader,
    pub goals: BTreeMap<String, Goal>,
    pub actions: BTreeMap<String, Action>,
    pub comments: Vec<Comment>,
}

/// A goal as it is first set.
#[derive(Clone, Debug)]
pub struct NewGoal {
    pub scope: GoalScope,
    pub target: String,
    pub period_from: Timestamp,
    pub period_to: Timestamp,
    pub quantity: Option<Decimal>,
    pub value: Option<Money>,
}

/// A change to one field of a goal.
#[derive(Clone, Debug)]
pub enum GoalChange {
    Quantity(Decimal),
    Value(Money),
}

const ACTION_STATUSES: [&str; 3] = ["open", "in_progress", "done"];

impl BusinessPlanView {
    pub fn read(doc: &Automerge) -> Result<BusinessPlanView> {
        let reader = Reader::new(doc, KIND);
        if reader.optional_text(&ROOT, SCHEMA_KEY, SCHEMA_KEY)?.as_deref() != Some(BUSINESS_PLAN_SCHEMA) {
            return Err(reader.invalid("root field schema is not dms.business-plan/1"));
        }

        let header_obj = reader.object(&ROOT, "header", "header")?;
        let text = |name: &str| reader.text(&header_obj, name, &format!("header.{name}"));
        let header = BusinessPlanHeader {
            plan_id: text("plan_id")?.parse()?,
            company_id: TenantId::new(text("company_id")?)?,
            distributor_id: TenantId::new(text("distributor_id")?)?,
            period_from: text("period_from")?.parse()?,
            period_to: text("period_to")?.parse()?,
            created_by: UserId::new(text("created_by")?)?,
            created_at: text("created_at")?.parse()?,
        };

        let goals_obj = reader.object(&ROOT, "goals", "goals")?;
        let mut goals = BTreeMap::new();
        for key in doc.keys(&goals_obj) {
            let obj = reader.object(&goals_obj, &key, &format!("goals.{key}"))?;
            goals.insert(key.clone(), read_goal(reader, &obj, key)?);
        }

        let actions_obj = reader.object(&ROOT, "actions", "actions")?;
        let mut actions = BTreeMap::new();
        for key in doc.keys(&actions_obj) {
            let obj = reader.object(&actions_obj, &key, &format!("actions.{key}"))?;
            let path = |name: &str| format!("actions.{key}.{name}");
            let status = reader.text(&obj, "status", &path("status"))?;
            if !ACTION_STATUSES.contains(&status.as_str()) {
                return Err(invalid(format!(
                    "{} {status:?} is not open, in_progress or done",
                    path("status")
                )));
            }
            actions.insert(
                key.clone(),
                Action {
                    title: reader.text(&obj, "title", &path("title"))?,
                    owner: UserId::new(reader.text(&obj, "owner", &path("owner"))?)?,
                    due: reader.text(&obj, "due", &path("due"))?.parse()?,
                    status,
                    action_id: key,
                },
            );
        }

        let mut comments = Vec::new();
        if let Some(list) = reader.optional_list(&ROOT, "comments", "comments")? {
            for index in 0..doc.length(&list) {
                let path = format!("comments.{index}");
                let Some((Value::Object(ObjType::Map), obj)) = doc.get(&list, index)? else {
                    return Err(invalid(format!("{path} must be a map")));
                };
                comments.push(Comment {
                    author: UserId::new(reader.text(&obj, "author", &format!("{path}.author"))?)?,
                    at: reader.text(&obj, "at", &format!("{path}.at"))?.parse()?,
                    text: reader.text(&obj, "text", &format!("{path}.text"))?,
                });
            }
        }

        Ok(BusinessPlanView {
            header,
            goals,
            actions,
            comments,
        })
    }
}

fn read_goal(reader: Reader<'_>, obj: &ObjId, goal_id: String) -> Result<Goal> {
    let path = |name: &str| format!("goals.{goal_id}.{name}");
    let scope = match reader.text(obj, "scope", &path("scope"))?.as_str() {
        "category" => GoalScope::Category,
        "product" => GoalScope::Product,
        other => {
            return Err(invalid(format!(
                "{} {other:?} is neither category nor product",
                path("scope")
            )));
        }
    };
    let quantity = reader
        .optional_text(obj, "quantity", &path("quantity"))?
        .map(|text| parse_target(&text, &path("quantity")))
        .transpose()?;
    let value = reader
        .optional_text(obj, "value", &path("value"))?
        .map(|text| parse_target(&text, &path("value")).map(Money::from_rupees))
        .transpose()?;

    let mut conflicts = BTreeMap::new();
    for field in ["quantity", "value"] {
        let all = reader.doc.get_all(obj, field)?;
        if all.len() > 1 {
            // `get_all` lists the winner too; keep the others.
            let winner = reader.optional_text(obj, field, &path(field))?;
            let losers: Vec<String> = all
                .into_iter()
                .filter_map(|(value, _)| match value {
                    Value::Scalar(scalar) => match scalar.as_ref() {
                        ScalarValue::Str(text) => Some(text.to_string()),
                        _ => None,
                    },
                    Value::Object(_) => None,
                })
                .filter(|text| Some(text) != winner.as_ref())
                .collect();
            conflicts.insert(field.to_owned(), losers);
        }
    }

    Ok(Goal {
        scope,
        target: reader.text(obj, "target", &path("target"))?,
        period_from: reader.text(obj, "period_from", &path("period_from"))?.parse()?,
        period_to: reader.text(obj, "period_to", &path("period_to"))?.parse()?,
        quantity,
        value,
        conflicts,
        goal_id,
    })
}

/// Writes a new plan's schema, header and empty collections as one change.
pub fn create_plan(doc: &mut Automerge, header: &BusinessPlanHeader) -> Result<()> {
    if !doc.get_heads().is_empty() {
        return Err(invalid("a business plan can only be created in an empty document"));
    }
    if header.period_to <= header.period_from {
        return Err(invalid("the period must end after it starts"));
    }
    commit(doc, &header.created_at, "create business plan", |tx| {
        tx.put(ROOT, SCHEMA_KEY, BUSINESS_PLAN_SCHEMA)?;
        let header_obj = tx.put_object(ROOT, "header", ObjType::Map)?;
        tx.put(&header_obj, "plan_id", header.plan_id.to_string())?;
        tx.put(&header_obj, "company_id", header.company_id.as_str())?;
        tx.put(&header_obj, "distributor_id", header.distributor_id.as_str())?;
        tx.put(&header_obj, "period_from", header.period_from.to_string())?;
        tx.put(&header_obj, "period_to", header.period_to.to_string())?;
        tx.put(&header_obj, "created_by", header.created_by.as_str())?;
        tx.put(&header_obj, "created_at", header.created_at.to_string())?;
        tx.put_object(ROOT, "goals", ObjType::Map)?;
        tx.put_object(ROOT, "actions", ObjType::Map)?;
        tx.put_object(ROOT, "comments", ObjType::List)?;
        Ok(())
    })
}

/// Adds a goal under a new id and returns the id.
pub fn add_goal(doc: &mut Automerge, goal: &NewGoal, by: &UserId, at: &Timestamp) -> Result<String> {
    BusinessPlanView::read(doc)?;
    if goal.target.trim().is_empty() {
        return Err(invalid("a goal needs a category or product"));
    }
    if goal.period_to <= goal.period_from {
        return Err(invalid("a goal's period must end after it starts"));
    }
    if goal.quantity.is_none() && goal.value.is_none() {
        return Err(invalid("a goal needs a quantity target, a value target, or both"));
    }
    check_positive(goal.quantity, "quantity")?;
    check_positive(goal.value.map(Money::rupees), "value")?;

    let goals = Reader::new(doc, KIND).object(&ROOT, "goals", "goals")?;
    let goal_id = ulid::Ulid::generate().to_string();
    commit(doc, at, "add goal", |tx| {
        let obj = tx.put_object(&goals, goal_id.as_str(), ObjType::Map)?;
        let scope = match goal.scope {
            GoalScope::Category => "category",
            GoalScope::Product => "product",
        };
        tx.put(&obj, "scope", scope)?;
        tx.put(&obj, "target", goal.target.trim())?;
        tx.put(&obj, "period_from", goal.period_from.to_string())?;
        tx.put(&obj, "period_to", goal.period_to.to_string())?;
        if let Some(quantity) = goal.quantity {
            tx.put(&obj, "quantity", quantity.normalize().to_string())?;
        }
        if let Some(value) = goal.value {
            tx.put(&obj, "value", String::from(value))?;
        }
        tx.put(&obj, "updated_by", by.as_str())?;
        tx.put(&obj, "updated_at", at.to_string())?;
        Ok(())
    })?;
    Ok(goal_id)
}

/// Changes one field of a goal in place, leaving its other fields as they are.
pub fn change_goal(doc: &mut Automerge, goal_id: &str, change: &GoalChange, by: &UserId, at: &Timestamp) -> Result<()> {
    let view = BusinessPlanView::read(doc)?;
    if !view.goals.contains_key(goal_id) {
        return Err(invalid(format!("goal {goal_id} is not in this plan")));
    }
    let (field, text) = match change {
        GoalChange::Quantity(quantity) => {
            check_positive(Some(*quantity), "quantity")?;
            ("quantity", quantity.normalize().to_string())
        }
        GoalChange::Value(value) => {
            check_positive(Some(value.rupees()), "value")?;
            ("value", String::from(*value))
        }
    };
    let reader = Reader::new(doc, KIND);
    let goals = reader.object(&ROOT, "goals", "goals")?;
    let obj = reader.object(&goals, goal_id, &format!("goals.{goal_id}"))?;
    commit(doc, at, "change goal", |tx| {
        tx.put(&obj, field, text.as_str())?;
        tx.put(&obj, "updated_by", by.as_str())?;
        tx.put(&obj, "updated_at", at.to_string())?;
        Ok(())
    })
}

/// Adds a growth action with an owner and a due date; returns its id.
pub fn add_action(doc: &mut Automerge, title: &str, owner: &UserId, due: &Timestamp, at: &Timestamp) -> Result<String> {
    BusinessPlanView::read(doc)?;
    if title.trim().is_empty() {
        return Err(invalid("an action needs a title"));
    }
    let actions = Reader::new(doc, KIND).object(&ROOT, "actions", "actions")?;
    let action_id = ulid::Ulid::generate().to_string();
    commit(doc, at, "add action", |tx| {
        let obj = tx.put_object(&actions, action_id.as_str(), ObjType::Map)?;
        tx.put(&obj, "title", title.trim())?;
        tx.put(&obj, "owner", owner.as_str())?;
        tx.put(&obj, "due", due.to_string())?;
        tx.put(&obj, "status", "open")?;
        Ok(())
    })?;
    Ok(action_id)
}

/// Sets an action's status: "open", "in_progress" or "done".
pub fn set_action_status(doc: &mut Automerge, action_id: &str, status: &str, at: &Timestamp) -> Result<()> {
    if !ACTION_STATUSES.contains(&status) {
        return Err(invalid(format!("status {status:?} is not open, in_progress or done")));
    }
    let view = BusinessPlanView::read(doc)?;
    if !view.actions.contains_key(action_id) {
        return Err(invalid(format!("action {action_id} is not in this plan")));
    }
    let reader = Reader::new(doc, KIND);
    let actions = reader.object(&ROOT, "actions", "actions")?;
    let obj = reader.object(&actions, action_id, &format!("actions.{action_id}"))?;
    commit(doc, at, "set action status", |tx| tx.put(&obj, "status", status))
}

/// Appends a comment to the thread.
pub fn add_comment(doc: &mut Automerge, author: &UserId, text: &str, at: &Timestamp) -> Result<()> {
    BusinessPlanView::read(doc)?;
    if text.trim().is_empty() {
        return Err(invalid("a comment must not be empty"));
    }
    let reader = Reader::new(doc, KIND);
    let comments = reader
        .optional_list(&ROOT, "comments", "comments")?
        .ok_or_else(|| invalid("missing field comments"))?;
    let index = doc.length(&comments);
    commit(doc, at, "add comment", |tx| {
        let obj = tx.insert_object(&comments, index, ObjType::Map)?;
        tx.put(&obj, "author", author.as_str())?;
        tx.put(&obj, "at", at.to_string())?;
        tx.put(&obj, "text", text.trim())?;
        Ok(())
    })
}

fn parse_target(text: &str, path: &str) -> Result<Decimal> {
    let value =
        Decimal::from_str_exact(text.trim()).map_err(|_| invalid(format!("{path} {text:?} is not a decimal")))?;
    check_positive(Some(value), path)?;
    Ok(value)
}

fn check_positive(value: Option<Decimal>, name: &str) -> Result<()> {
    match value {
        Some(value) if value <= Decimal::ZERO => Err(invalid(format!("the {name} target must be greater than zero"))),
        _ => Ok(()),
    }
}

fn invalid(reason: impl Into<String>) -> DocumentError {
    DocumentError::Invalid {
        kind: KIND,
        reason: reason.into(),
    }
}
