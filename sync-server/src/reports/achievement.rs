//! Achievement of business plan goals: per goal, the quantity and value the distributor
//! ordered (as a buyer, in reconciled order requests) of the goal's category or product
//! within the goal's period.
//!
//! An order request counts in a period when its `submitted_at` lies in `[period_from,
//! period_to)`. The achieved value is the sum of the matching line totals: with the pricing
//! engine each is the line's taxable value plus GST, otherwise selling price times quantity.
//! Quantities are in each product's base unit, as the goals are.

use dms_domain::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::tenant::field_store::GoalRow;

/// One order request line with the facts a goal matches on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderedLine {
    pub submitted_at: Timestamp,
    pub product_id: String,
    pub category: String,
    pub quantity: Decimal,
    pub line_total: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalAchievement {
    pub goal_id: String,
    pub scope: String,
    pub target: String,
    pub period_from: String,
    pub period_to: String,
    pub quantity_target: Option<String>,
    pub value_target: Option<String>,
    pub achieved_quantity: String,
    /// Rupees.
    pub achieved_value: String,
    /// Achieved as a percentage of the target, to one decimal place with halves rounded away
    /// from zero; `None` without a target.
    pub quantity_percent: Option<String>,
    pub value_percent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Achievement {
    pub plan_id: String,
    pub distributor_id: String,
    pub goals: Vec<GoalAchievement>,
}

/// Computes each goal's achievement from the distributor's ordered lines.
pub fn achievement(plan_id: &str, distributor_id: &str, goals: &[GoalRow], lines: &[OrderedLine]) -> Achievement {
    let goals = goals
        .iter()
        .map(|goal| {
            let from = goal.period_from.parse::<Timestamp>().ok();
            let to = goal.period_to.parse::<Timestamp>().ok();
            let target = goal.target.trim();
            let (mut quantity, mut value) = (Decimal::ZERO, Decimal::ZERO);
            for line in lines {
                let in_period =
                    from.is_some_and(|from| line.submitted_at >= from) && to.is_some_and(|to| line.submitted_at < to);
                let matches = match goal.scope.as_str() {
                    "product" => line.product_id == target,
                    _ => line.category.trim().eq_ignore_ascii_case(target),
                };
                if in_period && matches {
                    quantity += line.quantity;
                    value += line.line_total;
                }
            }
            GoalAchievement {
                goal_id: goal.goal_id.clone(),
                scope: goal.scope.clone(),
                target: goal.target.clone(),
                period_from: goal.period_from.clone(),
                period_to: goal.period_to.clone(),
                quantity_percent: percent(quantity, goal.quantity.as_deref()),
                value_percent: percent(value, goal.value.as_deref()),
                quantity_target: goal.quantity.clone(),
                value_target: goal.value.clone(),
                achieved_quantity: quantity.normalize().to_string(),
                achieved_value: value.round_dp(2).to_string(),
            }
        })
        .collect();
    Achievement {
        plan_id: plan_id.to_owned(),
        distributor_id: distributor_id.to_owned(),
        goals,
    }
}

fn percent(achieved: Decimal, target: Option<&str>) -> Option<String> {
    let target: Decimal = target?.parse().ok()?;
    if target.is_zero() {
        return None;
    }
    let mut percent =
        (achieved * Decimal::ONE_HUNDRED / target).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    percent.rescale(1);
    Some(percent.to_string())
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn goal(scope: &str, target: &str) -> GoalRow {
        GoalRow {
            goal_id: "g1".to_owned(),
            scope: scope.to_owned(),
            target: target.to_owned(),
            period_from: "2026-10-01T00:00:00+05:30".to_owned(),
            period_to: "2027-01-01T00:00:00+05:30".to_owned(),
            quantity: Some("40".to_owned()),
            value: Some("1000.00".to_owned()),
        }
    }

    fn line(at: &str, product: &str, category: &str, quantity: Decimal, total: Decimal) -> OrderedLine {
        OrderedLine {
            submitted_at: at.parse().unwrap(),
            product_id: product.to_owned(),
            category: category.to_owned(),
            quantity,
            line_total: total,
        }
    }

    #[test]
    fn goal_counts_lines_in_period_and_scope() {
        let lines = [
            line(
                "2026-11-02T10:00:00+05:30",
                "DM-001",
                "Foodgrains",
                dec!(10),
                dec!(250.00),
            ),
            line(
                "2026-11-03T10:00:00+05:30",
                "DM-002",
                "foodgrains",
                dec!(4),
                dec!(100.50),
            ),
            line(
                "2026-09-30T23:59:00+05:30",
                "DM-001",
                "Foodgrains",
                dec!(99),
                dec!(9999),
            ),
            line("2026-11-03T10:00:00+05:30", "DM-009", "Beverages", dec!(5), dec!(75)),
        ];
        let by_category = achievement("p", "d", &[goal("category", "Foodgrains")], &lines);
        let first = &by_category.goals[0];
        assert_eq!(first.achieved_quantity, "14");
        assert_eq!(first.achieved_value, "350.50");
        assert_eq!(first.quantity_percent.as_deref(), Some("35.0"));
        assert_eq!(first.value_percent.as_deref(), Some("35.1"));

        let by_product = achievement("p", "d", &[goal("product", "DM-001")], &lines);
        assert_eq!(by_product.goals[0].achieved_quantity, "10");
        assert_eq!(by_product.goals[0].achieved_value, "250.00");
    }
}
