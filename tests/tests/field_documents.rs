//! Field documents over real WebSockets: visit plans, delivery acknowledgements and business
//! plans pushed to a loopback server, reconciled into the tenant's tables, and read back
//! through the REST reports.
//!
//! Devices are automerge documents edited with the `dms_documents` edit functions and pushed
//! with the raw protocol peer, so each offline phone is a fork that syncs only when the test
//! says so. The device store's durability (a phone killed before upload) is covered by the
//! device crate's tests; here the server's half is checked.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::business_plan::{self, BusinessPlanHeader, GoalChange, GoalScope, NewGoal};
use dms_documents::cart::{self, CartHeader, EditContext};
use dms_documents::delivery_ack::{
    self, AcknowledgementHeader, AcknowledgementView, Capture, Countersign, ImageRef, Receiver, Verdict,
};
use dms_documents::visit_plan::{self, NewVisit, Presence, Vehicle, VisitPlanHeader};
use dms_domain::{
    AcknowledgementId, CartId, GeoPoint, Money, PartyId, PlanId, ProductId, Quantity, ShipmentId, TenantId, Timestamp,
    UserId, VisitId,
};
use dms_server::access::Module;
use dms_server::admin;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn sync_url(server: &TestServer, org: &str) -> String {
    format!("{}/api/v1/orgs/{org}/sync", server.url.replacen("http", "ws", 1))
}

async fn push(server: &TestServer, org: &str, token: &str, id: DocumentId, doc: &mut Automerge) -> PushOutcome {
    let mut peer = RawPeer::joined(&sync_url(server, org), token).await;
    peer.push(id, doc).await
}

