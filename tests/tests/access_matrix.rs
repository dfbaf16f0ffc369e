//! The authorisation matrix: every role against every route of the route table and every
//! document kind, for its own records, another partner's, another distributor's and another
//! company's, over REST and over sync. The expected outcome of each case is worked out from
//! the table in `docs/access-control.md` (parsed here), the standings the same document
//! describes, and the fixture's grants, links and licences. No case has a hard-coded answer.
//!
//! The fixture network is built as a real one is: companies bootstrapped, distributors and
//! partners onboarded and staff created over REST, every user logged in with a password,
//! and documents written over the sync socket.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use dms_documents::DocumentId;
use dms_documents::cart::{self, CartHeader, EditContext};
use dms_documents::wire::Message;
use dms_domain::{CartId, PartyId, PlanId, ProductId, Quantity, ShipmentId, TenantId, Timestamp, UserId};
use dms_server::access::Module;
use dms_server::access::table::parse_doc_rows;
use dms_server::admin;
use dms_server::routes::ROUTES;
use dms_tests::TestServer;
use dms_tests::raw_peer::{PushOutcome, RawPeer};
use serde_json::{Value, json};

const ACCESS_DOC: &str = include_str!("../../docs/access-control.md");
const PASSWORD: &str = "matrix password 1";
/// An organisation id that is not registered. Denials of real organisations must look the same.
const NO_SUCH_ORG: &str = "zz-no-such-org";

// ---- the fixture, as plain data the expectations are computed from ----

struct Org {
    id: &'static str,
    /// The company a distributor is linked to; `None` for a company.
    company: Option<&'static str>,
    modules: &'static [&'static str],
}

const ORGS: &[Org] = &[
    Org {
        id: "co-a",
        company: None,
        modules: &["DMS"],
    },
    Org {
        id: "da1",
        company: Some("co-a"),
        modules: &["DMS", "PRM"],
    },
    Org {
        id: "da2",
        company: Some("co-a"),
        modules: &["DMS", "PRM"],
    },
    Org {
        id: "co-b",
        company: None,
        modules: &["DMS"],
    },
    Org {
        id: "db1",
        company: Some("co-b"),
        modules: &["DMS", "PRM"],
    },
];

/// Partners and the distributor that onboards each.
const PARTNERS: &[(&str, &str)] = &[
    ("pa1a", "da1"),
    ("pa1b", "da1"),
    ("pa2a", "da2"),
    ("pa2b", "da2"),
    ("pb1a", "db1"),
    ("pb1b", "db1"),
];

fn org(id: &str) -> &'static Org {
    ORGS.iter().find(|org| org.id == id).unwrap()
}

/// The network (company) an organisation belongs to.
fn company_of(id: &str) -> &'static str {
    let org = org(id);
    org.company.unwrap_or(org.id)
}

/// A login of the fixture: one grant, in `org`.
#[derive(Clone)]
struct User {
    login: String,
    role: &'static str,
    org: &'static str,
    party: Option<&'static str>,
    access_token: String,
}

impl User {
    fn id(&self) -> UserId {
        UserId::new(self.login.clone()).unwrap()
    }
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} of {})", self.role, self.login, self.org)
    }
}

/// The user's standing in `target` and the party it acts for there, as the "Standings"
/// and "Roles" tables of the document define them; `None` when nothing reaches `target`.
fn standing(user: &User, target: &str) -> Option<(&'static str, Option<String>)> {
    let target_org = org(target);
    if user.org == target {
        return Some(match user.party {
            Some(party) => ("buyer", Some(party.to_owned())),
            None => ("member", None),
        });
    }
    let company_role = matches!(user.role, "company_admin" | "company_sales_rep");
    if company_role && target_org.company == Some(user.org) {
        return Some(("overseer", None));
    }
    if user.role == "distributor_admin" && org(user.org).company == Some(target) {
        return Some(("buyer", Some(user.org.to_owned())));
    }
    None
}

/// The organisation whose licence governs `user` acting in `target`: the target itself for
/// a grant there, else the user's own organisation.
fn governing_licence(user: &User, target: &str) -> &'static [&'static str] {
    if user.org == target {
        org(target).modules
    } else {
        org(user.org).modules
    }
}

/// The facts of a record that scopes look at.
#[derive(Clone, Copy, Default)]
struct Facts<'a> {
    buyer: Option<&'a str>,
    owner: Option<&'a str>,
    /// Whether every grant of `owner` is in the organisation acted in.
    owner_in_org: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
    Allow,
    /// No grant or link reaches the organisation, so it is reported as not found.
    Unreachable,
    /// No row for the combination.
    NoRow,
    OutOfScope,
    LicenceModuleMissing,
}

impl Decision {
    fn allowed(&self) -> bool {
        *self == Decision::Allow
    }
}

struct DocRule {
    scope: String,
    modules: Vec<String>,
}

/// The rows of the table in `docs/access-control.md`, by (role, standing, kind, action).
struct AccessTable(HashMap<(String, String, String, String), DocRule>);

impl AccessTable {
    fn parse() -> AccessTable {
        let rows = parse_doc_rows(ACCESS_DOC);
        assert!(
            rows.len() > 50,
            "the access table in docs/access-control.md did not parse"
        );
        let mut table = HashMap::new();
        for [role, standing, kind, action, scope, modules] in rows {
            let modules = if modules == "-" {
                Vec::new()
            } else {
                modules.split('+').map(str::to_owned).collect()
            };
            table.insert((role, standing, kind, action), DocRule { scope, modules });
        }
        AccessTable(table)
    }

    /// Decides, from the document, whether `user` may do `action` to a `kind` record in `target`.
    fn decide(&self, user: &User, target: &str, kind: &str, action: &str, facts: Facts<'_>) -> Decision {
        let Some((standing, party)) = standing(user, target) else {
            return Decision::Unreachable;
        };
        let key = (
            user.role.to_owned(),
            standing.to_owned(),
            kind.to_owned(),
            action.to_owned(),
        );
        let Some(rule) = self.0.get(&key) else {
            return Decision::NoRow;
        };
        let in_scope = match rule.scope.as_str() {
            "any" => true,
            "own_party" => match facts.buyer {
                Some(buyer) => party.as_deref() == Some(buyer),
                None => facts.owner.is_none(),
            },
            "own_user" => match facts.owner {
                Some(owner) => owner == user.login,
                None => facts.buyer.is_none(),
            },
            "org_users" => match facts.owner {
                Some(owner) => owner == user.login || facts.owner_in_org,
                None => facts.buyer.is_none(),
            },
            other => panic!("unknown scope {other:?} in docs/access-control.md"),
        };
        if !in_scope {
            return Decision::OutOfScope;
        }
        let held = governing_licence(user, target);
        if rule.modules.iter().all(|module| held.contains(&module.as_str())) {
            Decision::Allow
        } else {
            Decision::LicenceModuleMissing
        }
    }
}

// ---- results ----

#[derive(Default)]
struct Tally {
    allowed: usize,
    denied: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Records one case: `expected` from the document, `actual` as observed.
    fn check(&mut self, case: &str, expected: &Decision, allowed: bool, actual: &str) {
        if expected.allowed() {
            self.allowed += 1;
        } else {
            self.denied += 1;
        }
        if expected.allowed() != allowed {
            let expected_text = if expected.allowed() {
                "allow".to_owned()
            } else {
                format!("deny ({expected:?})")
            };
            self.failures
                .push(format!("{case}: expected {expected_text}, got {actual}"));
        }
    }

    /// Records a failure that is not an allow/deny mismatch (a wrong denial form).
    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }
}

// ---- HTTP ----

struct Api {
    http: reqwest::Client,
    base: String,
}

enum Body {
    None,
    Json(Value),
    Text(String),
    /// A raw body, as a blob upload sends.
    Bytes(Vec<u8>),
}

