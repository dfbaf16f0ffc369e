"""Visit plans and business plans through the generated Python bindings against a running
server. A manager plans a rep's visit; offline, the rep checks in while the manager
reschedules. A company rep and a distributor's admin edit one business plan goal offline.
After sync both devices hold the same merged plan, and the server's reports agree."""

import asyncio
import json
import urllib.request

import pytest

from conftest import CATALOG_CSV, PARTNER_PARTY_ID, TENANT_ID, _run_admin

PERIOD_FROM = "2031-03-10T00:00:00+05:30"
PERIOD_TO = "2031-03-17T00:00:00+05:30"
PASSWORD = "python plan password 1"
COMPANY_ID = "co-py"
DISTRIBUTOR_ID = "dist-py"
UNKNOWN_ULID = "01JG0000000000000000000000"


def _request(method, url, token=None, body=None):
    """Send one JSON request and return the status and the decoded body."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


def _login(server, login):
    status, body = _request("POST", f"{server.url}/api/v1/auth/login", body={"login": login, "password": PASSWORD})
    assert status == 200
    return body["access_token"]


def _open(dms_ffi, server, tmp_path, name, token, user_id, tenant_id=TENANT_ID, party_id=None):
    settings = dms_ffi.DeviceSettings(
        server_url=server.url,
        access_token=token,
        tenant_id=tenant_id,
        user_id=user_id,
        party_id=party_id,
        device_id=name,
    )
    return dms_ffi.DeviceClient.open(str(tmp_path / name / "device.sqlite"), settings)


def _sync(*phones):
    for phone in phones:
        asyncio.run(phone.sync_now())


def _draft(dms_ffi, window_from, window_to, objective):
    return dms_ffi.VisitDraftRecord(
        party_id=PARTNER_PARTY_ID,
        window_from=window_from,
        window_to=window_to,
        objectives=[objective],
        attendees=[],
        vehicle=dms_ffi.VehicleRecord(number="MH-12-AB-1234", kind="two-wheeler"),
    )


def test_visit_plan_check_in_and_reschedule_merge(dms_ffi, server, server_bin, tmp_path):
    data = ["--data-dir", str(server.data_dir), "--tenant", TENANT_ID]
    manager_token = _run_admin(
        server_bin, "issue-token", *data, "--user", "mgr-py", "--role", "distributor_admin"
    ).strip()
    rep_token = _run_admin(
        server_bin, "issue-token", *data, "--user", "rep-py", "--role", "distributor_salesperson"
    ).strip()
    manager = _open(dms_ffi, server, tmp_path, "manager-phone", manager_token, "mgr-py")
    rep = _open(dms_ffi, server, tmp_path, "rep-phone", rep_token, "rep-py")

    # The manager plans one visit for the rep and syncs; the rep's phone receives the plan.
    plan = manager.create_visit_plan("rep-py", PERIOD_FROM, PERIOD_TO)
    visit = manager.add_planned_visit(
        plan, _draft(dms_ffi, "2031-03-11T10:00:00+05:30", "2031-03-11T11:00:00+05:30", "collect the order")
    )
    _sync(manager, rep)
    [summary] = rep.visit_plans()
    assert (summary.plan_id, summary.rep_id, summary.visit_count) == (plan, "rep-py", 1)
    assert summary.has_unsynced_edits is False

    # Offline: the rep checks in and adds an unplanned visit; the manager reschedules.
    rep.check_in(plan, visit, "18.5204", "73.8567", "8")
    extra = rep.add_unplanned_visit(
        plan, _draft(dms_ffi, "2031-03-11T16:00:00+05:30", "2031-03-11T16:30:00+05:30", "introduce the new atta")
    )
    follow_up = rep.add_follow_up(plan, visit, "send the new price list", "2031-03-12T10:00:00+05:30")
    manager.reschedule_visit(plan, visit, "2031-03-11T10:30:00+05:30", "2031-03-11T11:30:00+05:30")

    # Rejected calls raise the matching error and leave the plan as it was.
    before = rep.visit_plan(plan)
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        rep.reschedule_visit(plan, visit, "2031-03-11T12:00:00+05:30", "2031-03-11T13:00:00+05:30")
    assert "cannot be rescheduled" in refused.value.message
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        rep.add_unplanned_visit(
            plan, _draft(dms_ffi, "2031-03-11T17:00:00+05:30", "2031-03-11T16:00:00+05:30", "anything")
        )
    assert "a visit window must end after it starts" in refused.value.message
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        rep.add_follow_up(plan, visit, "call back", "next tuesday")
    assert '"next tuesday"' in refused.value.message
    with pytest.raises(dms_ffi.DeviceClientError.NotFound) as refused:
        rep.cancel_visit(plan, UNKNOWN_ULID)
    assert refused.value.message == f"visit {UNKNOWN_ULID} is not in visit plan {plan}"
    assert rep.visit_plan(plan) == before

    _sync(manager, rep, manager)
    merged = rep.visit_plan(plan)
    assert manager.visit_plan(plan) == merged
    visits = {record.visit_id: record for record in merged.visits}
    assert set(visits) == {visit, extra}
    first = visits[visit]
    assert (first.window_from, first.window_to) == ("2031-03-11T10:30:00+05:30", "2031-03-11T11:30:00+05:30")
    assert (first.check_in.latitude, first.check_in.longitude, first.check_in.accuracy_m) == ("18.5204", "73.8567", "8")
    assert first.status == dms_ffi.VisitStatus.IN_PROGRESS
    assert [(item.follow_up_id, item.text, item.due) for item in first.follow_ups] == [
        (follow_up, "send the new price list", "2031-03-12T10:00:00+05:30")
    ]
    unplanned = visits[extra]
    assert (unplanned.unplanned, unplanned.owner, unplanned.status) == (True, "rep-py", dms_ffi.VisitStatus.PLANNED)
    assert unplanned.vehicle == dms_ffi.VehicleRecord(number="MH-12-AB-1234", kind="two-wheeler")

    status, report = _request(
        "GET", f"{server.url}/api/v1/orgs/{TENANT_ID}/reports/visits?rep=rep-py&date=2031-03-11", manager_token
    )
    assert status == 200
    assert (report["planned"], report["unplanned"], report["completed"], report["missed"]) == (1, 1, 0, 0)
    rows = {row["visit_id"]: row for row in report["visits"]}
    assert rows[visit]["window_from"] == "2031-03-11T10:30:00+05:30"
    assert rows[visit]["check_in"]["at"] == first.check_in.at
    assert rows[visit]["status"] == "in_progress"
    assert rows[extra]["unplanned"] is True


def test_business_plan_goal_edits_merge(dms_ffi, server, server_bin, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    data_dir = ["--data-dir", str(server.data_dir)]
    _run_admin(
        server_bin,
        "bootstrap-company",
        *data_dir,
        "--name",
        "Python Plan Foods Ltd",
        "--gstin",
        "27AAACY0001Y1Z1",
        "--org",
        COMPANY_ID,
        "--admin-login",
        "co-py-admin",
        "--admin-password-file",
        str(password_file),
    )
    _run_admin(server_bin, "import-catalog", *data_dir, "--tenant", COMPANY_ID, str(CATALOG_CSV))
    company_admin = _login(server, "co-py-admin")
    onboarding = {
        "org_id": DISTRIBUTOR_ID,
        "legal_name": "Dist Py Traders",
        "registration": "27AAANY0001Y1Z1",
        "admin_login": "dist-py-admin",
        "admin_password": PASSWORD,
        "modules": ["DMS"],
    }
    status, _ = _request("POST", f"{server.url}/api/v1/orgs/{COMPANY_ID}/distributors", company_admin, onboarding)
    assert status == 201
    distributor_token = _login(server, "dist-py-admin")
    rep_token = _run_admin(
        server_bin, "issue-token", *data_dir, "--tenant", COMPANY_ID, "--user", "co-py-rep", "--role", "company_sales_rep"
    ).strip()
    company = _open(dms_ffi, server, tmp_path, "company-phone", rep_token, "co-py-rep", tenant_id=COMPANY_ID)
    distributor = _open(
        dms_ffi,
        server,
        tmp_path,
        "distributor-phone",
        distributor_token,
        "dist-py-admin",
        tenant_id=COMPANY_ID,
        party_id=DISTRIBUTOR_ID,
    )
    _sync(company)

    # The company's rep sets a goal and an action for the quarter, and syncs.
    plan = company.create_business_plan(DISTRIBUTOR_ID, "2030-10-01T00:00:00+05:30", "2031-01-01T00:00:00+05:30")
    goal = company.add_goal(
        plan,
        dms_ffi.GoalDraftRecord(
            scope=dms_ffi.GoalScope.CATEGORY,
            target="Foodgrains, Oil & Masala",
            period_from=None,
            period_to=None,
            quantity="40",
            value="10000",
        ),
    )
    action = company.add_action(plan, "Stock the 5 kg atta packs", "dist-py-admin", "2030-10-15T18:00:00+05:30")
    _sync(company, distributor)
    [summary] = distributor.business_plans()
    assert (summary.plan_id, summary.company_id, summary.distributor_id) == (plan, COMPANY_ID, DISTRIBUTOR_ID)
    assert (summary.goal_count, summary.action_count, summary.comment_count) == (1, 1, 0)

    # Offline: the distributor raises the quantity, the company raises the value.
    distributor.change_goal_quantity(plan, goal, "50")
    distributor.set_action_status(plan, action, dms_ffi.ActionStatus.IN_PROGRESS)
    distributor.add_comment(plan, "we can do 50")
    company.change_goal_value(plan, goal, "12000")
    company.add_comment(plan, "value target up to 12000")

    before = distributor.business_plan(plan)
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        distributor.change_goal_quantity(plan, goal, "-5")
    assert refused.value.message == "the quantity target must be greater than zero, not -5"
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        distributor.change_goal_quantity(plan, goal, "lots")
    assert refused.value.message == 'invalid quantity target "lots": not a decimal number'
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        distributor.add_goal(
            plan,
            dms_ffi.GoalDraftRecord(
                scope=dms_ffi.GoalScope.PRODUCT,
                target="DM-013",
                period_from="2030-11-01T00:00:00+05:30",
                period_to=None,
                quantity="10",
                value=None,
            ),
        )
    assert "needs both period_from and period_to" in refused.value.message
    with pytest.raises(dms_ffi.DeviceClientError.NotFound) as refused:
        distributor.change_goal_value(plan, UNKNOWN_ULID, "5")
    assert refused.value.message == f"goal {UNKNOWN_ULID} is not in business plan {plan}"
    assert distributor.business_plan(plan) == before

    _sync(distributor, company, distributor)
    merged = company.business_plan(plan)
    assert distributor.business_plan(plan) == merged
    [merged_goal] = merged.goals
    assert (merged_goal.goal_id, merged_goal.quantity, merged_goal.value) == (goal, "50", "12000.00")
    assert merged_goal.conflicts == []
    [merged_action] = merged.actions
    assert (merged_action.action_id, merged_action.status) == (action, dms_ffi.ActionStatus.IN_PROGRESS)
    assert sorted((comment.author, comment.text) for comment in merged.comments) == [
        ("co-py-rep", "value target up to 12000"),
        ("dist-py-admin", "we can do 50"),
    ]

    status, achievement = _request(
        "GET", f"{server.url}/api/v1/orgs/{COMPANY_ID}/business-plans/{plan}/achievement", distributor_token
    )
    assert status == 200
    [goal_achievement] = achievement["goals"]
    assert goal_achievement["goal_id"] == goal
    assert (goal_achievement["quantity_target"], goal_achievement["value_target"]) == ("50", "12000.00")
