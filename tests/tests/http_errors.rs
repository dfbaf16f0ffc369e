//! HTTP-level faults over a real loopback server: every rejection is problem+json with a
//! stable code, slow or idle connections are closed after the header-read timeout, and
//! failed logins from one address do not lock the account for another address.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use dms_server::access::Module;
use dms_server::admin;
use dms_tests::TestServer;
use serde_json::{Value, json};

const COMPANY_ADMIN: &str = "acme-admin";
const COMPANY_ADMIN_PASSWORD: &str = "company admin password";

/// A response's status, `Content-Type`, `Allow` and body parsed as JSON (or `null`).
struct Reply {
    status: u16,
    content_type: String,
    allow: Option<String>,
    body: Value,
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type").unwrap_or_default();
    let allow = header("allow");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        allow,
        body,
    }
}

/// Checks that `reply` is problem+json with `status` and `code`, and has a detail.
fn assert_problem(reply: &Reply, status: u16, code: &str, case: &str) {
    assert_eq!(reply.status, status, "{case}: {}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json", "{case}");
    assert_eq!(reply.body["code"], code, "{case}: {}", reply.body);
    assert_eq!(reply.body["status"], status, "{case}");
    assert!(
        reply.body["detail"].as_str().is_some_and(|detail| !detail.is_empty()),
        "{case}"
    );
}

