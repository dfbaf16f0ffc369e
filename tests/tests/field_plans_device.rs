//! Visit plans and business plans created and edited through the device client's calls,
//! offline on two devices at once, then synced through a real loopback server. The merged
//! plan must be the same on both devices and on the server. The server's reconciled `visits`
//! report and goal achievement must show both sides' edits.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_device::{ActionStatus, Device, DeviceError, GoalDraft, VisitDraft};
use dms_documents::business_plan::{BusinessPlanView, GoalScope};
use dms_documents::visit_plan::{Vehicle, VisitPlanView, VisitStatus};
use dms_domain::{GeoPoint, Money, PartyId, PlanId, TenantId, Timestamp, UserId, VisitId};
use dms_server::access::Module;
use dms_server::admin;
use dms_tests::TestServer;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn draft(party: &str, from: &str, to: &str, objective: &str) -> VisitDraft {
    VisitDraft {
        party_id: PartyId::new(party).unwrap(),
        window_from: at(from),
        window_to: at(to),
        objectives: vec![objective.to_owned()],
        attendees: Vec::new(),
        vehicle: Some(Vehicle {
            number: "MH-12-AB-1234".to_owned(),
            kind: "two-wheeler".to_owned(),
        }),
    }
}

async fn get_json(server: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Returns the server's copy of a plan document.
fn server_document(server: &TestServer, org: &TenantId, plan_id: PlanId) -> automerge::Automerge {
    let tenant = server.state.hub.tenant(org).unwrap();
    let mut guard = tenant.lock();
    let document_id = dms_device::field::plan_document(plan_id);
    guard.document(&document_id).unwrap().clone()
}

/// Runs `call`, asserts that it failed with an error containing `message`, and that the
/// plan document on `device` has the same heads as before the call.
fn assert_rejected_unchanged<T: std::fmt::Debug>(
    device: &Device,
    plan_id: PlanId,
    call: impl FnOnce() -> dms_device::Result<T>,
    message: &str,
) {
    let document_id = dms_device::field::plan_document(plan_id);
    let heads_before = device.document_heads(&document_id);
    assert!(!heads_before.is_empty());
    let error = call().unwrap_err();
    assert!(error.to_string().contains(message), "{error}");
    assert_eq!(device.document_heads(&document_id), heads_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visit_plan_merges_check_in_and_reschedule() {
    let server = TestServer::start().await;
    let org = "fp-visits";
    let tenant = server.tenant_with_catalog(org);
    let (manager, manager_token) = server.token_for(&tenant, "mgr-1", "distributor_admin", None);
    let (rep, rep_token) = server.token_for(&tenant, "rep-1", "distributor_salesperson", None);
    server.partner_token(&tenant, "owner-k1", "kirana-1");
    server.partner_token(&tenant, "owner-k2", "kirana-2");
    server.partner_token(&tenant, "owner-k3", "kirana-3");
    let manager_phone = server.device("manager-phone", &manager, &manager_token);
    let rep_phone = server.device("rep-phone", &rep, &rep_token);

    // The manager plans rep-1's week with two visits on 11 March and syncs.
    let plan_id = manager_phone
        .create_visit_plan(
            Some(user("rep-1")),
            at("2031-03-10T00:00:00+05:30"),
            at("2031-03-17T00:00:00+05:30"),
        )
        .unwrap();
    let planned = manager_phone
        .add_planned_visit(
            plan_id,
            &draft(
                "kirana-1",
                "2031-03-11T10:00:00+05:30",
                "2031-03-11T11:00:00+05:30",
                "collect the order",
            ),
        )
        .unwrap();
    let dropped = manager_phone
        .add_planned_visit(
            plan_id,
            &draft(
                "kirana-3",
                "2031-03-11T14:00:00+05:30",
                "2031-03-11T15:00:00+05:30",
                "check the shelf",
            ),
        )
        .unwrap();
    assert!(manager_phone.visit_plans().unwrap()[0].has_unsynced_edits);
    manager_phone.sync_now().await.unwrap();
    assert_eq!(manager_phone.sync_status().unwrap().pending_documents, 0);

    // The rep's phone receives the plan.
    let report = rep_phone.sync_now().await.unwrap();
    assert_eq!(report.documents_received, 1);
    let listed = rep_phone.visit_plans().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].plan_id, plan_id);
    assert_eq!(listed[0].rep_id, user("rep-1"));
    assert_eq!(listed[0].visit_count, 2);
    assert!(!listed[0].has_unsynced_edits);

    // Offline, the rep checks in to the planned visit, adds a follow-up and an unplanned
    // visit. Meanwhile the manager, also offline, reschedules that visit and cancels the other.
    rep_phone
        .check_in(plan_id, planned, GeoPoint::parse("18.5204", "73.8567", "8").unwrap())
        .unwrap();
    let checked_in = rep_phone.visit_plan(plan_id).unwrap();
    let again = rep_phone.check_in(plan_id, planned, GeoPoint::parse("18.5205", "73.8568", "8").unwrap());
    match again {
        Err(DeviceError::InvalidInput(reason)) => assert_eq!(reason, format!("visit {planned} is already checked in")),
        other => panic!("a second check-in must be refused as input, got {other:?}"),
    }
    assert_eq!(rep_phone.visit_plan(plan_id).unwrap(), checked_in);
    // A visit plan's id given to a business plan call names the kind it found.
    let wrong_kind = rep_phone.business_plan(plan_id).unwrap_err().to_string();
    assert_eq!(
        wrong_kind,
        format!(
            "document {} is a dms.visit-plan/1 document, not dms.business-plan/1",
            dms_device::field::plan_document(plan_id)
        )
    );
    let follow_up = rep_phone
        .add_follow_up(
            plan_id,
            planned,
            "send the new price list",
            Some(at("2031-03-12T10:00:00+05:30")),
        )
        .unwrap();
    let unplanned = rep_phone
        .add_unplanned_visit(
            plan_id,
            &draft(
                "kirana-2",
                "2031-03-11T16:00:00+05:30",
                "2031-03-11T16:30:00+05:30",
                "introduce the new atta",
            ),
        )
        .unwrap();
    manager_phone
        .reschedule_visit(
            plan_id,
            planned,
            at("2031-03-11T10:30:00+05:30"),
            at("2031-03-11T11:30:00+05:30"),
        )
        .unwrap();
    manager_phone.cancel_visit(plan_id, dropped).unwrap();

    // Rejected edits change nothing on the device.
    assert_rejected_unchanged(
        &rep_phone,
        plan_id,
        || {
            rep_phone.reschedule_visit(
                plan_id,
                planned,
                at("2031-03-11T12:00:00+05:30"),
                at("2031-03-11T13:00:00+05:30"),
            )
        },
        "cannot be rescheduled",
    );
    assert_rejected_unchanged(
        &rep_phone,
        plan_id,
        || {
            rep_phone.add_unplanned_visit(
                plan_id,
                &draft(
                    "kirana-2",
                    "2031-03-11T17:00:00+05:30",
                    "2031-03-11T16:30:00+05:30",
                    "anything",
                ),
            )
        },
        "a visit window must end after it starts",
    );
    assert_rejected_unchanged(
        &rep_phone,
        plan_id,
        || {
            rep_phone.add_unplanned_visit(
                plan_id,
                &draft(
                    "kirana-2",
                    "2031-03-18T10:00:00+05:30",
                    "2031-03-18T11:00:00+05:30",
                    "anything",
                ),
            )
        },
        "is outside visit plan",
    );
    assert_rejected_unchanged(
        &rep_phone,
        plan_id,
        || {
            rep_phone.add_unplanned_visit(
                plan_id,
                &draft(
                    "kirana-2",
                    "2031-03-11T17:00:00+05:30",
                    "2031-03-11T17:30:00+05:30",
                    "   ",
                ),
            )
        },
        "objective 1 must not be blank",
    );
    let unknown = VisitId::generate();
    assert_rejected_unchanged(
        &rep_phone,
        plan_id,
        || rep_phone.cancel_visit(plan_id, unknown),
        &format!("visit {unknown} is not in visit plan {plan_id}"),
    );
    let missing = rep_phone.add_follow_up(plan_id, unknown, "call back", None);
    assert!(
        matches!(&missing, Err(DeviceError::NotInDocument { item: "visit", .. })),
        "{missing:?}"
    );
    assert_rejected_unchanged(
        &manager_phone,
        plan_id,
        || manager_phone.cancel_visit(plan_id, dropped),
        "is cancelled and cannot be cancelled again",
    );

    // Both sync; the manager syncs again to receive the rep's edits.
    manager_phone.sync_now().await.unwrap();
    rep_phone.sync_now().await.unwrap();
    manager_phone.sync_now().await.unwrap();
    assert_eq!(rep_phone.sync_status().unwrap().pending_documents, 0);
    assert_eq!(manager_phone.sync_status().unwrap().pending_documents, 0);

    // The merged plan is the same on both devices and on the server.
    let merged = rep_phone.visit_plan(plan_id).unwrap();
    assert_eq!(manager_phone.visit_plan(plan_id).unwrap(), merged);
    assert_eq!(
        VisitPlanView::read(&server_document(&server, &tenant, plan_id)).unwrap(),
        merged
    );
    assert_eq!(merged.header.created_by, user("mgr-1"));
    assert_eq!(merged.visits.len(), 3);

    let first = &merged.visits[&planned];
    assert_eq!(first.window_from, at("2031-03-11T10:30:00+05:30"));
    assert_eq!(first.window_to, at("2031-03-11T11:30:00+05:30"));
    let check_in = first.check_in.clone().unwrap();
    assert_eq!(check_in.position, GeoPoint::parse("18.5204", "73.8567", "8").unwrap());
    assert_eq!(first.status(), VisitStatus::InProgress);
    assert_eq!(first.follow_ups[&follow_up].text, "send the new price list");
    assert_eq!(first.follow_ups[&follow_up].due, Some(at("2031-03-12T10:00:00+05:30")));

    let extra = &merged.visits[&unplanned];
    assert!(extra.unplanned);
    assert_eq!(extra.owner, user("rep-1"));
    assert_eq!(extra.party_id, PartyId::new("kirana-2").unwrap());
    assert_eq!(extra.objectives, vec!["introduce the new atta".to_owned()]);
    assert_eq!(extra.status(), VisitStatus::Planned);
    assert_eq!(merged.visits[&dropped].status(), VisitStatus::Cancelled);

    // The server's reconciled visits report for the day has exactly these values.
    let (status, report) = get_json(
        &server,
        &format!("/api/v1/orgs/{org}/reports/visits?rep=rep-1&date=2031-03-11"),
        &manager_token,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["planned"], 1);
    assert_eq!(report["unplanned"], 1);
    assert_eq!(report["cancelled"], 1);
    assert_eq!(report["completed"], 0);
    assert_eq!(report["missed"], 0);
    let visits = report["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 3);
    let row = |visit_id: VisitId| {
        visits
            .iter()
            .find(|row| row["visit_id"] == visit_id.to_string().as_str())
            .unwrap()
            .clone()
    };
    let first_row = row(planned);
    assert_eq!(first_row["party_id"], "kirana-1");
    assert_eq!(first_row["rep_id"], "rep-1");
    assert_eq!(first_row["window_from"], "2031-03-11T10:30:00+05:30");
    assert_eq!(first_row["window_to"], "2031-03-11T11:30:00+05:30");
    assert_eq!(first_row["check_in"]["at"], check_in.at.to_string().as_str());
    assert_eq!(first_row["check_in"]["latitude"], "18.5204");
    assert_eq!(first_row["check_out"], Value::Null);
    assert_eq!(first_row["status"], "in_progress");
    assert_eq!(first_row["vehicle_number"], "MH-12-AB-1234");
    let extra_row = row(unplanned);
    assert_eq!(extra_row["unplanned"], true);
    assert_eq!(extra_row["party_id"], "kirana-2");
    assert_eq!(extra_row["window_from"], "2031-03-11T16:00:00+05:30");
    assert_eq!(extra_row["objectives"], json!(["introduce the new atta"]));
    assert_eq!(extra_row["status"], "planned");
    assert_eq!(row(dropped)["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rep_creates_own_visit_plan() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("fp-own-plan");
    let (rep, rep_token) = server.token_for(&tenant, "rep-1", "distributor_salesperson", None);
    server.partner_token(&tenant, "owner-k1", "kirana-1");
    let phone = server.device("rep-phone", &rep, &rep_token);

    let plan_id = phone
        .create_visit_plan(None, at("2031-03-10T00:00:00+05:30"), at("2031-03-17T00:00:00+05:30"))
        .unwrap();
    let visit = phone
        .add_planned_visit(
            plan_id,
            &draft(
                "kirana-1",
                "2031-03-12T10:00:00+05:30",
                "2031-03-12T11:00:00+05:30",
                "collect the order",
            ),
        )
        .unwrap();
    phone.assign_visit_owner(plan_id, visit, user("rep-1")).unwrap();
    phone.sync_now().await.unwrap();

    let status = phone.sync_status().unwrap();
    assert_eq!(status.pending_documents, 0);
    assert_eq!(status.refused_documents, Vec::new());
    let stored = VisitPlanView::read(&server_document(&server, &tenant, plan_id)).unwrap();
    assert_eq!(stored.header.rep_id, user("rep-1"));
    assert_eq!(stored.header.created_by, user("rep-1"));
    assert_eq!(stored.visits[&visit].owner, user("rep-1"));
    assert_eq!(stored, phone.visit_plan(plan_id).unwrap());

    // A partner user's device cannot create a visit plan at all.
    let (partner, partner_token) = server.partner_token(&tenant, "owner-k1", "kirana-1");
    let partner_phone = server.device("partner-phone", &partner, &partner_token);
    let refused =
        partner_phone.create_visit_plan(None, at("2031-03-10T00:00:00+05:30"), at("2031-03-17T00:00:00+05:30"));
    let refused = refused.unwrap_err().to_string();
    assert_eq!(refused, "user owner-k1 buys for kirana-1 and cannot create visit plans");
    assert_eq!(partner_phone.visit_plans().unwrap(), Vec::new());
}

const PASSWORD: &str = "field password 1";

async fn login(server: &TestServer, login: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Bootstraps company `co-p` with the built-in catalog and onboards distributor `dist-p`,
/// returning the company admin's token.
async fn company_with_distributor(server: &TestServer) -> String {
    admin::bootstrap_company(
        &server.state,
        Some("co-p"),
        "Plan Foods Ltd",
        "27AAACP0001P1Z1",
        "co-p-admin",
        PASSWORD,
        &[Module::Dms],
    )
    .unwrap();
    let company_admin = login(server, "co-p-admin").await;
    let onboarding = json!({"org_id": "dist-p", "legal_name": "Dist P Traders", "registration": "27AAAND0002P1Z1",
                            "admin_login": "dist-p-admin", "admin_password": PASSWORD, "modules": ["DMS"]});
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/orgs/co-p/distributors", server.url))
        .bearer_auth(&company_admin)
        .json(&onboarding)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    admin::import_catalog(
        &server.state,
        &TenantId::new("co-p").unwrap(),
        dms_tests::BUILTIN_CATALOG.as_bytes(),
    )
    .unwrap();
    company_admin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_plan_goal_edits_merge_across_devices() {
    let server = TestServer::start().await;
    let company_admin = company_with_distributor(&server).await;
    let tenant = TenantId::new("co-p").unwrap();
    let (company_rep, company_rep_token) = server.token_for(&tenant, "co-rep-1", "company_sales_rep", None);
    let distributor = server.state.registry.context(&user("dist-p-admin"), &tenant).unwrap();
    let distributor_token = login(&server, "dist-p-admin").await;
    assert_eq!(distributor.party_id, Some(PartyId::new("dist-p").unwrap()));
    let company_phone = server.device("company-phone", &company_rep, &company_rep_token);
    let distributor_phone = server.device("distributor-phone", &distributor, &distributor_token);
    company_phone.sync_now().await.unwrap();

    // The company's rep sets the quarter's plan with two goals and an action, and syncs.
    let plan_id = company_phone
        .create_business_plan(
            Some(TenantId::new("dist-p").unwrap()),
            at("2030-10-01T00:00:00+05:30"),
            at("2031-01-01T00:00:00+05:30"),
        )
        .unwrap();
    let category_goal = company_phone
        .add_goal(
            plan_id,
            &GoalDraft {
                scope: GoalScope::Category,
                target: "Foodgrains, Oil & Masala".to_owned(),
                period: None,
                quantity: Some(dec!(40)),
                value: Some(Money::from_rupees(dec!(10000))),
            },
        )
        .unwrap();
    let product_goal = company_phone
        .add_goal(
            plan_id,
            &GoalDraft {
                scope: GoalScope::Product,
                target: "DM-013".to_owned(),
                period: Some((at("2030-11-01T00:00:00+05:30"), at("2030-12-01T00:00:00+05:30"))),
                quantity: Some(dec!(10)),
                value: None,
            },
        )
        .unwrap();
    let action = company_phone
        .add_action(
            plan_id,
            "Stock the 5 kg atta packs",
            user("dist-p-admin"),
            at("2030-10-15T18:00:00+05:30"),
        )
        .unwrap();
    company_phone.sync_now().await.unwrap();

    // The distributor's admin receives it.
    assert_eq!(distributor_phone.sync_now().await.unwrap().documents_received, 1);
    let listed = distributor_phone.business_plans().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].plan_id, plan_id);
    assert_eq!(listed[0].company_id, tenant);
    assert_eq!(listed[0].distributor_id, TenantId::new("dist-p").unwrap());
    assert_eq!(
        (listed[0].goal_count, listed[0].action_count, listed[0].comment_count),
        (2, 1, 0)
    );

    // Offline on both sides, the distributor raises the category goal's quantity and the
    // company raises its value. Both set the product goal's quantity, so that field conflicts.
    distributor_phone
        .change_goal_quantity(plan_id, &category_goal, dec!(50))
        .unwrap();
    distributor_phone
        .change_goal_quantity(plan_id, &product_goal, dec!(12))
        .unwrap();
    distributor_phone
        .set_action_status(plan_id, &action, ActionStatus::InProgress)
        .unwrap();
    distributor_phone.add_comment(plan_id, "we can do 50").unwrap();
    company_phone
        .change_goal_value(plan_id, &category_goal, Money::from_rupees(dec!(12000)))
        .unwrap();
    company_phone
        .change_goal_quantity(plan_id, &product_goal, dec!(15))
        .unwrap();
    company_phone.add_comment(plan_id, "value target up to 12000").unwrap();

    // Rejected inputs change nothing.
    let before = distributor_phone.business_plan(plan_id).unwrap();
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || distributor_phone.change_goal_quantity(plan_id, &category_goal, dec!(-5)),
        "the quantity target must be greater than zero, not -5",
    );
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || distributor_phone.change_goal_value(plan_id, "01JG0000000000000000000000", Money::from_rupees(dec!(5))),
        &format!("goal 01JG0000000000000000000000 is not in business plan {plan_id}"),
    );
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || {
            distributor_phone.add_goal(
                plan_id,
                &GoalDraft {
                    scope: GoalScope::Category,
                    target: "  ".to_owned(),
                    period: None,
                    quantity: Some(dec!(1)),
                    value: None,
                },
            )
        },
        "a goal's category or product must not be blank",
    );
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || {
            distributor_phone.add_goal(
                plan_id,
                &GoalDraft {
                    scope: GoalScope::Product,
                    target: "DM-999".to_owned(),
                    period: None,
                    quantity: Some(dec!(1)),
                    value: None,
                },
            )
        },
        "product DM-999 is not in this device's catalog",
    );
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || distributor_phone.add_comment(plan_id, " \n "),
        "a comment must not be blank",
    );
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || distributor_phone.set_action_status(plan_id, "01JA0000000000000000000000", ActionStatus::Done),
        "action 01JA0000000000000000000000 is not in business plan",
    );
    assert_rejected_unchanged(
        &distributor_phone,
        plan_id,
        || {
            distributor_phone.create_business_plan(
                Some(TenantId::new("dist-q").unwrap()),
                at("2030-10-01T00:00:00+05:30"),
                at("2031-01-01T00:00:00+05:30"),
            )
        },
        "user dist-p-admin acts for distributor dist-p and cannot create a business plan for dist-q",
    );
    assert_eq!(distributor_phone.business_plan(plan_id).unwrap(), before);
    assert_eq!(distributor_phone.business_plans().unwrap().len(), 1);

    // Both sync; the distributor syncs again to receive the company's edits.
    distributor_phone.sync_now().await.unwrap();
    company_phone.sync_now().await.unwrap();
    distributor_phone.sync_now().await.unwrap();
    assert_eq!(company_phone.sync_status().unwrap().pending_documents, 0);
    assert_eq!(distributor_phone.sync_status().unwrap().pending_documents, 0);

    // Both devices and the server hold the same merged plan.
    let merged = company_phone.business_plan(plan_id).unwrap();
    assert_eq!(distributor_phone.business_plan(plan_id).unwrap(), merged);
    assert_eq!(
        BusinessPlanView::read(&server_document(&server, &tenant, plan_id)).unwrap(),
        merged
    );

    // Edits of different fields both survive.
    let goal = &merged.goals[&category_goal];
    assert_eq!(goal.quantity, Some(dec!(50)));
    assert_eq!(goal.value, Some(Money::from_rupees(dec!(12000))));
    assert!(goal.conflicts.is_empty(), "{:?}", goal.conflicts);

    // Two edits of one field: one winner everywhere, the other kept in `conflicts`.
    let contested = &merged.goals[&product_goal];
    let winner = contested.quantity.unwrap();
    assert!(winner == dec!(12) || winner == dec!(15), "{winner}");
    let loser = if winner == dec!(12) { "15" } else { "12" };
    assert_eq!(contested.conflicts["quantity"], vec![loser.to_owned()]);
    assert_eq!(contested.period_from, at("2030-11-01T00:00:00+05:30"));

    assert_eq!(merged.actions[&action].status, "in_progress");
    assert_eq!(merged.actions[&action].owner, user("dist-p-admin"));
    let mut comments: Vec<(String, String)> = merged
        .comments
        .iter()
        .map(|comment| (comment.author.to_string(), comment.text.clone()))
        .collect();
    comments.sort();
    assert_eq!(
        comments,
        vec![
            ("co-rep-1".to_owned(), "value target up to 12000".to_owned()),
            ("dist-p-admin".to_owned(), "we can do 50".to_owned()),
        ]
    );

    // The server's goal and achievement view has both sides' targets.
    let path = format!("/api/v1/orgs/co-p/business-plans/{plan_id}/achievement");
    for token in [&company_admin, &company_rep_token, &distributor_token] {
        let (status, achievement) = get_json(&server, &path, token).await;
        assert_eq!(status, 200, "{achievement}");
        assert_eq!(achievement["distributor_id"], "dist-p");
        let goals = achievement["goals"].as_array().unwrap();
        assert_eq!(goals.len(), 2);
        let category = goals
            .iter()
            .find(|goal| goal["goal_id"] == category_goal.as_str())
            .unwrap();
        assert_eq!(category["scope"], "category");
        assert_eq!(category["quantity_target"], "50");
        assert_eq!(category["value_target"], "12000.00");
        assert_eq!(category["achieved_quantity"], "0");
        assert_eq!(category["quantity_percent"], "0.0");
        let product = goals
            .iter()
            .find(|goal| goal["goal_id"] == product_goal.as_str())
            .unwrap();
        assert_eq!(product["scope"], "product");
        assert_eq!(product["target"], "DM-013");
        assert_eq!(product["quantity_target"], winner.to_string().as_str());
        assert_eq!(product["value_target"], Value::Null);
        assert_eq!(product["period_from"], "2030-11-01T00:00:00+05:30");
    }
}
