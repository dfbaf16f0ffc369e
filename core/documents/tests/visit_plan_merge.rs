//! Concurrent edits of a visit plan by the rep (offline) and the manager, merged in memory,
//! asserting the merge rules written in `visit_plan.rs`.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::Automerge;
use common::{device, sync};
use dms_documents::visit_plan::{
    self, FollowUp, NewVisit, Presence, Vehicle, VisitPlanHeader, VisitPlanView, VisitStatus,
};
use dms_domain::{GeoPoint, PartyId, PlanId, TenantId, Timestamp, UserId, VisitId};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn presence(time: &str) -> Presence {
    Presence {
        at: at(time),
        position: GeoPoint::parse("19.0760", "72.8777", "8").unwrap(),
    }
}

/// A plan with one visit, created by the manager ("mmmm") and synced to the rep ("rrrr").
fn shared_plan() -> (Automerge, Automerge, VisitId) {
    let mut manager = device("mmmm");
    let header = VisitPlanHeader {
        plan_id: PlanId::generate(),
        tenant_id: TenantId::new("acme-dist").unwrap(),
        rep_id: user("rep-ravi"),
        period_from: at("2026-12-07T00:00:00+05:30"),
        period_to: at("2026-12-14T00:00:00+05:30"),
        created_by: user("manager-meera"),
        created_at: at("2026-12-04T18:00:00+05:30"),
    };
    visit_plan::create_plan(&mut manager, &header).unwrap();
    let visit_id = VisitId::generate();
    let visit = NewVisit {
        visit_id,
        party_id: PartyId::new("kirana-12").unwrap(),
        owner: user("rep-ravi"),
        window_from: at("2026-12-08T10:00:00+05:30"),
        window_to: at("2026-12-08T11:00:00+05:30"),
        unplanned: false,
        objectives: vec!["Collect December order".to_owned()],
        attendees: vec![user("rep-ravi")],
        vehicle: Some(Vehicle {
            number: "MH-12-AB-1234".to_owned(),
            kind: "two-wheeler".to_owned(),
        }),
    };
    visit_plan::add_visit(&mut manager, &visit, &at("2026-12-04T18:01:00+05:30")).unwrap();
    let mut rep = device("rrrr");
    sync(&mut manager, &mut rep);
    (manager, rep, visit_id)
}

#[test]
fn check_in_survives_a_concurrent_reschedule() {
    let (mut manager, mut rep, visit_id) = shared_plan();
    visit_plan::check_in(&mut rep, visit_id, &presence("2026-12-08T10:07:00+05:30")).unwrap();
    visit_plan::reschedule(
        &mut manager,
        visit_id,
        at("2026-12-09T15:00:00+05:30"),
        at("2026-12-09T16:00:00+05:30"),
        &at("2026-12-08T09:30:00+05:30"),
    )
    .unwrap();

    sync(&mut manager, &mut rep);

    for doc in [&manager, &rep] {
        let visit = &VisitPlanView::read(doc).unwrap().visits[&visit_id];
        assert_eq!(visit.check_in.as_ref().unwrap().at, at("2026-12-08T10:07:00+05:30"));
        assert_eq!(visit.window_from, at("2026-12-09T15:00:00+05:30"));
        assert_eq!(visit.status(), VisitStatus::InProgress);
    }
}

#[test]
fn check_in_beats_a_concurrent_cancellation() {
    let (mut manager, mut rep, visit_id) = shared_plan();
    visit_plan::check_in(&mut rep, visit_id, &presence("2026-12-08T10:07:00+05:30")).unwrap();
    visit_plan::cancel(&mut manager, visit_id, &at("2026-12-08T10:00:00+05:30")).unwrap();

    sync(&mut manager, &mut rep);

    let visit = &VisitPlanView::read(&manager).unwrap().visits[&visit_id];
    assert!(visit.cancelled);
    assert_eq!(visit.status(), VisitStatus::InProgress);
}