async fn get(server: &TestServer, path: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn get_json(server: &TestServer, path: &str, token: &str) -> (u16, Value) {
    let response = get(server, path, token).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Returns the server's current copy of a document.
fn server_copy(server: &TestServer, org: &str, id: DocumentId) -> Automerge {
    let tenant = server.state.hub.tenant(&TenantId::new(org).unwrap()).unwrap();
    let mut guard = tenant.lock();
    guard.document(&id).unwrap().clone()
}

fn presence(time: &str) -> Presence {
    Presence {
        at: at(time),
        position: GeoPoint::parse("18.5204", "73.8567", "8").unwrap(),
    }
}

fn new_visit(party: &str, owner: &str, from: &str, to: &str, unplanned: bool) -> NewVisit {
    NewVisit {
        visit_id: VisitId::generate(),
        party_id: PartyId::new(party).unwrap(),
        owner: user(owner),
        window_from: at(from),
        window_to: at(to),
        unplanned,
        objectives: vec!["collect the order".to_owned()],
        attendees: Vec::new(),
        vehicle: Some(Vehicle {
            number: "MH-12-AB-1234".to_owned(),
            kind: "two-wheeler".to_owned(),
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_offline_survives_manager_reschedule() {
    let server = TestServer::start().await;
    let org = "fd-visits";
    let tenant = server.tenant_with_catalog(org);
    let (_, manager) = server.token_for(&tenant, "mgr-1", "distributor_admin", None);
    let (_, rep) = server.token_for(&tenant, "rep-1", "distributor_salesperson", None);
    let (_, other_rep) = server.token_for(&tenant, "rep-2", "distributor_salesperson", None);
    let (_, kirana1) = server.partner_token(&tenant, "owner-k1", "kirana-1");
    let (_, kirana2) = server.partner_token(&tenant, "owner-k2", "kirana-2");

    // The manager plans two visits for rep-1 on 20 November and syncs.
    let plan_id = PlanId::generate();
    let id = DocumentId::from_bytes(plan_id.to_bytes());
    let header = VisitPlanHeader {
        plan_id,
        tenant_id: tenant.clone(),
        rep_id: user("rep-1"),
        period_from: at("2026-11-16T00:00:00+05:30"),
        period_to: at("2026-11-23T00:00:00+05:30"),
        created_by: user("mgr-1"),
        created_at: at("2026-11-15T09:00:00+05:30"),
    };
    let mut manager_doc = Automerge::new();
    visit_plan::create_plan(&mut manager_doc, &header).unwrap();
    let first = new_visit(
        "kirana-1",
        "rep-1",
        "2026-11-20T10:00:00+05:30",
        "2026-11-20T11:00:00+05:30",
        false,
    );
    let second = new_visit(
        "kirana-2",
        "rep-1",
        "2026-11-20T14:00:00+05:30",
        "2026-11-20T15:00:00+05:30",
        false,
    );
    let planned_at = at("2026-11-15T09:05:00+05:30");
    visit_plan::add_visit(&mut manager_doc, &first, &planned_at).unwrap();
    visit_plan::add_visit(&mut manager_doc, &second, &planned_at).unwrap();
    assert_eq!(
        push(&server, org, &manager, id, &mut manager_doc).await,
        PushOutcome::Accepted
    );

    // The rep's phone has the plan, goes offline, checks in and out of the first visit and
    // adds an unplanned visit. Meanwhile the manager reschedules the first visit.
    let mut rep_doc = manager_doc.fork();
    visit_plan::check_in(&mut rep_doc, first.visit_id, &presence("2026-11-20T10:05:00+05:30")).unwrap();
    visit_plan::check_out(&mut rep_doc, first.visit_id, &presence("2026-11-20T10:40:00+05:30")).unwrap();
    visit_plan::record_outcome(
        &mut rep_doc,
        first.visit_id,
        "owner away, spoke to son",
        "order taken",
        &at("2026-11-20T10:41:00+05:30"),
    )
    .unwrap();
    let extra = new_visit(
        "kirana-1",
        "rep-1",
        "2026-11-20T16:00:00+05:30",
        "2026-11-20T16:30:00+05:30",
        true,
    );
    visit_plan::add_visit(&mut rep_doc, &extra, &at("2026-11-20T16:00:00+05:30")).unwrap();
    visit_plan::check_in(&mut rep_doc, extra.visit_id, &presence("2026-11-20T16:02:00+05:30")).unwrap();

    visit_plan::reschedule(
        &mut manager_doc,
        first.visit_id,
        at("2026-11-20T10:30:00+05:30"),
        at("2026-11-20T11:30:00+05:30"),
        &at("2026-11-20T09:00:00+05:30"),
    )
    .unwrap();
    assert_eq!(
        push(&server, org, &manager, id, &mut manager_doc).await,
        PushOutcome::Accepted
    );
    assert_eq!(push(&server, org, &rep, id, &mut rep_doc).await, PushOutcome::Accepted);

    // The server's visits table has the manager's new window and the rep's check-in.
    let (status, report) = get_json(
        &server,
        &format!("/api/v1/orgs/{org}/reports/visits?rep=rep-1&date=2026-11-20"),
        &manager,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let visits = report["visits"].as_array().unwrap();
    let rescheduled = visits
        .iter()
        .find(|visit| visit["visit_id"] == first.visit_id.to_string().as_str())
        .unwrap();
    assert_eq!(rescheduled["window_from"], "2026-11-20T10:30:00+05:30");
    assert_eq!(rescheduled["window_to"], "2026-11-20T11:30:00+05:30");
    assert_eq!(rescheduled["check_in"]["at"], "2026-11-20T10:05:00+05:30");
    assert_eq!(rescheduled["check_out"]["at"], "2026-11-20T10:40:00+05:30");
    assert_eq!(rescheduled["outcome"], "order taken");
    assert_eq!(rescheduled["status"], "completed");

    // The report's figures: two planned, one completed, one missed, one unplanned.
    assert_eq!(report["planned"], 2);
    assert_eq!(report["completed"], 1);
    assert_eq!(report["missed"], 1);
    assert_eq!(report["unplanned"], 1);
    assert_eq!(visits.len(), 3);

    // The rep reads its own report; another rep may not.
    let path = format!("/api/v1/orgs/{org}/reports/visits?rep=rep-1&date=2026-11-20");
    assert_eq!(get_json(&server, &path, &rep).await.0, 200);
    assert_eq!(get_json(&server, &path, &other_rep).await.0, 403);
    assert_eq!(get_json(&server, &path, &kirana1).await.0, 403);

    // Each visited party sees only its own visits, without the rep's positions or outcome.
    let (status, seen) = get_json(&server, &format!("/api/v1/orgs/{org}/visits"), &kirana1).await;
    assert_eq!(status, 200, "{seen}");
    let seen = seen.as_array().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|visit| visit["party_id"] == "kirana-1"));
    assert!(
        seen.iter()
            .all(|visit| visit["check_in"].is_null() && visit["outcome"].is_null())
    );
    assert_eq!(seen[0]["vehicle_number"], "MH-12-AB-1234");
    assert_eq!(seen[0]["objectives"][0], "collect the order");
    let (_, seen) = get_json(&server, &format!("/api/v1/orgs/{org}/visits"), &kirana2).await;
    assert_eq!(seen.as_array().unwrap().len(), 1);

    // Another rep may not write rep-1's plan, and the server's copy stays as it was.
    let heads = server_copy(&server, org, id).get_heads();
    let mut intruder = server_copy(&server, org, id);
    visit_plan::record_outcome(
        &mut intruder,
        second.visit_id,
        "x",
        "y",
        &at("2026-11-20T15:00:00+05:30"),
    )
    .unwrap();
    match push(&server, org, &other_rep, id, &mut intruder).await {
        PushOutcome::Refused(reason) => assert!(reason.contains("cannot be written"), "{reason}"),
        PushOutcome::Accepted => panic!("another rep changed rep-1's plan"),
    }
    assert_eq!(server_copy(&server, org, id).get_heads(), heads);

    // Nor may it create a plan for rep-1; the refusal names the rule that decided it.
    let plan_id = PlanId::generate();
    let mut foreign = Automerge::new();
    let header = VisitPlanHeader {
        plan_id,
        created_by: user("rep-2"),
        ..header
    };
    visit_plan::create_plan(&mut foreign, &header).unwrap();
    let foreign_id = DocumentId::from_bytes(plan_id.to_bytes());
    match push(&server, org, &other_rep, foreign_id, &mut foreign).await {
        PushOutcome::Refused(reason) => assert!(
            reason.contains("(rule distributor_salesperson member visit_plan create own_user) [forbidden]"),
            "{reason}"
        ),
        PushOutcome::Accepted => panic!("rep-2 created a plan for rep-1"),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex_encode(&Sha256::digest(bytes))
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

async fn put_blob(server: &TestServer, org: &str, token: &str, hash: &str, bytes: Vec<u8>) -> u16 {
    reqwest::Client::new()
        .put(format!("{}/api/v1/orgs/{org}/blobs/{hash}", server.url))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// An acknowledgement of 10 × DM-001 and 4 × DM-004 for kirana-1, recorded by drv-1 with one
/// short and two damaged sacks of DM-001, not yet signed.
fn recorded_ack(tenant: &TenantId, signature: &str, photo: &str) -> (AcknowledgementHeader, Automerge) {
    let header = AcknowledgementHeader {
        ack_id: AcknowledgementId::generate(),
        tenant_id: tenant.clone(),
        shipment_id: ShipmentId::generate(),
        buyer_id: PartyId::new("kirana-1").unwrap(),
        driver_id: user("drv-1"),
        vehicle_number: "MH-12-CD-5678".to_owned(),
        created_at: at("2026-12-01T08:00:00+05:30"),
    };
    let dispatched = BTreeMap::from([
        (ProductId::new("DM-001").unwrap(), dec!(10)),
        (ProductId::new("DM-004").unwrap(), dec!(4)),
    ]);
    let mut doc = Automerge::new();
    delivery_ack::create_acknowledgement(&mut doc, &header, &dispatched).unwrap();
    let now = at("2026-12-01T11:20:00+05:30");
    delivery_ack::record_line(
        &mut doc,
        &ProductId::new("DM-001").unwrap(),
        dec!(1),
        dec!(2),
        Some("torn <sacks> & wet"),
        &now,
    )
    .unwrap();
    let receiver = Receiver {
        name: "Sunil Patil".to_owned(),
        phone: "+91 98200 12345".to_owned(),
    };
    delivery_ack::set_receiver(&mut doc, &receiver, &now).unwrap();
    let image = |sha256: &str| ImageRef {
        sha256: sha256.to_owned(),
        media_type: "image/png".to_owned(),
    };
    delivery_ack::attach_signature(&mut doc, &image(signature), &now).unwrap();
    delivery_ack::add_photo(&mut doc, &image(photo), &now).unwrap();
    let capture = Capture {
        at: now,
        position: GeoPoint::parse("18.5204", "73.8567", "6").unwrap(),
    };
    delivery_ack::capture(&mut doc, &capture).unwrap();
    (header, doc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_ack_intact_and_late_edit_rejected() {
    let server = TestServer::start().await;
    let org = "fd-deliveries";
    let tenant = server.tenant_with_catalog(org);
    let (_, driver) = server.token_for(&tenant, "drv-1", "delivery_driver", None);
    let (_, clerk) = server.token_for(&tenant, "clerk-1", "distributor_salesperson", None);
    let (_, kirana1) = server.partner_token(&tenant, "owner-k1", "kirana-1");
    let (_, kirana2) = server.partner_token(&tenant, "owner-k2", "kirana-2");

    // The signature and photo are uploaded by hash; a wrong hash is refused.
    let signature_bytes = b"\x89PNG signature strokes".to_vec();
    let photo_bytes = b"\x89PNG photo of the sacks".to_vec();
    let signature = sha256_hex(&signature_bytes);
    let photo = sha256_hex(&photo_bytes);
    assert_eq!(
        put_blob(&server, org, &driver, &signature, signature_bytes.clone()).await,
        201
    );
    assert_eq!(
        put_blob(&server, org, &driver, &signature, signature_bytes.clone()).await,
        200
    );
    assert_eq!(
        put_blob(&server, org, &driver, &photo, b"other bytes".to_vec()).await,
        422
    );
    assert_eq!(put_blob(&server, org, &driver, &photo, photo_bytes.clone()).await, 201);
    assert_eq!(put_blob(&server, org, &kirana1, &photo, photo_bytes.clone()).await, 403);

    // The driver records and signs offline, with a helper phone holding the unsigned copy.
    let (header, mut driver_doc) = recorded_ack(&tenant, &signature, &photo);
    let id = DocumentId::from_bytes(header.ack_id.to_bytes());
    let mut helper_doc = driver_doc.fork();
    let sign_off = delivery_ack::sign_off(&mut driver_doc, &user("drv-1"), &at("2026-12-01T11:30:00+05:30")).unwrap();
    assert_eq!(
        push(&server, org, &driver, id, &mut driver_doc).await,
        PushOutcome::Accepted
    );

    // The server holds the signed acknowledgement intact.
    let stored = server_copy(&server, org, id);
    assert_eq!(stored.get_heads(), driver_doc.get_heads());
    let view = AcknowledgementView::read(&stored).unwrap();
    assert_eq!(view.sign_off.as_ref(), Some(&sign_off));
    assert_eq!(view.content_sha256(), sign_off.content_sha256);

    // A late edit from the helper phone is refused, reported, and changes nothing.
    delivery_ack::record_line(
        &mut helper_doc,
        &ProductId::new("DM-004").unwrap(),
        dec!(0),
        dec!(1),
        Some("dented"),
        &at("2026-12-01T11:31:00+05:30"),
    )
    .unwrap();
    match push(&server, org, &driver, id, &mut helper_doc).await {
        PushOutcome::Refused(reason) => assert!(
            reason.contains(&format!(
                "acknowledgement {} was signed by drv-1 at 2026-12-01T11:30:00+05:30; edits after sign-off are refused",
                header.ack_id
            )),
            "{reason}"
        ),
        PushOutcome::Accepted => panic!("an edit after sign-off was accepted"),
    }
    assert_eq!(server_copy(&server, org, id).get_heads(), driver_doc.get_heads());
    let alterations = {
        let tenant = server.state.hub.tenant(&tenant).unwrap();
        let guard = tenant.lock();
        guard.store().alterations().unwrap()
    };
    assert_eq!(alterations.len(), 1);
    assert_eq!(alterations[0].ack_id, header.ack_id.to_string());
    assert_eq!(alterations[0].signed_sha256, sign_off.content_sha256);
    assert_eq!(alterations[0].received_from, "drv-1");

    // The buyer may not change anything but the countersign; it disputes within the window.
    let mut buyer_doc = server_copy(&server, org, id).fork();
    let countersign = Countersign {
        by: user("owner-k1"),
        at: at("2026-12-01T18:00:00+05:30"),
        verdict: Verdict::Disputed,
        note: Some("two sacks wet".to_owned()),
    };
    delivery_ack::countersign(&mut buyer_doc, &countersign).unwrap();
    assert_eq!(
        push(&server, org, &kirana1, id, &mut buyer_doc).await,
        PushOutcome::Accepted
    );

    // The report: HTML and PDF carry the exact figures, for the seller and the buyer.
    let shipment = header.shipment_id.to_string();
    let html_path = format!("/api/v1/orgs/{org}/deliveries/{shipment}/report.html");
    let response = get(&server, &html_path, &kirana1).await;
    assert_eq!(response.status().as_u16(), 200);
    let html = response.text().await.unwrap();
    for expected in [
        "<tr><th>Status</th><td>partly_delivered</td></tr>",
        "<tr><th>Receiver</th><td>Sunil Patil</td></tr>",
        "<tr><th>Signed by</th><td>drv-1</td></tr>",
        "<td>DM-001</td><td>Toor Dal (Arhar)</td><td class=\"n\">10</td><td class=\"n\">7</td>\
         <td class=\"n\">1</td><td class=\"n\">2</td><td>torn &lt;sacks&gt; &amp; wet</td>",
        "<td class=\"n\">14</td><td class=\"n\">11</td><td class=\"n\">1</td><td class=\"n\">2</td>",
        "disputed by owner-k1",
        // Order to cash has no shipment with this acknowledgement's shipment id.
        "<tr><th>Shipment update</th><td>not applied: order to cash has no shipment with this id</td></tr>",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in {html}");
    }
    assert!(html.contains(&sign_off.content_sha256));

    let pdf_path = format!("/api/v1/orgs/{org}/deliveries/{shipment}/report.pdf");
    let response = get(&server, &pdf_path, &clerk).await;
    assert_eq!(response.status().as_u16(), 200);
    let pdf = response.bytes().await.unwrap().to_vec();
    check_pdf_structure(&pdf);
    let text = pdf_text(&pdf);
    for expected in [
        "Status: partly_delivered",
        "DM-001 | Toor Dal (Arhar) | 10 | 7 | 1 | 2 | torn <sacks> & wet",
        "DM-004 | Cold Pressed Groundnut Oil | 4 | 4 | 0 | 0 | -",
        "Total | | 14 | 11 | 1 | 2 |",
        "Shipment update: not applied: order to cash has no shipment with this id",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }

    // Another partner sees neither the report nor the images; the buyer sees both.
    assert_eq!(get(&server, &html_path, &kirana2).await.status().as_u16(), 404);
    let photo_path = format!("/api/v1/orgs/{org}/blobs/{photo}");
    let response = get(&server, &photo_path, &kirana1).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.bytes().await.unwrap().to_vec(), photo_bytes);
    assert_eq!(get(&server, &photo_path, &kirana2).await.status().as_u16(), 404);

    // The delivery record: status, shortages and damages per product, and the verdict.
    let tenant_handle = server.state.hub.tenant(&tenant).unwrap();
    let delivery = tenant_handle.lock().store().delivery(&shipment).unwrap().unwrap();
    assert_eq!(delivery.status, "partly_delivered");
    assert_eq!(
        (delivery.dispatched.as_str(), delivery.delivered.as_str()),
        ("14", "11")
    );
    assert_eq!((delivery.short.as_str(), delivery.damaged.as_str()), ("1", "2"));
    assert_eq!(delivery.countersign_verdict.as_deref(), Some("disputed"));
    assert_eq!(delivery.images.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyer_may_only_countersign() {
    let server = TestServer::start().await;
    let org = "fd-buyers";
    let tenant = server.tenant_with_catalog(org);
    let (_, driver) = server.token_for(&tenant, "drv-1", "delivery_driver", None);
    let (_, kirana1) = server.partner_token(&tenant, "owner-k1", "kirana-1");

    let (header, mut doc) = recorded_ack(&tenant, &"a".repeat(64), &"b".repeat(64));
    let id = DocumentId::from_bytes(header.ack_id.to_bytes());
    assert_eq!(push(&server, org, &driver, id, &mut doc).await, PushOutcome::Accepted);

    let heads = doc.get_heads();
    let mut buyer_doc = doc.fork();
    delivery_ack::record_line(
        &mut buyer_doc,
        &ProductId::new("DM-004").unwrap(),
        dec!(4),
        dec!(0),
        Some("never arrived"),
        &at("2026-12-01T12:00:00+05:30"),
    )
    .unwrap();
    match push(&server, org, &kirana1, id, &mut buyer_doc).await {
        PushOutcome::Refused(reason) => assert!(reason.contains("a buyer may only countersign"), "{reason}"),
        PushOutcome::Accepted => panic!("a buyer changed an acknowledgement's lines"),
    }
    assert_eq!(server_copy(&server, org, id).get_heads(), heads);
}

fn check_pdf_structure(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-1."));
    // One character per byte, so offsets into the text are offsets into the file.
    let text: String = pdf
        .iter()
        .map(|&byte| if byte.is_ascii() { byte as char } else { '?' })
        .collect();
    assert!(text.trim_end().ends_with("%%EOF"));
    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pdf[start..].starts_with(b"xref\n"));
    for (index, entry) in text[start..].lines().skip(3).take(5).enumerate() {
        let offset: usize = entry[..10].parse().unwrap();
        assert!(pdf[offset..].starts_with(format!("{} 0 obj", index + 1).as_bytes()));
    }
    assert!(text.contains("/BaseFont /Helvetica"));
    assert!(text.contains("trailer"));
}

/// The PDF's text: through `pdftotext` when it is installed, else the literal strings of the
/// content stream (which this server writes uncompressed), unescaped.
fn pdf_text(pdf: &[u8]) -> String {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    if let Ok(output) = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
    {
        assert!(output.status.success(), "pdftotext could not read the report");
        // pdftotext keeps the text but may widen runs of spaces in layout mode.
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        return text
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n");
    }
    let text = String::from_utf8_lossy(pdf).into_owned();
    text.lines()
        .filter_map(|line| line.strip_prefix('(')?.strip_suffix(") Tj"))
        .map(|line| line.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\"))
        .collect::<Vec<_>>()
        .join("\n")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_and_distributor_edit_same_goal_offline() {
    let server = TestServer::start().await;
    admin::bootstrap_company(
        &server.state,
        Some("co-f"),
        "Field Foods Ltd",
        "27AAACF0001F1Z1",
        "co-f-admin",
        PASSWORD,
        &[Module::Dms],
    )
    .unwrap();
    let company = login(&server, "co-f-admin").await;
    let onboarding = json!({"org_id": "dist-f", "legal_name": "Dist F Traders", "registration": "27AAAND0001D1Z1",
                            "admin_login": "dist-f-admin", "admin_password": PASSWORD, "modules": ["DMS", "PRM"]});
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/orgs/co-f/distributors", server.url))
        .bearer_auth(&company)
        .json(&onboarding)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let tenant = TenantId::new("co-f").unwrap();
    admin::import_catalog(&server.state, &tenant, dms_tests::BUILTIN_CATALOG.as_bytes()).unwrap();
    let distributor = login(&server, "dist-f-admin").await;

    // The company sets a goal for the quarter and syncs; both sides have the plan.
    let plan_id = PlanId::generate();
    let id = DocumentId::from_bytes(plan_id.to_bytes());
    let header = BusinessPlanHeader {
        plan_id,
        company_id: tenant.clone(),
        distributor_id: TenantId::new("dist-f").unwrap(),
        period_from: at("2026-10-01T00:00:00+05:30"),
        period_to: at("2027-01-01T00:00:00+05:30"),
        created_by: user("co-f-admin"),
        created_at: at("2026-10-01T09:00:00+05:30"),
    };
    let mut company_doc = Automerge::new();
    business_plan::create_plan(&mut company_doc, &header).unwrap();
    let goal = NewGoal {
        scope: GoalScope::Category,
        target: "Foodgrains, Oil & Masala".to_owned(),
        period_from: at("2026-10-01T00:00:00+05:30"),
        period_to: at("2027-01-01T00:00:00+05:30"),
        quantity: Some(dec!(40)),
        value: Some(Money::from_rupees(dec!(10000))),
    };
    let goal_id = business_plan::add_goal(
        &mut company_doc,
        &goal,
        &user("co-f-admin"),
        &at("2026-10-01T09:01:00+05:30"),
    )
    .unwrap();
    assert_eq!(
        push(&server, "co-f", &company, id, &mut company_doc).await,
        PushOutcome::Accepted
    );
    let mut distributor_doc = company_doc.fork();

    // Offline, the distributor raises the quantity and the company raises the value.
    business_plan::change_goal(
        &mut distributor_doc,
        &goal_id,
        &GoalChange::Quantity(dec!(50)),
        &user("dist-f-admin"),
        &at("2026-10-02T10:00:00+05:30"),
    )
    .unwrap();
    business_plan::add_comment(
        &mut distributor_doc,
        &user("dist-f-admin"),
        "we can do 50",
        &at("2026-10-02T10:01:00+05:30"),
    )
    .unwrap();
    business_plan::change_goal(
        &mut company_doc,
        &goal_id,
        &GoalChange::Value(Money::from_rupees(dec!(12000))),
        &user("co-f-admin"),
        &at("2026-10-02T11:00:00+05:30"),
    )
    .unwrap();
    assert_eq!(
        push(&server, "co-f", &distributor, id, &mut distributor_doc).await,
        PushOutcome::Accepted
    );
    assert_eq!(
        push(&server, "co-f", &company, id, &mut company_doc).await,
        PushOutcome::Accepted
    );

    // Both edits survive on the server.
    let stored = business_plan::BusinessPlanView::read(&server_copy(&server, "co-f", id)).unwrap();
    let stored_goal = &stored.goals[&goal_id];
    assert_eq!(stored_goal.quantity, Some(dec!(50)));
    assert_eq!(stored_goal.value, Some(Money::from_rupees(dec!(12000))));
    assert_eq!(stored.comments.len(), 1);

    // The distributor orders 3 × DM-001 and 2 × DM-002 (in the category) and 1 × DM-013.
    let cart_id = CartId::generate();
    let mut cart_doc = Automerge::new();
    cart::create_cart(
        &mut cart_doc,
        &CartHeader {
            cart_id,
            tenant_id: tenant.clone(),
            buyer_id: PartyId::new("dist-f").unwrap(),
            created_by: user("dist-f-admin"),
            created_at: Timestamp::now(),
        },
    )
    .unwrap();
    let context = EditContext {
        user_id: user("dist-f-admin"),
        device_id: "dist-f-phone".to_owned(),
        at: Timestamp::now(),
    };
    for (product, quantity) in [("DM-001", 3), ("DM-002", 2), ("DM-013", 1)] {
        let product = ProductId::new(product).unwrap();
        cart::set_line(
            &mut cart_doc,
            &product,
            Quantity::new(quantity.into()).unwrap(),
            None,
            &context,
        )
        .unwrap();
    }
    cart::submit(&mut cart_doc, &context).unwrap();
    let cart_document = DocumentId::for_cart(cart_id);
    assert_eq!(
        push(&server, "co-f", &distributor, cart_document, &mut cart_doc).await,
        PushOutcome::Accepted
    );

    // Achievement is computed from the reconciled order request's lines.
    let (status, orders) = get_json(&server, "/api/v1/orgs/co-f/order-requests", &company).await;
    assert_eq!(status, 200);
    let lines = orders[0]["lines"].as_array().unwrap();
    let in_category: rust_decimal::Decimal = lines
        .iter()
        .filter(|line| line["product_id"] == "DM-001" || line["product_id"] == "DM-002")
        .map(|line| {
            line["line_total"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let path = format!("/api/v1/orgs/co-f/business-plans/{plan_id}/achievement");
    for token in [&company, &distributor] {
        let (status, achievement) = get_json(&server, &path, token).await;
        assert_eq!(status, 200, "{achievement}");
        let goal = &achievement["goals"][0];
        assert_eq!(goal["quantity_target"], "50");
        assert_eq!(goal["achieved_quantity"], "5");
        assert_eq!(goal["quantity_percent"], "10.0");
        assert_eq!(goal["achieved_value"], in_category.round_dp(2).to_string().as_str());
    }
}