fn login_url(server: &TestServer) -> String {
    format!("{}/api/v1/auth/login", server.url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_body_rejections_are_problems() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let json_body = |body: &'static str| {
        client
            .post(login_url(&server))
            .header("content-type", "application/json")
            .body(body)
    };

    let malformed = send(json_body("{\"login\": ")).await;
    assert_problem(&malformed, 400, "invalid_json", "malformed JSON");

    let list = send(json_body("[]")).await;
    assert_problem(&list, 422, "invalid_input", "JSON list");

    let empty = send(json_body("{}")).await;
    assert_problem(&empty, 422, "invalid_input", "empty object");
    assert!(
        empty.body["detail"].as_str().unwrap().contains("login"),
        "{}",
        empty.body
    );

    let form = send(
        client
            .post(login_url(&server))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("login=a&password=b"),
    )
    .await;
    assert_problem(&form, 415, "unsupported_media_type", "form body");

    let oversized = "x".repeat(dms_server::app::MAX_REQUEST_BODY_BYTES + 1024);
    let too_large = send(
        client
            .post(login_url(&server))
            .header("content-type", "application/json")
            .body(oversized),
    )
    .await;
    assert_problem(&too_large, 413, "payload_too_large", "oversized JSON body");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_and_raw_body_rejections_are_problems() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (_, token) = server.staff_token(&tenant, "ravi");
    let client = reqwest::Client::new();

    let bad_query = send(
        client
            .get(format!("{}/api/v1/catalog?since_version=abc", server.url))
            .bearer_auth(&token),
    )
    .await;
    assert_problem(&bad_query, 400, "invalid_query", "since_version=abc");
    assert!(bad_query.body["detail"].as_str().unwrap().contains("since_version"));

    // These handlers read the body as raw bytes or text, not through ApiJson; the body
    // limit still returns problem+json.
    let oversized = "x".repeat(dms_server::app::MAX_REQUEST_BODY_BYTES + 1024);
    for path in ["price-simulations", "partners/import"] {
        let too_large = send(
            client
                .post(format!("{}/api/v1/orgs/{tenant}/{path}", server.url))
                .bearer_auth(&token)
                .body(oversized.clone()),
        )
        .await;
        assert_problem(&too_large, 413, "payload_too_large", path);
    }

    // A plain GET on the sync endpoint is not a WebSocket upgrade.
    let not_upgrade = send(client.get(format!("{}/sync", server.url)).bearer_auth(&token)).await;
    assert!(not_upgrade.status >= 400, "{}", not_upgrade.status);
    assert_eq!(not_upgrade.content_type, "application/problem+json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_route_and_wrong_method_are_problems() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();

    let unknown = send(client.get(format!("{}/api/v1/no-such-route?access_token=secret", server.url))).await;
    assert_problem(&unknown, 404, "not_found", "unknown route");
    let detail = unknown.body["detail"].as_str().unwrap();
    assert!(detail.contains("/api/v1/no-such-route"), "{detail}");
    assert!(
        !detail.contains("secret"),
        "the query string must not be echoed: {detail}"
    );

    let get_login = send(client.get(login_url(&server))).await;
    assert_problem(&get_login, 405, "method_not_allowed", "GET on login");
    assert_eq!(get_login.allow.as_deref(), Some("POST"));

    let delete_schemes = send(client.delete(format!("{}/api/v1/orgs/acme/schemes", server.url))).await;
    assert_problem(&delete_schemes, 405, "method_not_allowed", "DELETE on schemes");
    let allow = delete_schemes.allow.unwrap();
    assert!(allow.contains("GET"), "{allow}");
    assert!(allow.contains("PUT"), "{allow}");
}

/// Parses the socket address of `server`, for raw sockets.
fn socket_address(server: &TestServer) -> SocketAddr {
    server.url.trim_start_matches("http://").parse().unwrap()
}

/// Reads from `stream` until the server closes it; returns what arrived and when the close
/// came. Fails if the connection is still open after `limit`.
fn read_until_closed(mut stream: TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return (received, started.elapsed()),
            Ok(count) => received.extend_from_slice(&buffer[..count]),
            // A reset after the timeout also means the server closed the connection.
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return (received, started.elapsed()),
            Err(error) => panic!("connection still open after {limit:?}: {error}"),
        }
        assert!(started.elapsed() < limit, "connection still open after {limit:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off() {
    let server = TestServer::start_configured(|state| state.header_read_timeout = Duration::from_secs(1)).await;
    let address = socket_address(&server);

    let (received, waited) = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        // Half a request: the blank line that ends the headers never comes.
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
            .unwrap();
        read_until_closed(stream, Duration::from_secs(10))
    })
    .await
    .unwrap();
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");
    assert!(
        waited >= Duration::from_millis(500),
        "closed too early, after {waited:?}"
    );
    let text = String::from_utf8_lossy(&received);
    assert!(!text.contains("200 OK"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_kept_alive_connection_is_closed() {
    let server = TestServer::start_configured(|state| state.header_read_timeout = Duration::from_secs(1)).await;
    let address = socket_address(&server);

    let (received, waited) = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        read_until_closed(stream, Duration::from_secs(10))
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(text.ends_with("ok"), "{text}");
    assert!(waited < Duration::from_secs(5), "closed after {waited:?}");
}

fn company(server: &TestServer) {
    admin::bootstrap_company(
        &server.state,
        Some("acme-foods"),
        "Acme Foods Ltd",
        "27AAACA1234A1Z5",
        COMPANY_ADMIN,
        COMPANY_ADMIN_PASSWORD,
        &[Module::Dms],
    )
    .unwrap();
}

/// Logs in as the company admin from `source`, a loopback address the client binds to.
async fn login_from(server: &TestServer, source: IpAddr, password: &str) -> Reply {
    let client = reqwest::Client::builder().local_address(source).build().unwrap();
    let body = json!({"login": COMPANY_ADMIN, "password": password, "device_name": "admin phone"});
    send(client.post(login_url(server)).json(&body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_elsewhere_do_not_lock_account() {
    let server = TestServer::start().await;
    company(&server);
    let attacker: IpAddr = "127.0.0.2".parse().unwrap();
    let owner: IpAddr = "127.0.0.1".parse().unwrap();

    for _ in 0..dms_server::throttle::PAIR_LIMIT {
        let failed = login_from(&server, attacker, "wrong password").await;
        assert_problem(&failed, 401, "invalid_credentials", "wrong password");
    }

    // The address that failed five times waits, even with the right password.
    let throttled = login_from(&server, attacker, COMPANY_ADMIN_PASSWORD).await;
    assert_problem(
        &throttled,
        429,
        "too_many_attempts",
        "sixth attempt from the same address",
    );

    // The account owner at another address still logs in.
    let owner_login = login_from(&server, owner, COMPANY_ADMIN_PASSWORD).await;
    assert_eq!(owner_login.status, 200, "{}", owner_login.body);
    assert!(owner_login.body["access_token"].is_string());
}
