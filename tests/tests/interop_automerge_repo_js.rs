//! The JavaScript automerge-repo client (`@automerge/automerge-repo` and its WebSocket
//! network adapter, versions pinned in tests/interop/automerge-repo-js/package.json) syncs
//! carts with the dms server and with Rust devices.
//!
//! Each test starts a server on loopback and runs the Node.js peers in
//! tests/interop/automerge-repo-js with `node` from PATH. Each peer prints one JSON line.
//! The peers' packages must be installed first:
//! `npm ci --prefix tests/interop/automerge-repo-js` from the workspace root.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use dms_documents::DocumentId;
use dms_documents::cart::{CartStatus, CartView};
use dms_domain::{CartId, ProductId, Quantity, TenantId};
use dms_server::access::Principal;
use dms_tests::TestServer;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

/// Maximum run time of one Node.js peer. The peers bound each of their own waits to 15 s.
const PEER_TIMEOUT: Duration = Duration::from_secs(30);

const NPM_CI_HINT: &str = "run `npm ci --prefix tests/interop/automerge-repo-js` from the workspace root";

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

/// Returns the folder of the Node.js peers. Panics when their packages are not installed.
fn peers_folder() -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop/automerge-repo-js");
    let installed = folder.join("node_modules/@automerge/automerge-repo/package.json");
    assert!(
        installed.is_file(),
        "the automerge-repo JavaScript packages are not installed in {}: {NPM_CI_HINT}",
        folder.display()
    );
    folder
}

/// Runs `node <script> <arguments>` and returns its JSON result. Panics with its stderr when
/// it fails or runs longer than PEER_TIMEOUT.
async fn run_peer(script: &str, arguments: &[&str]) -> Value {
    let folder = peers_folder();
    let mut command = Command::new("node");
    command
        .arg(folder.join(script))
        .args(arguments)
        .current_dir(&folder)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let script_name = script.to_owned();
    // tokio's `process` feature is not enabled for this crate, so the child runs under
    // std::process on the blocking pool.
    let output = tokio::task::spawn_blocking(move || run_with_deadline(command, &script_name))
        .await
        .unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node {script} failed ({}):\nstderr: {stderr}\nstdout: {stdout}",
        output.status
    );

    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|error| {
        panic!("node {script} printed no JSON result ({error}):\nstdout: {stdout}\nstderr: {stderr}")
    })
}

/// Runs the command to completion, killing it after PEER_TIMEOUT.
fn run_with_deadline(mut command: Command, script: &str) -> Output {
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            panic!("node was not found on PATH: install Node.js 20 and {NPM_CI_HINT}")
        }
        Err(error) => panic!("could not start node {script}: {error}"),
    };
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());

    let deadline = Instant::now() + PEER_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
            panic!(
                "node {script} timed out after {} s; stderr: {stderr}",
                PEER_TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Converts the cart's lines to the JSON the JavaScript peers print, with every field as text.
fn lines_as_json(view: &CartView) -> Value {
    let lines = view
        .lines
        .values()
        .map(|line| {
            let mut fields = json!({
                "quantity": line.quantity.to_string(),
                "updated_by": line.updated_by.as_str(),
                "updated_at": line.updated_at.to_string(),
            });
            if let Some(price) = line.unit_price_seen {
                fields["unit_price_seen"] = json!(price.to_string());
            }
            (line.product_id.to_string(), fields)
        })
        .collect::<serde_json::Map<_, _>>();
    Value::Object(lines)
}

/// Reads a money or quantity field of a REST response, which the server writes as decimal text.
fn decimal(value: &Value) -> Decimal {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("expected decimal text, got {value}"));
    text.parse()
        .unwrap_or_else(|error| panic!("invalid decimal {text:?}: {error}"))
}

fn heads_as_json(heads: &[ChangeHash]) -> Value {
    let mut hashes: Vec<String> = heads.iter().map(ToString::to_string).collect();
    hashes.sort();
    json!(hashes)
}

fn server_heads(server: &TestServer, tenant: &TenantId, document_id: &DocumentId) -> Vec<ChangeHash> {
    let tenant = server.state.hub.tenant(tenant).unwrap();
    tenant.lock().document(document_id).unwrap().get_heads()
}