#[test]
fn concurrent_assignments_leave_exactly_one_owner() {
    let (mut manager, mut rep, visit_id) = shared_plan();
    let mut other_manager = device("nnnn");
    sync(&mut manager, &mut other_manager);
    visit_plan::assign_owner(
        &mut manager,
        visit_id,
        &user("rep-anil"),
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap();
    visit_plan::assign_owner(
        &mut other_manager,
        visit_id,
        &user("rep-bina"),
        &at("2026-12-05T09:00:00+05:30"),
    )
    .unwrap();

    sync(&mut manager, &mut other_manager);
    sync(&mut manager, &mut rep);

    // Equal Lamport counters: the greater actor id ("nnnn") wins on every replica.
    for doc in [&manager, &other_manager, &rep] {
        let visit = &VisitPlanView::read(doc).unwrap().visits[&visit_id];
        assert_eq!(visit.owner, user("rep-bina"));
        assert_eq!(visit.conflicting_owners, vec![user("rep-anil")]);
    }
}

#[test]
fn follow_ups_and_unplanned_visits_from_both_sides_survive() {
    let (mut manager, mut rep, visit_id) = shared_plan();
    let follow_up = |text: &str| FollowUp {
        text: text.to_owned(),
        due: Some(at("2026-12-15T10:00:00+05:30")),
    };
    visit_plan::add_follow_up(
        &mut rep,
        visit_id,
        &follow_up("Send rate card"),
        &at("2026-12-08T10:30:00+05:30"),
    )
    .unwrap();
    visit_plan::add_follow_up(
        &mut manager,
        visit_id,
        &follow_up("Check credit"),
        &at("2026-12-08T10:31:00+05:30"),
    )
    .unwrap();
    let unplanned = NewVisit {
        visit_id: VisitId::generate(),
        party_id: PartyId::new("kirana-40").unwrap(),
        owner: user("rep-ravi"),
        window_from: at("2026-12-08T12:00:00+05:30"),
        window_to: at("2026-12-08T12:30:00+05:30"),
        unplanned: true,
        objectives: vec![],
        attendees: vec![],
        vehicle: None,
    };
    visit_plan::add_visit(&mut rep, &unplanned, &at("2026-12-08T12:00:00+05:30")).unwrap();

    sync(&mut manager, &mut rep);

    let view = VisitPlanView::read(&manager).unwrap();
    assert_eq!(view.visits.len(), 2);
    assert!(view.visits[&unplanned.visit_id].unplanned);
    let mut texts: Vec<&str> = view.visits[&visit_id]
        .follow_ups
        .values()
        .map(|f| f.text.as_str())
        .collect();
    texts.sort();
    assert_eq!(texts, vec!["Check credit", "Send rate card"]);
}

#[test]
fn check_in_and_out_rules_are_enforced() {
    let (_, mut rep, visit_id) = shared_plan();
    let early = visit_plan::check_out(&mut rep, visit_id, &presence("2026-12-08T10:00:00+05:30")).unwrap_err();
    assert!(
        early.to_string().contains("must be checked in before checking out"),
        "{early}"
    );

    visit_plan::check_in(&mut rep, visit_id, &presence("2026-12-08T10:07:00+05:30")).unwrap();
    let twice = visit_plan::check_in(&mut rep, visit_id, &presence("2026-12-08T10:08:00+05:30")).unwrap_err();
    assert!(twice.to_string().contains("already checked in"), "{twice}");
    let backwards = visit_plan::check_out(&mut rep, visit_id, &presence("2026-12-08T10:00:00+05:30")).unwrap_err();
    assert!(
        backwards.to_string().contains("cannot end before it started"),
        "{backwards}"
    );

    visit_plan::check_out(&mut rep, visit_id, &presence("2026-12-08T10:52:00+05:30")).unwrap();
    visit_plan::record_outcome(
        &mut rep,
        visit_id,
        "Owner away; met manager",
        "ordered",
        &at("2026-12-08T10:53:00+05:30"),
    )
    .unwrap();
    let visit = &VisitPlanView::read(&rep).unwrap().visits[&visit_id];
    assert_eq!(visit.status(), VisitStatus::Completed);
    assert_eq!(visit.outcome.as_deref(), Some("ordered"));
    assert_eq!(visit.vehicle.as_ref().unwrap().number, "MH-12-AB-1234");

    let late = visit_plan::reschedule(
        &mut rep,
        visit_id,
        at("2026-12-10T10:00:00+05:30"),
        at("2026-12-10T11:00:00+05:30"),
        &at("2026-12-08T11:00:00+05:30"),
    )
    .unwrap_err();
    assert!(
        late.to_string().contains("has started and cannot be rescheduled"),
        "{late}"
    );
}
