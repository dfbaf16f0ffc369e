//! Logins, onboarding, licences and revocation over the real REST API and sync socket.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use automerge::Automerge;
use dms_device::{Device, DeviceConfig, DeviceError, DeviceIdentity};
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader};
use dms_documents::wire::Message;
use dms_domain::{CartId, PartyId, ProductId, Quantity, TenantId, Timestamp, UserId};
use dms_server::access::Module;
use dms_server::admin;
use dms_server::registry::LicenceStatus;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use serde_json::{Value, json};

const COMPANY: &str = "acme-foods";
const COMPANY_ADMIN_PASSWORD: &str = "company admin password";

/// Sends a request and returns the status and the JSON body (or `null`).
async fn call(server: &TestServer, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", server.url);
    let mut request = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn login(server: &TestServer, login: &str, password: &str) -> (u16, Value) {
    let body = json!({"login": login, "password": password, "device_name": format!("{login} phone")});
    call(server, "POST", "/api/v1/auth/login", None, Some(body)).await
}

async fn token(server: &TestServer, user: &str, password: &str) -> String {
    let (status, body) = login(server, user, password).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A company with a DMS licence, bootstrapped as `admin bootstrap-company` does.
fn company(server: &TestServer) {
    admin::bootstrap_company(
        &server.state,
        Some(COMPANY),
        "Acme Foods Ltd",
        "27AAACA1234A1Z5",
        "acme-admin",
        COMPANY_ADMIN_PASSWORD,
        &[Module::Dms],
    )
    .unwrap();
}

/// Onboards a distributor over REST with `modules`; returns its admin's password.
async fn distributor(server: &TestServer, company_token: &str, org: &str, gstin: &str, modules: &[&str]) -> Value {
    let body = json!({
        "org_id": org, "legal_name": format!("{org} Traders"), "registration": gstin,
        "admin_login": format!("{org}-admin"), "admin_password": "distributor password", "modules": modules,
    });
    let (status, body) = call(
        server,
        "POST",
        &format!("/api/v1/orgs/{COMPANY}/distributors"),
        Some(company_token),
        Some(body),
    )
    .await;
    assert!(status == 201 || status == 200, "{status} {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_same_distributor_twice_links_it_once() {
    let server = TestServer::start().await;
    company(&server);
    let company_token = token(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;

    let first = distributor(
        &server,
        &company_token,
        "north-dist",
        "27AAANB1111B1Z1",
        &["DMS", "PRM"],
    )
    .await;
    assert_eq!(first["created"], true);
    assert_eq!(first["admin"]["login"], "north-dist-admin");

    // Same GSTIN, other spelling and another proposed id: the same organisation, no new admin.
    let body = json!({"org_id": "north-2", "legal_name": "North Dist", "registration": "27aaanb1111b1z1",
                      "admin_login": "someone-else"});
    let (status, second) = call(
        &server,
        "POST",
        &format!("/api/v1/orgs/{COMPANY}/distributors"),
        Some(&company_token),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["created"], false);
    assert_eq!(second["organisation"]["org_id"], "north-dist");
    assert_eq!(second["admin"], Value::Null);

    let (_, links) = call(
        &server,
        "GET",
        &format!("/api/v1/orgs/{COMPANY}/links"),
        Some(&company_token),
        None,
    )
    .await;
    assert_eq!(
        links,
        json!([{"seller_org": COMPANY, "buyer_kind": "distributor", "buyer_id": "north-dist"}])
    );
    assert!(
        server
            .state
            .registry
            .organisation(&TenantId::new("north-2").unwrap())
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributor_without_prm_cannot_onboard_partners() {
    let server = TestServer::start().await;
    company(&server);
    let company_token = token(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    distributor(&server, &company_token, "dms-only", "27AAAND2222B1Z2", &["DMS"]).await;
    let admin_token = token(&server, "dms-only-admin", "distributor password").await;

    let body = json!({"party_id": "kirana-1", "legal_name": "Kirana One", "login": "kirana-1-owner"});
    let (status, problem) = call(
        &server,
        "POST",
        "/api/v1/orgs/dms-only/partners",
        Some(&admin_token),
        Some(body),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(problem["code"], "licence_module_missing");
    assert!(server.state.registry.login_record("kirana-1-owner").unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_of_two_distributors_has_one_login_and_two_grants() {
    let server = TestServer::start().await;
    company(&server);
    let company_token = token(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    for (org, gstin) in [("east-dist", "27AAANE3333B1Z3"), ("west-dist", "27AAANW4444B1Z4")] {
        distributor(&server, &company_token, org, gstin, &["DMS", "PRM"]).await;
        let admin_token = token(&server, &format!("{org}-admin"), "distributor password").await;
        let body = json!({"party_id": "kirana-7", "legal_name": "Kirana Seven", "registration": "27KIRANA7777Z",
                          "login": "kirana-7-owner", "password": "partner password"});
        let (status, onboarded) = call(
            &server,
            "POST",
            &format!("/api/v1/orgs/{org}/partners"),
            Some(&admin_token),
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{onboarded}");
    }

    let (status, logged_in) = login(&server, "kirana-7-owner", "partner password").await;
    assert_eq!(status, 200);
    let grants = &logged_in["grants"];
    assert_eq!(grants.as_array().unwrap().len(), 2);
    assert_eq!(grants[0]["org_id"], "east-dist");
    assert_eq!(grants[1]["org_id"], "west-dist");
    assert_eq!(grants[1]["party_id"], "kirana-7");

    // Two grants: the organisation must be named; each one answers; another company's does not.
    let partner_token = logged_in["access_token"].as_str().unwrap();
    let (status, problem) = call(&server, "GET", "/api/v1/documents", Some(partner_token), None).await;
    assert_eq!((status, problem["code"].clone()), (400, json!("org_required")));
    for org in ["east-dist", "west-dist"] {
        let (status, _) = call(
            &server,
            "GET",
            &format!("/api/v1/orgs/{org}/documents"),
            Some(partner_token),
            None,
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, problem) = call(
        &server,
        "GET",
        &format!("/api/v1/orgs/{COMPANY}/documents"),
        Some(partner_token),
        None,
    )
    .await;
    assert_eq!((status, problem["code"].clone()), (404, json!("org_not_found")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_licence_refuses_new_orders_but_old_data_stays_readable() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, owner_token) = server.partner_token(&tenant, "asha", "kirana-12");
    let phone = server.device("phone-a", &owner, &owner_token);
    phone.sync_now().await.unwrap();
    let old_cart = phone.create_cart(None).unwrap();
    phone
        .set_line(
            old_cart,
            &ProductId::new("DM-001").unwrap(),
            Quantity::new(2.into()).unwrap(),
        )
        .unwrap();
    phone.sync_now().await.unwrap();

    // The licence lapses: suspended today (the same path as an expired one).
    server
        .state
        .registry
        .set_licence_status(&tenant, LicenceStatus::Suspended)
        .unwrap();
    // The acting context is resolved per connection, so a new one sees the suspension.
    let new_cart = phone.create_cart(None).unwrap();
    let error = phone.sync_now().await.unwrap_err().to_string();
    assert!(error.contains("licence_suspended"), "{error}");
    let handle = server.state.hub.tenant(&tenant).unwrap();
    assert!(
        handle
            .lock()
            .store()
            .document_record(&DocumentId::for_cart(new_cart))
            .unwrap()
            .is_none()
    );

    // The old cart is still listed and readable.
    let (status, listed) = call(&server, "GET", "/api/v1/documents", Some(&owner_token), None).await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["document_id"], DocumentId::for_cart(old_cart).to_string());
    let mut peer = RawPeer::joined(&server.sync_url(), &owner_token).await;
    assert!(matches!(
        peer.request(DocumentId::for_cart(old_cart)).await,
        Some(Message::Sync { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_device_live_session_closes_within_a_second() {
    let server = TestServer::start().await;
    company(&server);
    let (status, logged_in) = login(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    assert_eq!(status, 200);
    let access_token = logged_in["access_token"].as_str().unwrap();
    let device_id = logged_in["device_id"].as_str().unwrap();

    let mut peer = RawPeer::joined(&server.sync_url(), access_token).await;
    let second_token = token(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    let started = Instant::now();
    let (status, _) = call(
        &server,
        "POST",
        &format!("/api/v1/devices/{device_id}/revoke"),
        Some(&second_token),
        None,
    )
    .await;
    assert_eq!(status, 204);

    match peer.receive().await {
        Some(Message::Error { message }) => assert!(message.contains("access revoked"), "{message}"),
        other => panic!("expected an error message, got {other:?}"),
    }
    assert!(peer.closed().await);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());

    // Its token is refused at once, the other device's still works.
    let (status, problem) = call(&server, "GET", "/api/v1/me", Some(access_token), None).await;
    assert_eq!((status, problem["code"].clone()), (401, json!("invalid_token")));
    let (status, _) = call(&server, "GET", "/api/v1/me", Some(&second_token), None).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_rate_limited_and_reveal_nothing() {
    let server = TestServer::start().await;
    company(&server);

    let (unknown_status, unknown) = login(&server, "nobody-here", "wrong password").await;
    let (wrong_status, wrong) = login(&server, "acme-admin", "wrong password").await;
    assert_eq!((unknown_status, wrong_status), (401, 401));
    assert_eq!(unknown, wrong);
    assert_eq!(wrong["code"], "invalid_credentials");

    for _ in 0..4 {
        assert_eq!(login(&server, "acme-admin", "wrong password").await.0, 401);
    }
    // Five failures for this login: even the right password waits now.
    let (status, problem) = login(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    assert_eq!(status, 429);
    assert_eq!(problem["code"], "too_many_attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_rotates_and_old_one_is_refused() {
    let server = TestServer::start().await;
    company(&server);
    let (_, logged_in) = login(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    let refresh = logged_in["refresh_token"].as_str().unwrap();

    let (status, pair) = call(
        &server,
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(pair["access_token"], logged_in["access_token"]);
    let (status, _) = call(&server, "GET", "/api/v1/me", pair["access_token"].as_str(), None).await;
    assert_eq!(status, 200);

    let (status, problem) = call(
        &server,
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!((status, problem["code"].clone()), (401, json!("invalid_token")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_is_served() {
    let server = TestServer::start().await;
    let (status, document) = call(&server, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/api/v1/auth/login"]["post"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_for_buyer_never_onboarded_is_refused() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (salesperson, token) = server.staff_token(&tenant, "ravi");
    // Onboarding a partner links it to the distributor.
    server.partner_token(&tenant, "asha", "kirana-12");
    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;

    let new_cart = |buyer: &str| {
        let cart_id = CartId::generate();
        let header = CartHeader {
            cart_id,
            tenant_id: tenant.clone(),
            buyer_id: PartyId::new(buyer).unwrap(),
            created_by: salesperson.user_id.clone(),
            created_at: Timestamp::now(),
        };
        let mut doc = Automerge::new();
        cart::create_cart(&mut doc, &header).unwrap();
        (DocumentId::for_cart(cart_id), doc)
    };

    let (ghost_id, mut ghost) = new_cart("ghost-shop");
    match peer.push(ghost_id, &mut ghost).await {
        PushOutcome::Refused(message) => assert!(
            message.contains("buyer ghost-shop is not a partner of distributor acme-dist"),
            "{message}"
        ),
        PushOutcome::Accepted => panic!("a cart for a buyer that was never onboarded was accepted"),
    }
    let handle = server.state.hub.tenant(&tenant).unwrap();
    assert!(handle.lock().store().document_record(&ghost_id).unwrap().is_none());

    let mut peer = RawPeer::joined(&server.sync_url(), &token).await;
    let (linked_id, mut linked) = new_cart("kirana-12");
    assert_eq!(peer.push(linked_id, &mut linked).await, PushOutcome::Accepted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_revokes_colleague_device_and_its_session_closes() {
    let server = TestServer::start().await;
    company(&server);
    let admin_token = token(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    let body = json!({"login": "acme-rep", "role": "company_sales_rep", "password": "sales rep password"});
    let (status, created) = call(
        &server,
        "POST",
        &format!("/api/v1/orgs/{COMPANY}/users"),
        Some(&admin_token),
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, rep) = login(&server, "acme-rep", "sales rep password").await;
    assert_eq!(status, 200);
    let rep_token = rep["access_token"].as_str().unwrap();
    let rep_device = rep["device_id"].as_str().unwrap();
    let mut rep_peer = RawPeer::joined(&server.sync_url(), rep_token).await;

    // The rep may neither list nor revoke the admin's devices: they read as not found.
    let (status, _) = call(&server, "GET", "/api/v1/devices?user=acme-admin", Some(rep_token), None).await;
    assert_eq!(status, 404);
    let (_, admin_devices) = call(&server, "GET", "/api/v1/devices", Some(&admin_token), None).await;
    let admin_device = admin_devices[0]["device_id"].as_str().unwrap();
    let (status, problem) = call(
        &server,
        "POST",
        &format!("/api/v1/devices/{admin_device}/revoke"),
        Some(rep_token),
        None,
    )
    .await;
    assert_eq!((status, problem["code"].clone()), (404, json!("not_found")));

    // The admin lists the rep's devices and revokes the rep's phone.
    let (status, listed) = call(
        &server,
        "GET",
        "/api/v1/devices?user=acme-rep",
        Some(&admin_token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["device_id"], rep_device);
    let (status, _) = call(
        &server,
        "POST",
        &format!("/api/v1/devices/{rep_device}/revoke"),
        Some(&admin_token),
        None,
    )
    .await;
    assert_eq!(status, 204);

    match rep_peer.receive().await {
        Some(Message::Error { message }) => assert!(message.contains("access revoked"), "{message}"),
        other => panic!("expected an error message, got {other:?}"),
    }
    assert!(rep_peer.closed().await);
    let (status, _) = call(&server, "GET", "/api/v1/me", Some(rep_token), None).await;
    assert_eq!(status, 401);
    let (status, _) = call(&server, "GET", "/api/v1/me", Some(&admin_token), None).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_token_in_query_is_percent_decoded() {
    let server = TestServer::start().await;
    company(&server);
    let access_token = token(&server, "acme-admin", COMPANY_ADMIN_PASSWORD).await;
    // Every byte escaped: only a server that decodes the query recognises the token.
    let encoded: String = access_token.bytes().map(|byte| format!("%{byte:02X}")).collect();

    let url = format!("{}?access_token={encoded}", server.sync_url());
    assert!(RawPeer::connect(&url, None).await.is_ok());
    let wrong = format!("{}?access_token=%00{encoded}", server.sync_url());
    assert_eq!(RawPeer::connect(&wrong, None).await.err(), Some(401));
}

/// A partner with a password login in a fresh distributor; returns its login response.
async fn partner_login(server: &TestServer) -> (TenantId, Value) {
    let tenant = server.tenant_with_catalog("acme-dist");
    let onboarding = admin::PartnerOnboarding {
        party_id: "kirana-12".to_owned(),
        legal_name: "Kirana Twelve".to_owned(),
        registration: None,
        login: "asha".to_owned(),
        password: Some("partner password".to_owned()),
    };
    admin::onboard_partner(&server.state, &tenant, &onboarding).unwrap();
    let (status, logged_in) = login(server, "asha", "partner password").await;
    assert_eq!(status, 200, "{logged_in}");
    (tenant, logged_in)
}

fn partner_device(server: &TestServer, tenant: &TenantId, access_token: &str, refresh_token: Option<&str>) -> Device {
    Device::open(
        &server.folder.path().join("devices").join("phone-a.sqlite"),
        DeviceConfig {
            server_url: server.url.clone(),
            access_token: access_token.to_owned(),
            refresh_token: refresh_token.map(str::to_owned),
            identity: DeviceIdentity {
                tenant_id: tenant.clone(),
                user_id: UserId::new("asha").unwrap(),
                party_id: Some(PartyId::new("kirana-12").unwrap()),
                device_id: "phone-a".to_owned(),
            },
        },
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_refreshes_rejected_token_and_keeps_new_pair() {
    let server = TestServer::start().await;
    let (tenant, logged_in) = partner_login(&server).await;
    let access_token = logged_in["access_token"].as_str().unwrap();
    let refresh_token = logged_in["refresh_token"].as_str().unwrap();
    // A logged-out token is rejected exactly like an expired one.
    let (status, _) = call(&server, "POST", "/api/v1/auth/logout", Some(access_token), None).await;
    assert_eq!(status, 204);

    let phone = partner_device(&server, &tenant, access_token, Some(refresh_token));
    phone.sync_now().await.unwrap();
    let cart_id = phone.create_cart(None).unwrap();
    phone
        .set_line(
            cart_id,
            &ProductId::new("DM-001").unwrap(),
            Quantity::new(2.into()).unwrap(),
        )
        .unwrap();
    phone.sync_now().await.unwrap();
    assert_eq!(phone.sync_status().unwrap().pending_documents, 0);
    drop(phone);

    // The login's refresh token was used up; the reopened device syncs with the stored pair.
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh_token})),
    )
    .await;
    assert_eq!(status, 401);
    let reopened = partner_device(&server, &tenant, access_token, Some(refresh_token));
    let report = reopened.sync_now().await.unwrap();
    assert_eq!(report.documents_unavailable, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_without_refresh_token_reports_rejected_token() {
    let server = TestServer::start().await;
    let (tenant, logged_in) = partner_login(&server).await;
    let access_token = logged_in["access_token"].as_str().unwrap();
    let (status, _) = call(&server, "POST", "/api/v1/auth/logout", Some(access_token), None).await;
    assert_eq!(status, 204);

    let phone = partner_device(&server, &tenant, access_token, None);
    let error = phone.sync_now().await.unwrap_err();
    assert!(matches!(error, DeviceError::Unauthorized(_)), "{error}");
}