async fn get_json(server: &TestServer, path: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "GET {path} returned {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// A tenant whose partner "ravi" (party kirana-12) made and synced a cart from a Rust device
/// with DM-001 × 2 and DM-002 × 1.5.
struct RustCart {
    server: TestServer,
    tenant: TenantId,
    owner: Principal,
    owner_token: String,
    cart_id: CartId,
    document_id: DocumentId,
}

async fn rust_cart_on_server() -> RustCart {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, owner_token) = server.partner_token(&tenant, "ravi", "kirana-12");
    let phone = server.device("ravi-phone", &owner, &owner_token);
    phone.sync_now().await.unwrap();
    let cart_id = phone.create_cart(None).unwrap();
    phone.set_line(cart_id, &product("DM-001"), quantity("2")).unwrap();
    phone.set_line(cart_id, &product("DM-002"), quantity("1.5")).unwrap();
    phone.sync_now().await.unwrap();
    assert_eq!(phone.sync_status().unwrap().pending_documents, 0);

    RustCart {
        server,
        tenant,
        owner,
        owner_token,
        cart_id,
        document_id: DocumentId::for_cart(cart_id),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_client_edits_rust_cart() {
    let setup = rust_cart_on_server().await;
    let server = &setup.server;
    let phone = server.device("ravi-phone", &setup.owner, &setup.owner_token);
    let view_before = phone.cart(setup.cart_id).unwrap();
    let (_, js_token) = server.partner_token(&setup.tenant, "meena", "kirana-12");

    let result = run_peer(
        "find-and-edit.mjs",
        &[
            &server.sync_url(),
            &js_token,
            &setup.document_id.to_string(),
            "DM-001",
            "12.5",
            "meena",
        ],
    )
    .await;

    // The JS client saw the Rust device's lines with the exact text the device wrote.
    assert_eq!(result["documentId"], setup.document_id.to_string());
    assert_eq!(result["linesBefore"], lines_as_json(&view_before));
    assert_eq!(result["linesBefore"]["DM-002"]["quantity"], "1.5");
    assert_eq!(result["linesBefore"]["DM-001"]["unit_price_seen"], "172.50");
    assert_eq!(result["writtenKinds"]["quantity"], "scalar-string");
    assert_eq!(result["outcome"], "acknowledged");

    // The server has exactly the heads the JS client saw acknowledged.
    let heads_on_server = server_heads(server, &setup.tenant, &setup.document_id);
    assert_eq!(result["heads"], heads_as_json(&heads_on_server));

    // The Rust device syncs and reads the JS edit exactly; the other line is untouched.
    phone.sync_now().await.unwrap();
    let view_after = phone.cart(setup.cart_id).unwrap();
    let edited = &view_after.lines[&product("DM-001")];
    assert_eq!(edited.quantity.to_string(), "12.5");
    assert_eq!(edited.updated_by.as_str(), "meena");
    assert_eq!(edited.unit_price_seen, None);
    assert!(edited.conflicting_quantities.is_empty());
    assert_eq!(
        view_after.lines[&product("DM-002")],
        view_before.lines[&product("DM-002")]
    );
    assert_eq!(view_after.lines.len(), 2);
    assert_eq!(phone.document_heads(&setup.document_id), heads_on_server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_submission_makes_one_order_request() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("acme-dist");
    let (owner, owner_token) = server.partner_token(&tenant, "ravi", "kirana-12");
    let (_, js_token) = server.partner_token(&tenant, "meena", "kirana-12");
    let (_, staff_token) = server.staff_token(&tenant, "rep-anil");

    let result = run_peer(
        "create-cart.mjs",
        &[
            &server.sync_url(),
            &js_token,
            "acme-dist",
            "kirana-12",
            "meena",
            "DM-001",
            "2.5",
            "DM-002",
            "2",
        ],
    )
    .await;
    assert_eq!(result["outcome"], "acknowledged");
    let cart_id: CartId = result["cartId"].as_str().unwrap().parse().unwrap();
    let document_id = DocumentId::for_cart(cart_id);
    assert_eq!(result["documentId"], document_id.to_string());

    // Exactly one order request, priced from the catalog: 172.50 × 2.5 + 499.00 × 2.
    let orders = get_json(&server, "/api/v1/order-requests", &staff_token).await;
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    let order = &orders[0];
    assert_eq!(order["cart_id"], cart_id.to_string());
    assert_eq!(order["buyer_id"], "kirana-12");
    assert_eq!(order["created_by"], "meena");
    assert_eq!(order["submitted_by"], "meena");
    assert_eq!(decimal(&order["total"]), dec!(1429.25));
    assert_eq!(order["lines"][0]["product_id"], "DM-001");
    assert_eq!(order["lines"][0]["quantity"], "2.5");
    assert_eq!(decimal(&order["lines"][0]["line_total"]), dec!(431.25));
    assert_eq!(order["lines"][1]["product_id"], "DM-002");
    assert_eq!(order["lines"][1]["quantity"], "2");
    assert_eq!(decimal(&order["lines"][1]["line_total"]), dec!(998.00));
    assert_eq!(order["lines"].as_array().unwrap().len(), 2);

    let documents = get_json(&server, "/api/v1/documents", &owner_token).await;
    assert_eq!(
        documents,
        json!([{ "document_id": document_id.to_string(), "kind": "cart", "buyer_id": "kirana-12", "status": "submitted" }])
    );

    // A Rust device of the same partner syncs and reads the cart as submitted.
    let phone = server.device("ravi-phone", &owner, &owner_token);
    phone.sync_now().await.unwrap();
    let view = phone.cart(cart_id).unwrap();
    assert_eq!(view.status, CartStatus::Submitted);
    let submission = view.submission.as_ref().unwrap();
    assert_eq!(submission.submitted_by.as_str(), "meena");
    assert!(
        submission.device_id.starts_with("automerge-repo-js"),
        "{}",
        submission.device_id
    );
    assert_eq!(view.header.created_by.as_str(), "meena");
    assert_eq!(view.lines[&product("DM-001")].quantity.to_string(), "2.5");
    assert_eq!(view.lines[&product("DM-002")].quantity.to_string(), "2");
    assert_eq!(
        phone.document_heads(&document_id),
        server_heads(&server, &tenant, &document_id)
    );

    // The device offering its copy back makes no second order request.
    phone.sync_now().await.unwrap();
    let orders = get_json(&server, "/api/v1/order-requests", &staff_token).await;
    assert_eq!(orders.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_client_of_other_tenant_gets_unavailable() {
    let setup = rust_cart_on_server().await;
    let server = &setup.server;
    let heads_before = server_heads(server, &setup.tenant, &setup.document_id);
    // Same user and party names as the cart's owner, in another tenant.
    let other_tenant = server.tenant_with_catalog("other-dist");
    let (_, other_token) = server.partner_token(&other_tenant, "ravi", "kirana-12");

    let result = run_peer(
        "find-unavailable.mjs",
        &[&server.sync_url(), &other_token, &setup.document_id.to_string()],
    )
    .await;

    assert_eq!(result["handleState"], "unavailable");
    assert_eq!(result["serverSentDocUnavailable"], true);
    assert_eq!(get_json(server, "/api/v1/documents", &other_token).await, json!([]));
    assert_eq!(server_heads(server, &setup.tenant, &setup.document_id), heads_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_client_of_other_partner_gets_unavailable() {
    let setup = rust_cart_on_server().await;
    let server = &setup.server;
    let heads_before = server_heads(server, &setup.tenant, &setup.document_id);
    let (_, other_token) = server.partner_token(&setup.tenant, "mohan", "kirana-99");

    let result = run_peer(
        "find-unavailable.mjs",
        &[&server.sync_url(), &other_token, &setup.document_id.to_string()],
    )
    .await;

    assert_eq!(result["handleState"], "unavailable");
    assert_eq!(result["serverSentDocUnavailable"], true);
    assert_eq!(get_json(server, "/api/v1/documents", &other_token).await, json!([]));
    assert_eq!(server_heads(server, &setup.tenant, &setup.document_id), heads_before);
}

/// Runs a JS edit the server must refuse, checks that the server's copy is unchanged, and
/// returns the JS peer's result.
async fn refused_js_edit(product_id: &str, quantity_text: &str, quantity_as: &str) -> Value {
    let setup = rust_cart_on_server().await;
    let server = &setup.server;
    let phone = server.device("ravi-phone", &setup.owner, &setup.owner_token);
    let view_before = phone.cart(setup.cart_id).unwrap();
    let heads_before = server_heads(server, &setup.tenant, &setup.document_id);
    let (_, js_token) = server.partner_token(&setup.tenant, "meena", "kirana-12");

    let quantity_option = format!("--quantity-as={quantity_as}");
    let result = run_peer(
        "find-and-edit.mjs",
        &[
            &server.sync_url(),
            &js_token,
            &setup.document_id.to_string(),
            product_id,
            quantity_text,
            "meena",
            &quantity_option,
            "--expect=refused",
        ],
    )
    .await;
    assert_eq!(result["outcome"], "refused");
    assert_eq!(result["connectionClosed"], true);
    // The JS client keeps the refused change in its own copy.
    assert!(result["linesAfter"].get(product_id).is_some(), "{result}");

    // The server's copy is unchanged, and a second Rust device reads the original lines.
    assert_eq!(server_heads(server, &setup.tenant, &setup.document_id), heads_before);
    let (reader, reader_token) = server.partner_token(&setup.tenant, "ravi", "kirana-12");
    let second_phone = server.device("ravi-tablet", &reader, &reader_token);
    second_phone.sync_now().await.unwrap();
    assert_eq!(second_phone.cart(setup.cart_id).unwrap().lines, view_before.lines);
    assert_eq!(second_phone.document_heads(&setup.document_id), heads_before);
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_float_quantity_is_refused() {
    let result = refused_js_edit("DM-001", "2.5", "number").await;

    assert_eq!(result["writtenKinds"]["quantity"], "number");
    let error = result["serverError"].as_str().unwrap();
    assert!(error.contains("field lines.DM-001.quantity must be text"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_unknown_product_is_refused() {
    let result = refused_js_edit("DM-999", "1", "scalar-string").await;

    assert_eq!(result["writtenKinds"]["quantity"], "scalar-string");
    let error = result["serverError"].as_str().unwrap();
    assert!(error.contains("product DM-999 is not in the catalog"), "{error}");
}

/// automerge-js 3 stores a plain JS string as a collaborative Text object. The cart schema
/// takes scalar strings only, because concurrent edits inside one Text object would merge
/// character by character and could produce a quantity that no user entered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_text_object_quantity_is_refused() {
    let result = refused_js_edit("DM-001", "3", "text").await;

    assert_eq!(result["writtenKinds"]["quantity"], "text");
    let error = result["serverError"].as_str().unwrap();
    assert!(
        error.contains("field lines.DM-001.quantity must be a scalar string, not a Text object"),
        "{error}"
    );
}

/// Repo.create() gives a document random id bytes, so a JS client that follows the schema
/// writes a header.cart_id that its document id does not encode. Here the JS client reuses
/// the cart id of the Rust device's draft and submits first. A server that accepted this
/// would give the Rust device's cart an order request with the JS document's lines, and the
/// device's own submission would then make none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_cart_claiming_other_cart_id_is_refused() {
    let setup = rust_cart_on_server().await;
    let server = &setup.server;
    let (_, js_token) = server.partner_token(&setup.tenant, "meena", "kirana-12");
    let (_, staff_token) = server.staff_token(&setup.tenant, "rep-anil");
    let cart_option = format!("--cart-id={}", setup.cart_id);

    let result = run_peer(
        "create-cart.mjs",
        &[
            &server.sync_url(),
            &js_token,
            "acme-dist",
            "kirana-12",
            "meena",
            "DM-003",
            "5",
            "--document-id=repo-create",
            &cart_option,
            "--expect=any",
        ],
    )
    .await;
    assert_eq!(result["cartId"], setup.cart_id.to_string());
    assert_ne!(result["documentId"], setup.document_id.to_string());

    let orders = get_json(server, "/api/v1/order-requests", &staff_token).await;
    assert_eq!(
        result["outcome"], "refused",
        "server defect: it accepted document {} whose header.cart_id is {}, the cart id of document {}; \
         the server does not check that a cart's document id encodes its cart id. \
         Order requests now: {orders}",
        result["documentId"], setup.cart_id, setup.document_id
    );
    let error = result["serverError"].as_str().unwrap();
    assert!(error.contains(&setup.cart_id.to_string()), "{error}");

    // The Rust device's own submission makes the one order request, with its own lines.
    let phone = server.device("ravi-phone", &setup.owner, &setup.owner_token);
    phone.submit(setup.cart_id).unwrap();
    phone.sync_now().await.unwrap();
    let orders = get_json(server, "/api/v1/order-requests", &staff_token).await;
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["cart_id"], setup.cart_id.to_string());
    assert_eq!(decimal(&orders[0]["total"]), dec!(1093.50)); // 172.50 × 2 + 499.00 × 1.5
}