impl Api {
    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Body) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let mut request = match method {
            "post" => self.http.post(url),
            "get" => self.http.get(url),
            "put" => self.http.put(url),
            "delete" => self.http.delete(url),
            other => panic!("no client for method {other}"),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match body {
            Body::None => request,
            Body::Json(value) => request.json(&value),
            Body::Text(text) => request.header("content-type", "text/csv").body(text),
            Body::Bytes(bytes) => request.header("content-type", "image/png").body(bytes),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn login(&self, login: &str) -> Value {
        let body = json!({"login": login, "password": PASSWORD, "device_name": format!("{login} phone")});
        let (status, body) = self.call("post", "/api/v1/auth/login", None, Body::Json(body)).await;
        assert_eq!(status, 200, "login {login}: {body}");
        body
    }
}

fn describe(status: u16, body: &Value) -> String {
    match body["code"].as_str() {
        Some(code) => format!("{status} {code}"),
        None => status.to_string(),
    }
}

// ---- building the network ----

struct Network {
    server: TestServer,
    api: Api,
    users: BTreeMap<String, User>,
    /// Documents written while seeding, per organisation.
    documents: Vec<SeedDocument>,
    /// Order requests made while seeding: (organisation, buyer).
    order_requests: Vec<(&'static str, String)>,
    table: AccessTable,
    counter: AtomicUsize,
    /// Field documents written while seeding.
    field_documents: Vec<FieldSeed>,
}

#[derive(Clone)]
struct SeedDocument {
    org: &'static str,
    id: DocumentId,
    doc: Automerge,
    /// The buyer of a cart; `None` for a document without a schema.
    buyer: Option<String>,
    owner: String,
    /// The user who seeded it, and so may seed more like it.
    seeder: String,
}

impl Network {
    fn user(&self, login: &str) -> &User {
        self.users.get(login).unwrap()
    }

    fn next(&self) -> usize {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn sync_url(&self, org: &str) -> String {
        format!("{}/api/v1/orgs/{org}/sync", self.api.base.replacen("http", "ws", 1))
    }
}

async fn build_network() -> Network {
    let server = TestServer::start().await;
    let api = Api {
        http: reqwest::Client::new(),
        base: server.url.clone(),
    };
    let mut logins: Vec<(String, &'static str, &'static str, Option<&'static str>)> = Vec::new();

    for (company, registration) in [("co-a", "27AAACA0001A1Z1"), ("co-b", "27AAACB0002B1Z2")] {
        let admin_login = format!("{company}-admin");
        admin::bootstrap_company(
            &server.state,
            Some(company),
            &format!("{company} Ltd"),
            registration,
            &admin_login,
            PASSWORD,
            &[Module::Dms],
        )
        .unwrap();
        logins.push((admin_login, "company_admin", company, None));
    }
    let company_tokens: HashMap<&str, String> = HashMap::from([
        (
            "co-a",
            api.login("co-a-admin").await["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        (
            "co-b",
            api.login("co-b-admin").await["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
    ]);

    // Distributors, onboarded by their company with DMS+PRM.
    for (index, org) in ORGS.iter().filter(|org| org.company.is_some()).enumerate() {
        let company = org.company.unwrap();
        let body = json!({
            "org_id": org.id, "legal_name": format!("{} Traders", org.id),
            "registration": format!("27AAAND{index:04}D1Z{index}"), "admin_login": format!("{}-admin", org.id),
            "admin_password": PASSWORD, "modules": org.modules,
        });
        let path = format!("/api/v1/orgs/{company}/distributors");
        let (status, body) = api
            .call("post", &path, Some(&company_tokens[company]), Body::Json(body))
            .await;
        assert_eq!(status, 201, "onboard {}: {body}", org.id);
        logins.push((format!("{}-admin", org.id), "distributor_admin", org.id, None));
    }
    for org in ORGS {
        let tenant = TenantId::new(org.id).unwrap();
        admin::import_catalog(&server.state, &tenant, dms_tests::BUILTIN_CATALOG.as_bytes()).unwrap();
    }

    // Staff, created over REST by each organisation's admin.
    let staff: &[(&str, &str, &str)] = &[
        ("co-a-rep", "company_sales_rep", "co-a"),
        ("co-a-clerk", "company_sales_rep", "co-a"),
        ("da1-sales", "distributor_salesperson", "da1"),
        ("da1-driver", "delivery_driver", "da1"),
        ("da1-clerk", "distributor_salesperson", "da1"),
        ("da2-sales", "distributor_salesperson", "da2"),
        ("db1-sales", "distributor_salesperson", "db1"),
    ];
    let mut admin_tokens: HashMap<&str, String> = company_tokens.clone();
    for org in ORGS.iter().filter(|org| org.company.is_some()) {
        let token = api.login(&format!("{}-admin", org.id)).await;
        admin_tokens.insert(org.id, token["access_token"].as_str().unwrap().to_owned());
    }
    for (login, role, org_id) in staff {
        let body = json!({"login": login, "role": role, "password": PASSWORD});
        let path = format!("/api/v1/orgs/{org_id}/users");
        let (status, body) = api
            .call("post", &path, Some(&admin_tokens[org_id]), Body::Json(body))
            .await;
        assert_eq!(status, 201, "create {login}: {body}");
        logins.push(((*login).to_owned(), role, org(org_id).id, None));
    }

    // Partners, onboarded by their distributor's admin.
    for (party, distributor) in PARTNERS {
        let login = format!("{party}-owner");
        let body = json!({"party_id": party, "legal_name": format!("{party} Stores"), "login": login,
                          "password": PASSWORD});
        let path = format!("/api/v1/orgs/{distributor}/partners");
        let (status, body) = api
            .call("post", &path, Some(&admin_tokens[distributor]), Body::Json(body))
            .await;
        assert_eq!(status, 201, "onboard {party}: {body}");
        logins.push((login, "partner_user", org(distributor).id, Some(party)));
    }

    let mut users = BTreeMap::new();
    for (login, role, org_id, party) in logins {
        let logged_in = api.login(&login).await;
        let user = User {
            login: login.clone(),
            role,
            org: org_id,
            party,
            access_token: logged_in["access_token"].as_str().unwrap().to_owned(),
        };
        users.insert(login, user);
    }

    let mut network = Network {
        server,
        api,
        users,
        documents: Vec::new(),
        order_requests: Vec::new(),
        table: AccessTable::parse(),
        counter: AtomicUsize::new(0),
        field_documents: Vec::new(),
    };
    seed_documents(&mut network).await;
    seed_field_documents(&mut network).await;
    network
}

/// Writes a draft cart (and a submitted one, for an order request) per buyer, and one
/// document without a schema per organisation, each by a user the table allows to.
async fn seed_documents(network: &mut Network) {
    let carts: &[(&str, &str, &str)] = &[
        ("co-a", "da1", "da1-admin"),
        ("co-a", "da2", "da2-admin"),
        ("co-b", "db1", "db1-admin"),
        ("da1", "pa1a", "pa1a-owner"),
        ("da1", "pa1b", "da1-clerk"),
        ("da2", "pa2a", "da2-sales"),
        ("db1", "pb1a", "db1-sales"),
    ];
    for (org_id, buyer, seeder) in carts {
        let seeder_user = network.user(seeder).clone();
        let (id, doc) = seed_cart(network, org(org_id).id, buyer, &seeder_user, false).await;
        network.documents.push(SeedDocument {
            org: org(org_id).id,
            id,
            doc,
            buyer: Some((*buyer).to_owned()),
            owner: (*seeder).to_owned(),
            seeder: (*seeder).to_owned(),
        });
        seed_cart(network, org(org_id).id, buyer, &seeder_user, true).await;
        network.order_requests.push((org(org_id).id, (*buyer).to_owned()));
    }
    let untyped: &[(&str, &str)] = &[
        ("co-a", "co-a-clerk"),
        ("da1", "da1-clerk"),
        ("da2", "da2-sales"),
        ("co-b", "co-b-admin"),
        ("db1", "db1-sales"),
    ];
    for (org_id, seeder) in untyped {
        let seeder_user = network.user(seeder).clone();
        let (id, mut doc) = new_untyped(&seeder_user);
        let mut peer = RawPeer::joined(&network.sync_url(org_id), &seeder_user.access_token).await;
        assert_eq!(
            peer.push(id, &mut doc).await,
            PushOutcome::Accepted,
            "seed untyped in {org_id}"
        );
        network.documents.push(SeedDocument {
            org: org(org_id).id,
            id,
            doc,
            buyer: None,
            owner: (*seeder).to_owned(),
            seeder: (*seeder).to_owned(),
        });
    }
}

fn edit_context(user: &User) -> EditContext {
    EditContext {
        user_id: user.id(),
        device_id: format!("{}-matrix", user.login),
        at: Timestamp::now(),
    }
}

/// A new cart in `org` for `buyer`, created by `creator`, with one line.
fn new_cart(org_id: &str, buyer: &str, creator: &User) -> (DocumentId, Automerge) {
    let cart_id = CartId::generate();
    let header = CartHeader {
        cart_id,
        tenant_id: TenantId::new(org_id).unwrap(),
        buyer_id: PartyId::new(buyer).unwrap(),
        created_by: creator.id(),
        created_at: Timestamp::now(),
    };
    let mut doc = Automerge::new();
    cart::create_cart(&mut doc, &header).unwrap();
    let context = edit_context(creator);
    let product = ProductId::new("DM-001").unwrap();
    cart::set_line(&mut doc, &product, Quantity::new(2.into()).unwrap(), None, &context).unwrap();
    (DocumentId::for_cart(cart_id), doc)
}

fn new_untyped(creator: &User) -> (DocumentId, Automerge) {
    let id = DocumentId::from_bytes(ulid::Ulid::generate().to_bytes());
    let mut doc = Automerge::new();
    let mut transaction = doc.transaction();
    transaction.put(ROOT, "note", format!("by {}", creator.login)).unwrap();
    transaction.commit();
    (id, doc)
}

/// Seeds a cart over sync as `seeder`; submitted when `submit`. Returns its id and document.
async fn seed_cart(
    network: &Network,
    org_id: &str,
    buyer: &str,
    seeder: &User,
    submit: bool,
) -> (DocumentId, Automerge) {
    let (id, mut doc) = new_cart(org_id, buyer, seeder);
    if submit {
        cart::submit(&mut doc, &edit_context(seeder)).unwrap();
    }
    let mut peer = RawPeer::joined(&network.sync_url(org_id), &seeder.access_token).await;
    let outcome = peer.push(id, &mut doc).await;
    assert_eq!(
        outcome,
        PushOutcome::Accepted,
        "seed cart in {org_id} for {buyer} by {seeder}"
    );
    (id, doc)
}

// ---- the REST matrix ----

/// The document's endpoint table: the (kind, action) row each organisation route uses.
fn endpoint_row(method: &str, path: &str) -> Option<(&'static str, &'static str)> {
    let row = match (method, path) {
        ("get", "/api/v1/orgs/{org}/catalog") => ("catalog", "read"),
        ("get", "/api/v1/orgs/{org}/documents") => ("documents", "read"),
        ("get", "/api/v1/orgs/{org}/order-requests") => ("order_request", "read"),
        ("get", "/api/v1/orgs/{org}/users") => ("users", "read"),
        ("post", "/api/v1/orgs/{org}/users") => ("users", "manage"),
        ("post", "/api/v1/orgs/{org}/users/{user}/revoke") => ("users", "manage"),
        ("put", "/api/v1/orgs/{org}/users/{user}/contact") => ("users", "manage"),
        ("get", "/api/v1/orgs/{org}/licences") => ("licences", "read"),
        ("post", "/api/v1/orgs/{org}/licences") => ("licences", "manage"),
        ("get", "/api/v1/orgs/{org}/links") => ("links", "read"),
        ("get", "/api/v1/orgs/{org}/licence-report") => ("licence_report", "read"),
        ("post", "/api/v1/orgs/{org}/distributors") => ("distributor_onboarding", "manage"),
        ("post", "/api/v1/orgs/{org}/partners") => ("partner_onboarding", "manage"),
        ("post", "/api/v1/orgs/{org}/partners/import") => ("partner_onboarding", "manage"),
        ("get", "/api/v1/orgs/{org}/catalog.csv") => ("catalog", "read"),
        ("get", "/api/v1/orgs/{org}/schemes") => ("catalog", "read"),
        ("put", "/api/v1/orgs/{org}/schemes") => ("catalog", "manage"),
        ("post", "/api/v1/orgs/{org}/price-simulations") => ("order_request", "read"),
        ("get", "/api/v1/orgs/{org}/visits") => ("visits", "read"),
        ("get", "/api/v1/orgs/{org}/reports/visits") => ("visits", "read"),
        ("get", "/api/v1/orgs/{org}/deliveries/{shipment}/report.html") => ("deliveries", "read"),
        ("get", "/api/v1/orgs/{org}/deliveries/{shipment}/report.pdf") => ("deliveries", "read"),
        ("get", "/api/v1/orgs/{org}/business-plans/{plan}/achievement") => ("business_plan", "read"),
        ("put", "/api/v1/orgs/{org}/blobs/{sha256}") => ("blobs", "create"),
        ("get", "/api/v1/orgs/{org}/blobs/{sha256}") => ("blobs", "read"),
        ("get", "/api/v1/orgs/{org}/categories")
        | ("get", "/api/v1/orgs/{org}/partner-groups")
        | ("get", "/api/v1/orgs/{org}/territories")
        | ("get", "/api/v1/orgs/{org}/price-lists")
        | ("get", "/api/v1/orgs/{org}/catalog-shares") => ("catalog_setup", "read"),
        ("put" | "delete", "/api/v1/orgs/{org}/categories/{category}")
        | ("put" | "delete", "/api/v1/orgs/{org}/partner-groups/{group}")
        | ("put" | "delete", "/api/v1/orgs/{org}/territories/{territory}")
        | ("put" | "delete", "/api/v1/orgs/{org}/price-lists/{price_list}")
        | ("put" | "delete", "/api/v1/orgs/{org}/catalog-shares/{share}")
        | ("put", "/api/v1/orgs/{org}/products/{product}/pricing") => ("catalog_setup", "manage"),
        ("post", "/api/v1/orgs/{org}/order-requests/{order_request}/decision") => ("sales_order", "manage"),
        ("get", "/api/v1/orgs/{org}/sales-orders") | ("get", "/api/v1/orgs/{org}/order-status") => {
            ("sales_order", "read")
        }
        ("post", "/api/v1/orgs/{org}/stock/receipts")
        | ("post", "/api/v1/orgs/{org}/sales-orders/{sales_order}/reservations") => ("stock", "manage"),
        ("post", "/api/v1/orgs/{org}/shipments") => ("shipment", "create"),
        ("post", "/api/v1/orgs/{org}/shipments/{shipment}/events") => ("shipment", "update"),
        ("get", "/api/v1/orgs/{org}/shipments") => ("shipment", "read"),
        ("post", "/api/v1/orgs/{org}/shipments/{shipment}/comments") => ("shipment", "read"),
        ("put", "/api/v1/orgs/{org}/shipments/{shipment}/delivery-visit") => ("shipment", "create"),
        ("post", "/api/v1/orgs/{org}/supply-entries")
        | ("post", "/api/v1/orgs/{org}/supply-entries/{entry}/receipt")
        | ("post", "/api/v1/orgs/{org}/fulfilment-plan/production") => ("stock", "manage"),
        ("get", "/api/v1/orgs/{org}/supply-entries")
        | ("get", "/api/v1/orgs/{org}/fulfilment-plan")
        | ("get", "/api/v1/orgs/{org}/delivery-plan") => ("stock", "read"),
        ("post", "/api/v1/orgs/{org}/invoices") | ("post", "/api/v1/orgs/{org}/credit-notes") => ("invoice", "manage"),
        ("get", "/api/v1/orgs/{org}/invoices")
        | ("get", "/api/v1/orgs/{org}/invoices/{invoice}/e-invoice.json")
        | ("get", "/api/v1/orgs/{org}/invoices.csv")
        | ("get", "/api/v1/orgs/{org}/credit-notes") => ("invoice", "read"),
        ("post", "/api/v1/orgs/{org}/payments") => ("payment", "manage"),
        ("get", "/api/v1/orgs/{org}/payments")
        | ("get", "/api/v1/orgs/{org}/payments.csv")
        | ("get", "/api/v1/orgs/{org}/receivables")
        | ("get", "/api/v1/orgs/{org}/statement") => ("payment", "read"),
        _ => return None,
    };
    Some(row)
}

/// The organisation route an older route (organisation in `?org=`) stands for.
fn legacy_alias(path: &str) -> Option<&'static str> {
    match path {
        "/api/v1/catalog" => Some("/api/v1/orgs/{org}/catalog"),
        "/api/v1/documents" => Some("/api/v1/orgs/{org}/documents"),
        "/api/v1/order-requests" => Some("/api/v1/orgs/{org}/order-requests"),
        _ => None,
    }
}

/// How an organisation's relation to `user` reads in a failure message.
fn relation(user: &User, target: &str) -> &'static str {
    if target == user.org {
        "own organisation"
    } else if company_of(target) != company_of(user.org) {
        "another company's organisation"
    } else if org(target).company.is_none() {
        "own company"
    } else if org(user.org).company.is_none() {
        "linked distributor"
    } else {
        "another distributor"
    }
}

/// Buyer a price simulation names: the user's own party, or any party for staff.
fn simulation_buyer(user: &User) -> &'static str {
    user.party.unwrap_or("matrix-buyer")
}

/// A decision body with valid party details: the seller is the target organisation.
fn matrix_decision(target: &str) -> Value {
    let party = |id: &str, gstin: &str| {
        json!({"party_id": id, "gstin": gstin, "legal_name": "Matrix Traders", "address": "1 Market Road",
               "place": "Pune", "location": {"state": "27", "district": "Pune", "pin": "411001"}})
    };
    json!({"decision": "accept_in_full",
           "seller": party(target, "27AAACA1234A1Z5"),
           "buyer": party("matrix-buyer", "27AAPFU0939F1ZV")})
}

/// The request an organisation route gets in one case, and the status a success has.
fn org_request(
    network: &Network,
    user: &User,
    method: &str,
    path: &str,
    target: &str,
    victim: Option<&str>,
) -> (String, Body, u16) {
    let mut url = path.replace("{org}", target);
    if let Some(victim) = victim {
        url = url.replace("{user}", victim);
    }
    let n = network.next();
    let (body, success) = match (method, path) {
        ("post", "/api/v1/orgs/{org}/users") => {
            let role = if org(target).company.is_none() {
                "company_sales_rep"
            } else {
                "delivery_driver"
            };
            (
                Body::Json(json!({"login": format!("made-{n}"), "role": role, "password": PASSWORD})),
                201,
            )
        }
        ("post", "/api/v1/orgs/{org}/users/{user}/revoke") => (Body::None, 204),
        ("put", "/api/v1/orgs/{org}/users/{user}/contact") => (
            Body::Json(json!({"name": format!("Matrix Driver {n}"), "phone": "98765 43210"})),
            200,
        ),
        ("post", "/api/v1/orgs/{org}/licences") => {
            let distributor = ORGS
                .iter()
                .find(|org| org.company == Some(target))
                .map_or("da1", |org| org.id);
            let body = json!({"org_id": distributor, "modules": ["DMS", "PRM"],
                              "valid_from": dms_server::registry::today(), "valid_to": "2099-12-31"});
            (Body::Json(body), 201)
        }
        ("post", "/api/v1/orgs/{org}/distributors") => {
            let body = json!({"org_id": format!("made-d{n}"), "legal_name": format!("Made {n} Traders"),
                              "registration": format!("MADE-D{n}"), "admin_login": format!("made-d{n}-admin"),
                              "admin_password": PASSWORD});
            (Body::Json(body), 201)
        }
        ("post", "/api/v1/orgs/{org}/partners") => {
            let body = json!({"party_id": format!("made-p{n}"), "legal_name": format!("Made {n} Stores"),
                              "login": format!("made-p{n}-owner"), "password": PASSWORD});
            (Body::Json(body), 201)
        }
        ("post", "/api/v1/orgs/{org}/partners/import") => {
            let csv = format!("party_id,legal_name,registration,login\nmade-i{n},Made {n} Stores,,made-i{n}-owner\n");
            (Body::Text(csv), 200)
        }
        // An empty book: replacing it with itself changes no other case.
        ("put", "/api/v1/orgs/{org}/schemes") => (Body::Json(json!([])), 200),
        // A draft without lines needs no pricing data; the supplier's state comes from the
        // organisation's GSTIN.
        ("post", "/api/v1/orgs/{org}/price-simulations") => {
            let body = json!({"id": format!("draft-{n}"), "date": "2026-01-01",
                              "parties": {"distributor_id": target, "partner_id": simulation_buyer(user)},
                              "supply": {"supplier_state": "27", "bill_to_state": "27", "ship_to_state": "27"},
                              "lines": []});
            (Body::Json(body), 200)
        }
        ("get", "/api/v1/orgs/{org}/licence-report") => {
            url.push_str("?from=2020-01-01&to=2099-12-31");
            (Body::None, 200)
        }
        ("get", "/api/v1/orgs/{org}/reports/visits") => {
            url.push_str(&format!("?rep={}&date=2026-11-20", user.login));
            (Body::None, 200)
        }
        // Records that do not exist: past the table, the answer is 404 `not_found`.
        ("get", "/api/v1/orgs/{org}/deliveries/{shipment}/report.html")
        | ("get", "/api/v1/orgs/{org}/deliveries/{shipment}/report.pdf") => {
            url = url.replace("{shipment}", &ShipmentId::generate().to_string());
            (Body::None, 404)
        }
        ("get", "/api/v1/orgs/{org}/business-plans/{plan}/achievement") => {
            url = url.replace("{plan}", &PlanId::generate().to_string());
            (Body::None, 404)
        }
        ("get", "/api/v1/orgs/{org}/blobs/{sha256}") => {
            url = url.replace("{sha256}", &"0".repeat(64));
            (Body::None, 404)
        }
        ("put", "/api/v1/orgs/{org}/blobs/{sha256}") => {
            let bytes = format!("matrix blob {n}").into_bytes();
            url = url.replace("{sha256}", &hex_sha256(&bytes));
            (Body::Bytes(bytes), 201)
        }
        // Catalog set-up: new records under fresh ids, and deletes of records that do not
        // exist (404 `not_found` past the table). A share of every product with everyone
        // keeps every buyer's catalog whole for the other cases.
        ("put", "/api/v1/orgs/{org}/categories/{category}") => {
            url = url.replace("{category}", &format!("matrix-category-{n}"));
            (Body::Json(json!({"name": format!("Matrix {n}")})), 200)
        }
        ("put", "/api/v1/orgs/{org}/partner-groups/{group}") => {
            url = url.replace("{group}", &format!("matrix-group-{n}"));
            (Body::Json(json!({"name": format!("Matrix {n}"), "members": []})), 200)
        }
        ("put", "/api/v1/orgs/{org}/territories/{territory}") => {
            url = url.replace("{territory}", &format!("matrix-territory-{n}"));
            (Body::Json(json!({"name": format!("Matrix {n}"), "members": []})), 200)
        }
        ("put", "/api/v1/orgs/{org}/price-lists/{price_list}") => {
            url = url.replace("{price_list}", &format!("matrix-list-{n}"));
            (Body::Json(json!({"name": format!("Matrix {n}")})), 200)
        }
        ("put", "/api/v1/orgs/{org}/catalog-shares/{share}") => {
            url = url.replace("{share}", &format!("matrix-share-{n}"));
            (
                Body::Json(json!({"to": {"kind": "everyone"}, "all_products": true})),
                200,
            )
        }
        ("put", "/api/v1/orgs/{org}/products/{product}/pricing") => {
            url = url.replace("{product}", "matrix-no-such-product");
            (Body::Json(json!({"base_unit": "piece"})), 404)
        }
        ("delete", _) => {
            for parameter in ["{category}", "{group}", "{territory}", "{price_list}", "{share}"] {
                url = url.replace(parameter, "matrix-no-such-record");
            }
            (Body::None, 404)
        }
        // Order to cash: writes that name a record that does not exist are 404 `not_found`
        // past the table; a stock receipt without lines and a cash payment on account succeed.
        ("post", "/api/v1/orgs/{org}/order-requests/{order_request}/decision") => {
            url = url.replace("{order_request}", &ulid::Ulid::generate().to_string());
            (Body::Json(matrix_decision(target)), 404)
        }
        ("post", "/api/v1/orgs/{org}/stock/receipts") => {
            (Body::Json(json!({"warehouse": "WH-MATRIX", "lines": []})), 200)
        }
        ("post", "/api/v1/orgs/{org}/sales-orders/{sales_order}/reservations") => {
            url = url.replace("{sales_order}", &ulid::Ulid::generate().to_string());
            (Body::Json(json!({"warehouses": ["WH-MATRIX"]})), 404)
        }
        ("post", "/api/v1/orgs/{org}/shipments") => {
            let body = json!({"sales_order_id": ulid::Ulid::generate().to_string(), "warehouse": "WH-MATRIX",
                              "planned_dispatch_on": "2026-05-05", "planned_delivery_on": "2026-05-06",
                              "transport": {"mode": "road", "vehicle_number": "MH 12 AB 1234"}});
            (Body::Json(body), 404)
        }
        ("post", "/api/v1/orgs/{org}/shipments/{shipment}/events") => {
            url = url.replace("{shipment}", &ShipmentId::generate().to_string());
            (Body::Json(json!({"event": "in_transit"})), 404)
        }
        ("post", "/api/v1/orgs/{org}/shipments/{shipment}/comments") => {
            url = url.replace("{shipment}", &ShipmentId::generate().to_string());
            (Body::Json(json!({"text": "matrix comment"})), 404)
        }
        ("put", "/api/v1/orgs/{org}/shipments/{shipment}/delivery-visit") => {
            url = url.replace("{shipment}", &ShipmentId::generate().to_string());
            let body = json!({"representative": user.login, "arrive_from": "2026-05-06T10:00:00+05:30",
                              "arrive_to": "2026-05-06T12:00:00+05:30"});
            (Body::Json(body), 404)
        }
        // No case makes a sales order, so there is no shortfall and production raises nothing.
        ("post", "/api/v1/orgs/{org}/supply-entries") => {
            let body = json!({"product_id": "DM-001", "quantity": "5", "expected_on": "2026-06-01",
                              "source": "purchase"});
            (Body::Json(body), 201)
        }
        ("post", "/api/v1/orgs/{org}/fulfilment-plan/production") => {
            (Body::Json(json!({"expected_on": "2026-06-01"})), 200)
        }
        ("post", "/api/v1/orgs/{org}/supply-entries/{entry}/receipt") => {
            url = url.replace("{entry}", &ulid::Ulid::generate().to_string());
            (Body::Json(json!({"warehouse": "WH-MATRIX", "quantity": "1"})), 404)
        }
        ("get", "/api/v1/orgs/{org}/delivery-plan") => {
            url.push_str("?dispatch_on=2026-06-01");
            (Body::None, 200)
        }
        ("post", "/api/v1/orgs/{org}/invoices") => {
            let body = json!({"shipment_id": ShipmentId::generate().to_string()});
            (Body::Json(body), 404)
        }
        ("post", "/api/v1/orgs/{org}/credit-notes") => {
            let body = json!({"invoice_id": ulid::Ulid::generate().to_string(), "reason": "damage", "lines": []});
            (Body::Json(body), 404)
        }
        ("post", "/api/v1/orgs/{org}/payments") => {
            let body = json!({"buyer_id": simulation_buyer(user), "mode": "cash", "received_on": "2026-05-20",
                              "amount": "1.00"});
            (Body::Json(body), 201)
        }
        ("get", "/api/v1/orgs/{org}/invoices/{invoice}/e-invoice.json") => {
            url = url.replace("{invoice}", &ulid::Ulid::generate().to_string());
            (Body::None, 404)
        }
        ("get", "/api/v1/orgs/{org}/receivables") => {
            url.push_str("?as_of=2026-06-30");
            (Body::None, 200)
        }
        ("get", "/api/v1/orgs/{org}/statement") => {
            url.push_str(&format!(
                "?buyer={}&from=2026-04-01&to=2026-06-30",
                simulation_buyer(user)
            ));
            (Body::None, 200)
        }
        ("get", "/api/v1/orgs/{org}/order-status") => {
            url.push_str(&format!("?buyer={}", simulation_buyer(user)));
            (Body::None, 200)
        }
        ("get", _) => (Body::None, 200),
        (method, path) => panic!("no request body for {method} {path}"),
    };
    (url, body, success)
}

/// Every route of the route table for `user`, against every organisation it could name.
async fn rest_cases(network: Arc<Network>, login: String) -> Tally {
    let user = network.user(&login).clone();
    let api = &network.api;
    let token = user.access_token.as_str();
    let mut tally = Tally::default();

    for route in ROUTES {
        let (method, path) = (route.method, route.path);
        match (method, path) {
            ("get", "/health") | ("get", "/api/v1/openapi.json") => {
                let (status, _) = api.call(method, path, None, Body::None).await;
                tally.check(
                    &format!("{user}: {method} {path}"),
                    &Decision::Allow,
                    status == 200,
                    &status.to_string(),
                );
            }
            ("post", "/api/v1/auth/login") => {
                let body = json!({"login": user.login, "password": PASSWORD});
                let (status, body) = api.call(method, path, None, Body::Json(body)).await;
                tally.check(
                    &format!("{user}: {method} {path}"),
                    &Decision::Allow,
                    status == 200,
                    &describe(status, &body),
                );
            }
            ("post", "/api/v1/auth/refresh") => {
                // A login of its own, so rotating its refresh token disturbs no other case.
                let logged_in = api.login(&user.login).await;
                let body = json!({"refresh_token": logged_in["refresh_token"]});
                let (status, body) = api.call(method, path, None, Body::Json(body)).await;
                tally.check(
                    &format!("{user}: {method} {path}"),
                    &Decision::Allow,
                    status == 200,
                    &describe(status, &body),
                );
            }
            ("post", "/api/v1/auth/logout") => {
                let logged_in = api.login(&user.login).await;
                let access_token = logged_in["access_token"].as_str();
                let (status, body) = api.call(method, path, access_token, Body::None).await;
                tally.check(
                    &format!("{user}: {method} {path}"),
                    &Decision::Allow,
                    status == 204,
                    &describe(status, &body),
                );
                let (status, _) = api.call("get", "/api/v1/me", access_token, Body::None).await;
                if status != 401 {
                    tally.fail(format!("{user}: a logged-out token still answers {status} on /me"));
                }
            }
            ("get", "/api/v1/me") => {
                let (status, body) = api.call(method, path, Some(token), Body::None).await;
                tally.check(
                    &format!("{user}: {method} {path}"),
                    &Decision::Allow,
                    status == 200,
                    &describe(status, &body),
                );
            }
            ("get", "/api/v1/devices") => device_list_cases(&network, &user, &mut tally).await,
            ("post", "/api/v1/devices/{device}/revoke") => device_revoke_cases(&network, &user, &mut tally).await,
            ("get", "/sync") | ("get", "/api/v1/orgs/{org}/sync") => {
                for target in ORGS.iter().map(|org| org.id).chain([NO_SUCH_ORG]) {
                    let base = network.api.base.replacen("http", "ws", 1);
                    let url = match path {
                        "/sync" => format!("{base}/sync?org={target}"),
                        _ => format!("{base}/api/v1/orgs/{target}/sync"),
                    };
                    let outcome = RawPeer::connect(&url, Some(token)).await.map(|_| 101);
                    let status = outcome.unwrap_or_else(|status| status);
                    let expected = if target != NO_SUCH_ORG && standing(&user, target).is_some() {
                        Decision::Allow
                    } else {
                        Decision::Unreachable
                    };
                    let case = format!("{user}: sync upgrade {path} in {target}");
                    tally.check(&case, &expected, status == 101, &status.to_string());
                    if !expected.allowed() && status != 404 {
                        tally.fail(format!("{case}: a denied upgrade must be 404, got {status}"));
                    }
                }
            }
            _ => {
                let (org_path, legacy) = match legacy_alias(path) {
                    Some(alias) => (alias, true),
                    None => (path, false),
                };
                let Some((kind, action)) = endpoint_row(method, org_path) else {
                    panic!("route {method} {path} has no case in the access matrix: add one");
                };
                for target in ORGS.iter().map(|org| org.id) {
                    org_route_case(
                        &network,
                        &user,
                        method,
                        path,
                        org_path,
                        legacy,
                        (kind, action),
                        target,
                        &mut tally,
                    )
                    .await;
                }
            }
        }
    }
    tally
}

#[allow(clippy::too_many_arguments)]
async fn org_route_case(
    network: &Network,
    user: &User,
    method: &str,
    path: &str,
    org_path: &str,
    legacy: bool,
    (kind, action): (&str, &str),
    target: &'static str,
    tally: &mut Tally,
) {
    let api = &network.api;
    let victim = if org_path.starts_with("/api/v1/orgs/{org}/users/{user}/") {
        let login = format!("victim-{}", network.next());
        let role = if org(target).company.is_none() {
            dms_server::access::Role::CompanySalesRep
        } else {
            dms_server::access::Role::DeliveryDriver
        };
        admin::create_staff_user(
            &network.server.state,
            &TenantId::new(target).unwrap(),
            &login,
            Some(PASSWORD),
            role,
            None,
        )
        .unwrap();
        Some(login)
    } else {
        None
    };
    let (mut url, body, success) = org_request(network, user, method, org_path, target, victim.as_deref());
    if legacy {
        url = format!("{path}?org={target}");
    }
    let expected = if kind == "documents" {
        // The list itself needs no row: each document in it is checked on its own.
        if standing(user, target).is_some() {
            Decision::Allow
        } else {
            Decision::Unreachable
        }
    } else {
        let facts = match org_path {
            "/api/v1/orgs/{org}/price-simulations"
            | "/api/v1/orgs/{org}/statement"
            | "/api/v1/orgs/{org}/order-status" => Facts {
                buyer: Some(simulation_buyer(user)),
                ..Facts::default()
            },
            "/api/v1/orgs/{org}/reports/visits" | "/api/v1/orgs/{org}/blobs/{sha256}"
                if kind != "blobs" || action == "create" =>
            {
                Facts {
                    owner: Some(&user.login),
                    ..Facts::default()
                }
            }
            _ => Facts::default(),
        };
        network.table.decide(user, target, kind, action, facts)
    };
    let case = format!("{user}: {method} {path} in {target} ({})", relation(user, target));
    let (status, response) = api.call(method, &url, Some(&user.access_token), body).await;
    // A success of 404 means "allowed, and the record does not exist": not the 404 of an
    // organisation out of reach.
    let succeeded = status == success && response["code"] != "org_not_found";
    tally.check(&case, &expected, succeeded, &describe(status, &response));

    match &expected {
        Decision::Unreachable => {
            assert_denial_hides_existence(network, user, method, &url, target, status, &response, &case, tally).await;
        }
        Decision::NoRow | Decision::OutOfScope if status != 403 || response["code"] != "forbidden" => {
            tally.fail(format!(
                "{case}: a denial by the table must be 403 forbidden, got {}",
                describe(status, &response)
            ));
        }
        Decision::LicenceModuleMissing if response["code"] != "licence_module_missing" => {
            tally.fail(format!(
                "{case}: expected licence_module_missing, got {}",
                describe(status, &response)
            ));
        }
        _ => {}
    }
    if company_of(target) != company_of(user.org) && status < 400 {
        tally.fail(format!("{case}: a cross-company request succeeded with {status}"));
    }

    if let Some(victim) = victim.filter(|_| org_path.ends_with("/revoke")) {
        let revoked = network
            .server
            .state
            .registry
            .grants(&UserId::new(victim.clone()).unwrap())
            .unwrap()
            .is_empty();
        if revoked != expected.allowed() {
            tally.fail(format!(
                "{case}: user {victim} revoked is {revoked}, expected {}",
                expected.allowed()
            ));
        }
    }
    if status == 200 && kind == "documents" {
        check_document_list(network, user, target, &response, &case, tally);
    }
    if status == 200 && org_path == "/api/v1/orgs/{org}/order-requests" {
        check_order_request_list(network, user, target, &response, &case, tally);
    }
}

/// A denial of an organisation out of reach must read exactly like one of an organisation
/// that does not exist.
#[allow(clippy::too_many_arguments)]
async fn assert_denial_hides_existence(
    network: &Network,
    user: &User,
    method: &str,
    url: &str,
    target: &str,
    status: u16,
    response: &Value,
    case: &str,
    tally: &mut Tally,
) {
    if status != 404 || response["code"] != "org_not_found" {
        tally.fail(format!(
            "{case}: an organisation out of reach must be 404 org_not_found, got {}",
            describe(status, response)
        ));
        return;
    }
    let fake_url = url.replace(target, NO_SUCH_ORG);
    let body = match method {
        "post" => Body::Json(json!({})),
        _ => Body::None,
    };
    let (fake_status, fake) = network
        .api
        .call(method, &fake_url, Some(&user.access_token), body)
        .await;
    let detail = response["detail"]
        .as_str()
        .unwrap_or_default()
        .replace(target, NO_SUCH_ORG);
    if fake_status != status || fake["code"] != response["code"] || fake["detail"].as_str() != Some(detail.as_str()) {
        tally.fail(format!(
            "{case}: the denial differs from a missing organisation's: {response} vs {fake}"
        ));
    }
}

fn check_document_list(network: &Network, user: &User, target: &str, listed: &Value, case: &str, tally: &mut Tally) {
    let listed: BTreeSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|summary| summary["document_id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = network
        .documents
        .iter()
        .filter(|document| document.org == target)
        .filter(|document| {
            let (kind, facts) = match &document.buyer {
                Some(buyer) => (
                    "cart",
                    Facts {
                        buyer: Some(buyer),
                        ..Facts::default()
                    },
                ),
                None => (
                    "untyped",
                    Facts {
                        owner: Some(&document.owner),
                        ..Facts::default()
                    },
                ),
            };
            network.table.decide(user, target, kind, "read", facts).allowed()
        })
        .map(|document| document.id.to_string())
        .collect();
    // Submitted seed carts are listed too; compare only the documents the model tracks.
    let tracked: BTreeSet<String> = network
        .documents
        .iter()
        .map(|document| document.id.to_string())
        .collect();
    let listed: BTreeSet<String> = listed.intersection(&tracked).cloned().collect();
    if listed != expected {
        tally.fail(format!("{case}: listed documents {listed:?}, expected {expected:?}"));
    }
}

fn check_order_request_list(
    network: &Network,
    user: &User,
    target: &str,
    listed: &Value,
    case: &str,
    tally: &mut Tally,
) {
    let listed: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|order| order["buyer_id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = network
        .order_requests
        .iter()
        .filter(|(org_id, buyer)| {
            *org_id == target
                && network
                    .table
                    .decide(
                        user,
                        target,
                        "order_request",
                        "read",
                        Facts {
                            buyer: Some(buyer),
                            ..Facts::default()
                        },
                    )
                    .allowed()
        })
        .map(|(_, buyer)| buyer.clone())
        .collect();
    let (mut listed, mut expected) = (listed, expected);
    listed.sort();
    expected.sort();
    if listed != expected {
        tally.fail(format!(
            "{case}: listed order requests for {listed:?}, expected {expected:?}"
        ));
    }
}

/// Users whose devices are targets: the user itself, a colleague, a partner of a
/// distributor of its network, another distributor's staff and another company's.
const DEVICE_OWNERS: &[&str] = &[
    "co-a-clerk",
    "da1-clerk",
    "pa1b-owner",
    "da2-sales",
    "co-b-admin",
    "db1-sales",
];

fn device_owners(user: &User) -> Vec<String> {
    let mut owners = vec![user.login.clone()];
    owners.extend(DEVICE_OWNERS.iter().map(|owner| (*owner).to_owned()));
    owners
}

async fn device_list_cases(network: &Network, user: &User, tally: &mut Tally) {
    for owner in device_owners(user) {
        let owner_user = network.user(&owner);
        let facts = Facts {
            owner: Some(&owner),
            owner_in_org: owner_user.org == user.org,
            ..Facts::default()
        };
        let expected = network.table.decide(user, user.org, "devices", "read", facts);
        let case = format!("{user}: list devices of {owner_user}");
        let path = format!("/api/v1/devices?user={owner}");
        let (status, listed) = network
            .api
            .call("get", &path, Some(&user.access_token), Body::None)
            .await;
        tally.check(&case, &expected, status == 200, &describe(status, &listed));
        if status == 200
            && listed
                .as_array()
                .unwrap()
                .iter()
                .any(|device| device["user_id"] != owner.as_str())
        {
            tally.fail(format!("{case}: listed another user's device: {listed}"));
        }
        if !expected.allowed() && (status != 404 || listed["code"] != "not_found") {
            tally.fail(format!(
                "{case}: a device out of reach must be 404 not_found, got {}",
                describe(status, &listed)
            ));
        }
    }
}

async fn device_revoke_cases(network: &Network, user: &User, tally: &mut Tally) {
    let registry = &network.server.state.registry;
    for owner in device_owners(user) {
        let owner_user = network.user(&owner);
        let device_id = registry
            .register_device(&owner_user.id(), "matrix target", None)
            .unwrap();
        let facts = Facts {
            owner: Some(&owner),
            owner_in_org: owner_user.org == user.org,
            ..Facts::default()
        };
        let expected = network.table.decide(user, user.org, "devices", "manage", facts);
        let case = format!("{user}: revoke a device of {owner_user}");
        let path = format!("/api/v1/devices/{device_id}/revoke");
        let (status, response) = network
            .api
            .call("post", &path, Some(&user.access_token), Body::None)
            .await;
        tally.check(&case, &expected, status == 204, &describe(status, &response));
        let revoked = registry.device(&device_id).unwrap().unwrap().revoked;
        if revoked != expected.allowed() {
            tally.fail(format!(
                "{case}: device revoked is {revoked}, expected {}",
                expected.allowed()
            ));
        }
        if !expected.allowed() && (status != 404 || response["code"] != "not_found") {
            tally.fail(format!(
                "{case}: a device out of reach must be 404 not_found, got {}",
                describe(status, &response)
            ));
        }
    }
}

// ---- the sync matrix ----

/// Opens a sync session as `user` in `target`; `Err` carries the upgrade's status.
async fn join(network: &Network, user: &User, target: &str) -> Result<RawPeer, u16> {
    let mut peer = RawPeer::connect(&network.sync_url(target), Some(&user.access_token)).await?;
    let join = Message::Join {
        sender_id: peer.peer_id.clone(),
        supported_protocol_versions: vec!["1".to_owned()],
        metadata: None,
    };
    peer.send(&join).await;
    match peer.receive().await {
        Some(Message::Peer { .. }) => Ok(peer),
        other => panic!("expected peer, got {other:?}"),
    }
}

/// Pushes `doc` as `user` in `target`: "accepted", "refused: …" or the upgrade's status.
async fn push(network: &Network, user: &User, target: &str, id: DocumentId, doc: &mut Automerge) -> (bool, String) {
    match join(network, user, target).await {
        Err(status) => (false, format!("upgrade {status}")),
        Ok(mut peer) => match peer.push(id, doc).await {
            PushOutcome::Accepted => (true, "accepted".to_owned()),
            PushOutcome::Refused(reason) => (false, format!("refused: {reason}")),
        },
    }
}

/// Every document kind and action for `user`, over sync, in every organisation.
async fn sync_cases(network: Arc<Network>, login: String) -> Tally {
    let user = network.user(&login).clone();
    let mut tally = Tally::default();

    for target in ORGS.iter().map(|org| org.id) {
        let place = format!("in {target} ({})", relation(&user, target));
        let cross_company = company_of(target) != company_of(user.org);

        for seeded in network.documents.iter().filter(|document| document.org == target) {
            let (kind, facts, whose) = match &seeded.buyer {
                Some(buyer) => (
                    "cart",
                    Facts {
                        buyer: Some(buyer),
                        ..Facts::default()
                    },
                    format!("cart of buyer {buyer}"),
                ),
                None => (
                    "untyped",
                    Facts {
                        owner: Some(&seeded.owner),
                        ..Facts::default()
                    },
                    format!("untyped document of {}", seeded.owner),
                ),
            };
            let read = network.table.decide(&user, target, kind, "read", facts);

            // Read: request the document.
            let case = format!("{user}: read {whose} {place}");
            let (allowed, actual) = match join(&network, &user, target).await {
                Err(status) => (false, format!("upgrade {status}")),
                Ok(mut peer) => match peer.request(seeded.id).await {
                    Some(Message::Sync { .. }) => (true, "sync".to_owned()),
                    Some(Message::DocUnavailable { .. }) => (false, "doc-unavailable".to_owned()),
                    other => (false, format!("{other:?}")),
                },
            };
            tally.check(&case, &read, allowed, &actual);
            if !read.allowed() && actual != "doc-unavailable" && !actual.starts_with("upgrade 404") {
                tally.fail(format!(
                    "{case}: a hidden document must be doc-unavailable, got {actual}"
                ));
            }

            // Update: change the document.
            let update = both(read.clone(), network.table.decide(&user, target, kind, "update", facts));
            let mut doc = seeded.doc.fork();
            match &seeded.buyer {
                Some(_) => {
                    let product = ProductId::new("DM-002").unwrap();
                    let quantity = Quantity::new((network.next() + 1).into()).unwrap();
                    cart::set_line(&mut doc, &product, quantity, None, &edit_context(&user)).unwrap();
                }
                None => {
                    let mut transaction = doc.transaction();
                    transaction.put(ROOT, "edited_by", user.login.as_str()).unwrap();
                    transaction.commit();
                }
            }
            let (allowed, actual) = push(&network, &user, target, seeded.id, &mut doc).await;
            tally.check(&format!("{user}: update {whose} {place}"), &update, allowed, &actual);

            let Some(buyer) = &seeded.buyer else { continue };

            // Submit: a fresh draft for the same buyer, seeded by the same user.
            let seeder = network.user(&seeded.seeder).clone();
            let (id, doc) = seed_cart(&network, target, buyer, &seeder, false).await;
            let mut doc = doc.fork();
            cart::submit(&mut doc, &edit_context(&user)).unwrap();
            let submit = both(
                read.clone(),
                network.table.decide(&user, target, "cart", "submit", facts),
            );
            let (allowed, actual) = push(&network, &user, target, id, &mut doc).await;
            let case = format!("{user}: submit {whose} {place}");
            tally.check(&case, &submit, allowed, &actual);
            let tenant = network
                .server
                .state
                .hub
                .tenant(&TenantId::new(target).unwrap())
                .unwrap();
            let ordered = tenant
                .lock()
                .store()
                .has_order_request(&id.as_cart_id().to_string())
                .unwrap();
            if ordered != submit.allowed() {
                tally.fail(format!(
                    "{case}: order request made is {ordered}, expected {}",
                    submit.allowed()
                ));
            }

            // Create: a new cart for the same buyer.
            let (id, mut doc) = new_cart(target, buyer, &user);
            let create = network.table.decide(&user, target, "cart", "create", facts);
            let (allowed, actual) = push(&network, &user, target, id, &mut doc).await;
            tally.check(
                &format!("{user}: create a cart for buyer {buyer} {place}"),
                &create,
                allowed,
                &actual,
            );
            if cross_company && allowed {
                tally.fail(format!("{user}: created a cart {place}, across companies"));
            }
        }

        // A document without a schema of its own: create it, then read and update it.
        let (id, mut doc) = new_untyped(&user);
        let own = Facts {
            owner: Some(&user.login),
            ..Facts::default()
        };
        let create = network.table.decide(&user, target, "untyped", "create", own);
        let (created, actual) = push(&network, &user, target, id, &mut doc).await;
        tally.check(
            &format!("{user}: create an untyped document {place}"),
            &create,
            created,
            &actual,
        );
        if !created {
            continue;
        }
        let read = network.table.decide(&user, target, "untyped", "read", own);
        let case = format!("{user}: read its own untyped document {place}");
        let mut peer = join(&network, &user, target).await.unwrap();
        let answer = peer.request(id).await;
        tally.check(
            &case,
            &read,
            matches!(answer, Some(Message::Sync { .. })),
            &format!("{answer:?}"),
        );
        let update = both(read, network.table.decide(&user, target, "untyped", "update", own));
        let mut transaction = doc.transaction();
        transaction.put(ROOT, "edited", true).unwrap();
        transaction.commit();
        let (allowed, actual) = push(&network, &user, target, id, &mut doc).await;
        tally.check(
            &format!("{user}: update its own untyped document {place}"),
            &update,
            allowed,
            &actual,
        );
    }
    tally
}

/// Combines the read and write decisions. The server treats a document the user may not read
/// as unknown, so a change to it is rejected whatever the write row allows.
fn both(read: Decision, write: Decision) -> Decision {
    if read.allowed() { write } else { read }
}

// ---- the test ----

/// The six acting users: one per role, in company A's network.
const ACTORS: &[&str] = &[
    "co-a-admin",
    "co-a-rep",
    "da1-admin",
    "da1-sales",
    "da1-driver",
    "pa1a-owner",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_role_gets_exactly_what_access_control_doc_allows() {
    let started = Instant::now();
    let network = Arc::new(build_network().await);
    let built = started.elapsed();

    let roles: BTreeSet<&str> = ACTORS.iter().map(|login| network.user(login).role).collect();
    assert_eq!(roles.len(), dms_server::access::Role::ALL.len(), "one actor per role");

    let mut rest = Vec::new();
    for login in ACTORS {
        rest.push(tokio::spawn(rest_cases(network.clone(), (*login).to_owned())));
    }
    let mut rest_tallies = Vec::new();
    for task in rest {
        rest_tallies.push(task.await.unwrap());
    }
    let mut sync = Vec::new();
    for login in ACTORS {
        sync.push(tokio::spawn(sync_cases(network.clone(), (*login).to_owned())));
        sync.push(tokio::spawn(field_sync_cases(network.clone(), (*login).to_owned())));
    }
    let mut sync_tallies: Vec<Tally> = Vec::new();
    for (index, task) in sync.into_iter().enumerate() {
        let tally = task.await.unwrap();
        // Two tasks per actor: documents of the first slice, then field documents.
        if index % 2 == 0 {
            sync_tallies.push(tally);
        } else if let Some(first) = sync_tallies.last_mut() {
            first.allowed += tally.allowed;
            first.denied += tally.denied;
            first.failures.extend(tally.failures);
        }
    }

    let mut failures = Vec::new();
    println!(
        "access matrix (network built in {built:.1?}, total {:.1?}):",
        started.elapsed()
    );
    println!("{:<24} {:>14} {:>14}", "role", "REST allow/deny", "sync allow/deny");
    for ((login, rest), sync) in ACTORS.iter().zip(&rest_tallies).zip(&sync_tallies) {
        println!(
            "{:<24} {:>7}/{:<7} {:>7}/{:<7}",
            network.user(login).role,
            rest.allowed,
            rest.denied,
            sync.allowed,
            sync.denied
        );
        failures.extend(rest.failures.iter().cloned());
        failures.extend(sync.failures.iter().cloned());
    }
    assert!(
        failures.is_empty(),
        "{} cases disagree with docs/access-control.md:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_organisation_route_is_in_the_endpoint_table_of_the_doc() {
    let section = ACCESS_DOC
        .split("## Endpoints and the rows they use")
        .nth(1)
        .and_then(|rest| rest.split("## The table").next())
        .unwrap();
    for route in ROUTES {
        let Some(_) = endpoint_row(route.method, route.path) else {
            continue;
        };
        let written = format!("{} {}", route.method.to_ascii_uppercase(), route.path);
        assert!(
            section.contains(&format!("`{written}`")),
            "docs/access-control.md does not list {written}"
        );
    }
}

// ---- field documents over sync ----

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldKind {
    VisitPlan,
    /// An acknowledgement; `signed` tells whether it was seeded signed.
    DeliveryAck {
        signed: bool,
    },
    BusinessPlan,
}

impl FieldKind {
    fn name(self) -> &'static str {
        match self {
            FieldKind::VisitPlan => "visit_plan",
            FieldKind::DeliveryAck { .. } => "delivery_ack",
            FieldKind::BusinessPlan => "business_plan",
        }
    }
}

#[derive(Clone)]
struct FieldSeed {
    org: &'static str,
    kind: FieldKind,
    id: DocumentId,
    doc: Automerge,
    buyer: Option<String>,
    owner: Option<String>,
}

impl FieldSeed {
    fn facts(&self) -> Facts<'_> {
        Facts {
            buyer: self.buyer.as_deref(),
            owner: self.owner.as_deref(),
            owner_in_org: false,
        }
    }
}

/// The party a visit, acknowledgement or business plan in `org` is about: a distributor of a
/// company, a partner of a distributor.
fn field_party(org_id: &str) -> &'static str {
    match org_id {
        "co-a" => "da1",
        "co-b" => "db1",
        "da1" => "pa1a",
        "da2" => "pa2a",
        _ => "pb1a",
    }
}

fn new_visit_plan(org_id: &str, rep: &str, creator: &str) -> (DocumentId, Automerge) {
    use dms_documents::visit_plan::{self, VisitPlanHeader};
    let plan_id = PlanId::generate();
    let header = VisitPlanHeader {
        plan_id,
        tenant_id: TenantId::new(org_id).unwrap(),
        rep_id: UserId::new(rep).unwrap(),
        period_from: "2026-11-16T00:00:00+05:30".parse().unwrap(),
        period_to: "2026-11-23T00:00:00+05:30".parse().unwrap(),
        created_by: UserId::new(creator).unwrap(),
        created_at: Timestamp::now(),
    };
    let mut doc = Automerge::new();
    visit_plan::create_plan(&mut doc, &header).unwrap();
    (DocumentId::from_bytes(plan_id.to_bytes()), doc)
}

fn add_matrix_visit(doc: &mut Automerge, org_id: &str, owner: &str) {
    use dms_documents::visit_plan::{self, NewVisit};
    let visit = NewVisit {
        visit_id: dms_domain::VisitId::generate(),
        party_id: PartyId::new(field_party(org_id)).unwrap(),
        owner: UserId::new(owner).unwrap(),
        window_from: "2026-11-20T10:00:00+05:30".parse().unwrap(),
        window_to: "2026-11-20T11:00:00+05:30".parse().unwrap(),
        unplanned: false,
        objectives: Vec::new(),
        attendees: Vec::new(),
        vehicle: None,
    };
    visit_plan::add_visit(doc, &visit, &Timestamp::now()).unwrap();
}

fn new_acknowledgement(org_id: &str, buyer: &str, driver: &str, signed: bool) -> (DocumentId, Automerge) {
    use dms_documents::delivery_ack::{self, AcknowledgementHeader, Capture, ImageRef, Receiver};
    let header = AcknowledgementHeader {
        ack_id: dms_domain::AcknowledgementId::generate(),
        tenant_id: TenantId::new(org_id).unwrap(),
        shipment_id: ShipmentId::generate(),
        buyer_id: PartyId::new(buyer).unwrap(),
        driver_id: UserId::new(driver).unwrap(),
        vehicle_number: "MH-12-CD-5678".to_owned(),
        created_at: Timestamp::now(),
    };
    let dispatched = BTreeMap::from([(ProductId::new("DM-001").unwrap(), rust_decimal::Decimal::from(5))]);
    let mut doc = Automerge::new();
    delivery_ack::create_acknowledgement(&mut doc, &header, &dispatched).unwrap();
    if signed {
        let now = Timestamp::now();
        let receiver = Receiver {
            name: "Receiver".to_owned(),
            phone: "+91 98200 12345".to_owned(),
        };
        delivery_ack::set_receiver(&mut doc, &receiver, &now).unwrap();
        let image = ImageRef {
            sha256: "c".repeat(64),
            media_type: "image/png".to_owned(),
        };
        delivery_ack::attach_signature(&mut doc, &image, &now).unwrap();
        let capture = Capture {
            at: now,
            position: dms_domain::GeoPoint::parse("18.52", "73.85", "5").unwrap(),
        };
        delivery_ack::capture(&mut doc, &capture).unwrap();
        delivery_ack::sign_off(&mut doc, &UserId::new(driver).unwrap(), &now).unwrap();
    }
    (DocumentId::from_bytes(header.ack_id.to_bytes()), doc)
}

fn new_business_plan(company: &str, distributor: &str, creator: &str) -> (DocumentId, Automerge) {
    use dms_documents::business_plan::{self, BusinessPlanHeader};
    let plan_id = PlanId::generate();
    let header = BusinessPlanHeader {
        plan_id,
        company_id: TenantId::new(company).unwrap(),
        distributor_id: TenantId::new(distributor).unwrap(),
        period_from: "2026-10-01T00:00:00+05:30".parse().unwrap(),
        period_to: "2027-01-01T00:00:00+05:30".parse().unwrap(),
        created_by: UserId::new(creator).unwrap(),
        created_at: Timestamp::now(),
    };
    let mut doc = Automerge::new();
    business_plan::create_plan(&mut doc, &header).unwrap();
    (DocumentId::from_bytes(plan_id.to_bytes()), doc)
}

/// Seeds a visit plan per organisation (its admin plans for one rep), acknowledgements in da1
/// by its driver (one unsigned, one signed), and a business plan per company.
async fn seed_field_documents(network: &mut Network) {
    let plans: &[(&str, &str, &str)] = &[
        ("co-a", "co-a-rep", "co-a-admin"),
        ("da1", "da1-sales", "da1-admin"),
        ("da2", "da2-sales", "da2-admin"),
        ("co-b", "co-b-admin", "co-b-admin"),
        ("db1", "db1-sales", "db1-admin"),
    ];
    for (org_id, rep, seeder) in plans {
        let (id, mut doc) = new_visit_plan(org_id, rep, seeder);
        let seeder_user = network.user(seeder).clone();
        let outcome = push(network, &seeder_user, org_id, id, &mut doc).await;
        assert_eq!(outcome, (true, "accepted".to_owned()), "seed visit plan in {org_id}");
        network.field_documents.push(FieldSeed {
            org: org(org_id).id,
            kind: FieldKind::VisitPlan,
            id,
            doc,
            buyer: None,
            owner: Some((*rep).to_owned()),
        });
    }
    let driver = network.user("da1-driver").clone();
    for signed in [false, true] {
        let (id, mut doc) = new_acknowledgement("da1", "pa1a", "da1-driver", signed);
        let outcome = push(network, &driver, "da1", id, &mut doc).await;
        assert_eq!(outcome, (true, "accepted".to_owned()), "seed acknowledgement");
        network.field_documents.push(FieldSeed {
            org: "da1",
            kind: FieldKind::DeliveryAck { signed },
            id,
            doc,
            buyer: Some("pa1a".to_owned()),
            owner: Some("da1-driver".to_owned()),
        });
    }
    for (company, distributor) in [("co-a", "da1"), ("co-b", "db1")] {
        let seeder = format!("{company}-admin");
        let (id, mut doc) = new_business_plan(company, distributor, &seeder);
        let seeder_user = network.user(&seeder).clone();
        let outcome = push(network, &seeder_user, company, id, &mut doc).await;
        assert_eq!(
            outcome,
            (true, "accepted".to_owned()),
            "seed business plan in {company}"
        );
        network.field_documents.push(FieldSeed {
            org: org(company).id,
            kind: FieldKind::BusinessPlan,
            id,
            doc,
            buyer: Some(distributor.to_owned()),
            owner: None,
        });
    }
}

/// An edit `user` would make to a seeded field document, chosen so that only the access
/// table decides: a buyer countersigns a signed acknowledgement, anyone else edits content.
fn field_edit(seed: &FieldSeed, user: &User) -> Option<Automerge> {
    use dms_documents::delivery_ack::{self, Countersign, Verdict};
    let mut doc = seed.doc.fork();
    match seed.kind {
        FieldKind::VisitPlan => add_matrix_visit(&mut doc, seed.org, seed.owner.as_deref().unwrap()),
        FieldKind::DeliveryAck { signed: true } => {
            user.party?;
            let countersign = Countersign {
                by: user.id(),
                at: Timestamp::now(),
                verdict: Verdict::Accepted,
                note: None,
            };
            delivery_ack::countersign(&mut doc, &countersign).unwrap();
        }
        FieldKind::DeliveryAck { signed: false } => {
            if user.party.is_some() {
                return None;
            }
            delivery_ack::record_line(
                &mut doc,
                &ProductId::new("DM-001").unwrap(),
                rust_decimal::Decimal::ONE,
                rust_decimal::Decimal::ZERO,
                Some("short"),
                &Timestamp::now(),
            )
            .unwrap();
        }
        FieldKind::BusinessPlan => {
            dms_documents::business_plan::add_comment(&mut doc, &user.id(), "matrix", &Timestamp::now()).unwrap();
        }
    }
    Some(doc)
}

/// Every field document kind and action for `user`, over sync, in every organisation.
async fn field_sync_cases(network: Arc<Network>, login: String) -> Tally {
    let user = network.user(&login).clone();
    let mut tally = Tally::default();

    for seed in &network.field_documents {
        let target = seed.org;
        let place = format!("in {target} ({})", relation(&user, target));
        let kind = seed.kind.name();
        let read = network.table.decide(&user, target, kind, "read", seed.facts());

        let case = format!("{user}: read {kind} {} {place}", seed.id);
        let (allowed, actual) = match join(&network, &user, target).await {
            Err(status) => (false, format!("upgrade {status}")),
            Ok(mut peer) => match peer.request(seed.id).await {
                Some(Message::Sync { .. }) => (true, "sync".to_owned()),
                Some(Message::DocUnavailable { .. }) => (false, "doc-unavailable".to_owned()),
                other => (false, format!("{other:?}")),
            },
        };
        tally.check(&case, &read, allowed, &actual);

        // A fresh copy of a signed acknowledgement per case, so each countersign is the first.
        let seed = match seed.kind {
            FieldKind::DeliveryAck { signed: true } => {
                let driver = network.user("da1-driver").clone();
                let (id, mut doc) = new_acknowledgement("da1", "pa1a", "da1-driver", true);
                assert!(push(&network, &driver, "da1", id, &mut doc).await.0);
                FieldSeed {
                    id,
                    doc,
                    ..seed.clone()
                }
            }
            _ => seed.clone(),
        };
        let Some(mut doc) = field_edit(&seed, &user) else {
            continue;
        };
        let update = both(read, network.table.decide(&user, target, kind, "update", seed.facts()));
        let (allowed, actual) = push(&network, &user, target, seed.id, &mut doc).await;
        tally.check(
            &format!("{user}: update {kind} {} {place}", seed.id),
            &update,
            allowed,
            &actual,
        );
    }

    // Creating each kind, as the user itself, for a party of the organisation.
    for target in ORGS.iter().map(|org| org.id) {
        let place = format!("in {target} ({})", relation(&user, target));
        let party = field_party(target);
        let company = org(target).company.is_none();

        let (id, mut doc) = new_visit_plan(target, &user.login, &user.login);
        let own = Facts {
            owner: Some(&user.login),
            ..Facts::default()
        };
        let expected = network.table.decide(&user, target, "visit_plan", "create", own);
        let (allowed, actual) = push(&network, &user, target, id, &mut doc).await;
        tally.check(
            &format!("{user}: create a visit plan {place}"),
            &expected,
            allowed,
            &actual,
        );

        let (id, mut doc) = new_acknowledgement(target, party, &user.login, false);
        let facts = Facts {
            buyer: Some(party),
            owner: Some(&user.login),
            owner_in_org: false,
        };
        let expected = network.table.decide(&user, target, "delivery_ack", "create", facts);
        let (allowed, actual) = push(&network, &user, target, id, &mut doc).await;
        tally.check(
            &format!("{user}: create an acknowledgement {place}"),
            &expected,
            allowed,
            &actual,
        );

        if company {
            let (id, mut doc) = new_business_plan(target, party, &user.login);
            let facts = Facts {
                buyer: Some(party),
                ..Facts::default()
            };
            let expected = network.table.decide(&user, target, "business_plan", "create", facts);
            let (allowed, actual) = push(&network, &user, target, id, &mut doc).await;
            tally.check(
                &format!("{user}: create a business plan {place}"),
                &expected,
                allowed,
                &actual,
            );
        }
    }
    tally
}
