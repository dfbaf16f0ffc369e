//! A company and a distributor editing their shared business plan offline.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::Automerge;
use common::{device, sync};
use dms_documents::business_plan::{self, BusinessPlanHeader, BusinessPlanView, GoalChange, GoalScope, NewGoal};
use dms_domain::{Money, PlanId, TenantId, Timestamp, UserId};
use rust_decimal_macros::dec;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

/// A plan with one goal, written by the company ("cccc") and synced to the distributor ("dddd").
fn shared_plan() -> (Automerge, Automerge, String) {
    let mut company = device("cccc");
    let header = BusinessPlanHeader {
        plan_id: PlanId::generate(),
        company_id: TenantId::new("acme-foods").unwrap(),
        distributor_id: TenantId::new("pune-traders").unwrap(),
        period_from: at("2027-01-01T00:00:00+05:30"),
        period_to: at("2027-04-01T00:00:00+05:30"),
        created_by: user("company-admin"),
        created_at: at("2026-12-04T10:00:00+05:30"),
    };
    business_plan::create_plan(&mut company, &header).unwrap();
    let goal = NewGoal {
        scope: GoalScope::Category,
        target: "Edible Oils & Ghee".to_owned(),
        period_from: at("2027-01-01T00:00:00+05:30"),
        period_to: at("2027-04-01T00:00:00+05:30"),
        quantity: Some(dec!(1200)),
        value: Some(Money::from_rupees(dec!(450000))),
    };
    let goal_id = business_plan::add_goal(
        &mut company,
        &goal,
        &user("company-admin"),
        &at("2026-12-04T10:01:00+05:30"),
    )
    .unwrap();
    let mut distributor = device("dddd");
    sync(&mut company, &mut distributor);
    (company, distributor, goal_id)
}

#[test]
fn both_sides_edit_one_goal_offline_and_both_edits_survive() {
    let (mut company, mut distributor, goal_id) = shared_plan();
    let value = GoalChange::Value(Money::from_rupees(dec!(500000)));
    business_plan::change_goal(
        &mut company,
        &goal_id,
        &value,
        &user("company-admin"),
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap();
    let quantity = GoalChange::Quantity(dec!(1350));
    business_plan::change_goal(
        &mut distributor,
        &goal_id,
        &quantity,
        &user("dist-admin"),
        &at("2026-12-05T09:05:00+05:30"),
    )
    .unwrap();
    business_plan::add_comment(
        &mut company,
        &user("company-admin"),
        "Diwali stock arrives early",
        &at("2026-12-05T09:10:00+05:30"),
    )
    .unwrap();
    business_plan::add_comment(
        &mut distributor,
        &user("dist-admin"),
        "Need two more vans",
        &at("2026-12-05T09:11:00+05:30"),
    )
    .unwrap();

    sync(&mut company, &mut distributor);

    for doc in [&company, &distributor] {
        let view = BusinessPlanView::read(doc).unwrap();
        let goal = &view.goals[&goal_id];
        assert_eq!(goal.value, Some(Money::from_rupees(dec!(500000))));
        assert_eq!(goal.quantity, Some(dec!(1350)));
        assert!(goal.conflicts.is_empty());
        let mut texts: Vec<&str> = view.comments.iter().map(|comment| comment.text.as_str()).collect();
        texts.sort();
        assert_eq!(texts, vec!["Diwali stock arrives early", "Need two more vans"]);
    }
    // Both replicas list the comments in the same order.
    let company_order: Vec<String> = BusinessPlanView::read(&company)
        .unwrap()
        .comments
        .into_iter()
        .map(|c| c.text)
        .collect();
    let distributor_order: Vec<String> = BusinessPlanView::read(&distributor)
        .unwrap()
        .comments
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(company_order, distributor_order);
}

#[test]
fn same_field_edited_on_both_sides_keeps_one_value_and_shows_the_other() {
    let (mut company, mut distributor, goal_id) = shared_plan();
    let company_value = GoalChange::Value(Money::from_rupees(dec!(500000)));
    business_plan::change_goal(
        &mut company,
        &goal_id,
        &company_value,
        &user("company-admin"),
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap();
    let distributor_value = GoalChange::Value(Money::from_rupees(dec!(420000)));
    business_plan::change_goal(
        &mut distributor,
        &goal_id,
        &distributor_value,
        &user("dist-admin"),
        &at("2026-12-05T09:05:00+05:30"),
    )
    .unwrap();

    sync(&mut company, &mut distributor);

    // Equal Lamport counters: the greater actor id ("dddd") wins everywhere.
    for doc in [&company, &distributor] {
        let goal = &BusinessPlanView::read(doc).unwrap().goals[&goal_id];
        assert_eq!(goal.value, Some(Money::from_rupees(dec!(420000))));
        assert_eq!(goal.conflicts["value"], vec!["500000.00".to_owned()]);
    }
}

#[test]
fn actions_from_both_sides_survive_with_their_status() {
    let (mut company, mut distributor, _) = shared_plan();
    let due = at("2027-01-15T00:00:00+05:30");
    let first = business_plan::add_action(
        &mut company,
        "Open 20 new outlets",
        &user("dist-admin"),
        &due,
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap();
    business_plan::add_action(
        &mut distributor,
        "Hire a second driver",
        &user("dist-admin"),
        &due,
        &at("2026-12-05T09:01:00+05:30"),
    )
    .unwrap();
    business_plan::set_action_status(&mut company, &first, "in_progress", &at("2026-12-06T09:00:00+05:30")).unwrap();
    let wrong = business_plan::set_action_status(&mut company, &first, "finished", &at("2026-12-06T09:00:00+05:30"));
    assert!(
        wrong
            .unwrap_err()
            .to_string()
            .contains("is not open, in_progress or done")
    );

    sync(&mut company, &mut distributor);

    let view = BusinessPlanView::read(&distributor).unwrap();
    assert_eq!(view.actions.len(), 2);
    assert_eq!(view.actions[&first].status, "in_progress");
}

#[test]
fn goal_without_target_or_with_zero_target_is_refused() {
    let (mut company, _, goal_id) = shared_plan();
    let empty = NewGoal {
        scope: GoalScope::Product,
        target: "DM-004".to_owned(),
        period_from: at("2027-01-01T00:00:00+05:30"),
        period_to: at("2027-04-01T00:00:00+05:30"),
        quantity: None,
        value: None,
    };
    let error = business_plan::add_goal(
        &mut company,
        &empty,
        &user("company-admin"),
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("needs a quantity target, a value target, or both"),
        "{error}"
    );
    let zero = GoalChange::Quantity(dec!(0));
    let error = business_plan::change_goal(
        &mut company,
        &goal_id,
        &zero,
        &user("company-admin"),
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap_err();
    assert!(error.to_string().contains("must be greater than zero"), "{error}");
}
