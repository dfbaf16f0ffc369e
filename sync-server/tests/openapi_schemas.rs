//! Checks the schemas of the OpenAPI document (`sync-server/src/openapi.json`). JSON request
//! bodies must list their properties, every `$ref` must resolve, and the order-to-cash routes
//! must give a schema for their success responses. Records built by `dms-orders`, and request
//! bodies that the handlers' Rust types accept, must validate against those schemas.
//!
//! The validator below covers the keywords the document uses: `$ref`, `type`, `properties`,
//! `required`, `items`, `prefixItems`, `enum`, `oneOf`, `anyOf`, `allOf`, `minimum`,
//! `maximum`, `minLength`, `maxLength`, `format` ("date", "date-time") and the decimal
//! `pattern`. It also rejects properties that a schema does not list, so a field added to a
//! Rust record fails here until the document lists it.
//!
//! NOTE: other `pattern`s (ULID, GSTIN, PIN code, ids) are not checked, because the crate has
//! no regular expression engine.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use dms_domain::{AcknowledgementId, Money, PartyId, ProductId, Quantity, ShipmentId, Timestamp, UserId};
use dms_orders::numbering::FinancialYear;
use dms_orders::{
    AcknowledgementOutcome, AcknowledgementOutcomeKind, AllocationRule, BillingPolicy, BuyerOrderStatus,
    CreditLineRequest, CreditNoteId, CreditNoteRequest, CreditReason, DeliveryException, DeliveryExceptionKind,
    DeliveryGrouping, DeliveryVisit, Driver, InvoiceId, InvoiceRequest, InvoiceSeries, LineAcceptance, LorryReceipt,
    OrderDecision, OrderRequest, Payment, PaymentId, PaymentMode, Receivables, Representative, SalesOrder,
    SalesOrderStatus, Shipment, ShipmentComment, ShipmentCommentId, ShipmentRecord, ShipmentStatus, StatusChange,
    StockBook, SupplyEntry, SupplyEntryId, SupplySource, Transport, TransportMode, VehicleNumber, VisitRequest,
    WarehouseId, allocate_payment, decide_order_request, plan_fulfilment, propose_shipments, raise_credit_note,
    raise_invoice, schedule_production_for_shortfall, statement_of_account,
};
use dms_server::orders::planning_store::SupplyReceipt;
use dms_server::rest::billing::{
    CreditNoteBody, CreditNoteView, InvoiceBody, PaymentBody, PaymentsView, RecordedPayment,
};
use dms_server::rest::delivery_visits::DeliveryVisitBody;
use dms_server::rest::orders::{
    DecisionBody, ReservationBody, ShipmentBody, ShipmentEvent, StockLevelView, StockReceipt,
};
use dms_server::rest::planning::{
    FulfilmentPlanView, OrderPlanView, ProductionBody, ShortfallView, SupplyEntryBody, SupplyEntryView,
    SupplyReceiptBody, SupplyReceiptView,
};
use dms_server::rest::shipment_comments::CommentBody;
use dms_server::routes::OPENAPI;
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::macros::date;

const DECIMAL_PATTERNS: [&str; 2] = [r"^-?[0-9]+(\.[0-9]+)?$", r"^[0-9]+(\.[0-9]+)?$"];

/// The order-to-cash operations whose success responses must carry a JSON schema.
const ORDER_TO_CASH: &[(&str, &str)] = &[
    ("post", "/api/v1/orgs/{org}/order-requests/{order_request}/decision"),
    ("get", "/api/v1/orgs/{org}/sales-orders"),
    ("post", "/api/v1/orgs/{org}/stock/receipts"),
    ("post", "/api/v1/orgs/{org}/sales-orders/{sales_order}/reservations"),
    ("post", "/api/v1/orgs/{org}/shipments"),
    ("get", "/api/v1/orgs/{org}/shipments"),
    ("post", "/api/v1/orgs/{org}/shipments/{shipment}/events"),
    ("post", "/api/v1/orgs/{org}/shipments/{shipment}/comments"),
    ("put", "/api/v1/orgs/{org}/shipments/{shipment}/delivery-visit"),
    ("post", "/api/v1/orgs/{org}/supply-entries"),
    ("get", "/api/v1/orgs/{org}/supply-entries"),
    ("post", "/api/v1/orgs/{org}/supply-entries/{entry}/receipt"),
    ("get", "/api/v1/orgs/{org}/fulfilment-plan"),
    ("post", "/api/v1/orgs/{org}/fulfilment-plan/production"),
    ("get", "/api/v1/orgs/{org}/delivery-plan"),
    ("post", "/api/v1/orgs/{org}/invoices"),
    ("get", "/api/v1/orgs/{org}/invoices"),
    ("post", "/api/v1/orgs/{org}/credit-notes"),
    ("get", "/api/v1/orgs/{org}/credit-notes"),
    ("post", "/api/v1/orgs/{org}/payments"),
    ("get", "/api/v1/orgs/{org}/payments"),
    ("get", "/api/v1/orgs/{org}/receivables"),
    ("get", "/api/v1/orgs/{org}/statement"),
    ("get", "/api/v1/orgs/{org}/order-status"),
];

fn document() -> Value {
    serde_json::from_str(OPENAPI).unwrap()
}

/// Follows `$ref`s to the schema they name. Panics on a reference that does not resolve.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        schema = reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
            .unwrap_or_else(|| panic!("$ref {reference} does not resolve"));
    }
    schema
}

fn operations(document: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            found.push((method.clone(), path.clone(), operation));
        }
    }
    found
}

fn collect_references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                found.push(reference);
            }
            map.values().for_each(|child| collect_references(child, found));
        }
        Value::Array(items) => items.iter().for_each(|child| collect_references(child, found)),
        _ => {}
    }
}

// ---- a small JSON Schema validator ----

struct Validator<'a> {
    document: &'a Value,
}

impl Validator<'_> {
    /// Returns every way `value` breaks `schema`, each with its JSON path.
    fn errors(&self, value: &Value, schema: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(value, schema, "$", true, &mut errors);
        errors
    }

    fn check(&self, value: &Value, schema: &Value, at: &str, closed: bool, errors: &mut Vec<String>) {
        let schema = resolve(self.document, schema);

        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.check(value, part, at, false, errors);
            }
        }
        for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(parts) = schema.get(keyword).and_then(Value::as_array) {
                let matching = parts
                    .iter()
                    .filter(|part| self.errors_at(value, part, at).is_empty())
                    .count();
                let fits = if exactly_one { matching == 1 } else { matching >= 1 };
                if !fits {
                    errors.push(format!("{at}: {matching} of the {keyword} schemas match {value}"));
                }
            }
        }

        if let Some(expected) = schema.get("type") {
            let names: Vec<&str> = match expected {
                Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
                other => other.as_str().into_iter().collect(),
            };
            if !names.iter().any(|name| has_type(value, name)) {
                errors.push(format!("{at}: expected type {expected}, found {value}"));
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }

        match value {
            Value::String(text) => self.check_string(text, schema, at, errors),
            Value::Number(number) => {
                let number = number.as_f64().unwrap();
                if schema
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|minimum| number < minimum)
                {
                    errors.push(format!("{at}: {number} is below the minimum"));
                }
                if schema
                    .get("maximum")
                    .and_then(Value::as_f64)
                    .is_some_and(|maximum| number > maximum)
                {
                    errors.push(format!("{at}: {number} is above the maximum"));
                }
            }
            Value::Array(items) => {
                let prefix = schema.get("prefixItems").and_then(Value::as_array);
                for (index, item) in items.iter().enumerate() {
                    let item_at = format!("{at}[{index}]");
                    match (prefix.and_then(|prefix| prefix.get(index)), schema.get("items")) {
                        (Some(item_schema), _) | (None, Some(item_schema)) => {
                            self.check(item, item_schema, &item_at, true, errors);
                        }
                        (None, None) => {}
                    }
                }
                for (keyword, too_few) in [("minItems", true), ("maxItems", false)] {
                    if let Some(limit) = schema.get(keyword).and_then(Value::as_u64) {
                        let length = items.len() as u64;
                        if (too_few && length < limit) || (!too_few && length > limit) {
                            errors.push(format!("{at}: {length} items breaks {keyword} {limit}"));
                        }
                    }
                }
            }
            Value::Object(map) => {
                for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                    let name = name.as_str().unwrap();
                    if !map.contains_key(name) {
                        errors.push(format!("{at}: required property {name} is missing"));
                    }
                }
                if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                    for (name, property) in properties {
                        if let Some(child) = map.get(name) {
                            self.check(child, property, &format!("{at}.{name}"), true, errors);
                        }
                    }
                }
                if closed && (schema.get("properties").is_some() || schema.get("allOf").is_some()) {
                    let known = self.known_properties(schema);
                    for name in map.keys().filter(|name| !known.contains(name.as_str())) {
                        errors.push(format!("{at}: property {name} is not in the schema"));
                    }
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn errors_at(&self, value: &Value, schema: &Value, at: &str) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(value, schema, at, true, &mut errors);
        errors
    }

    fn check_string(&self, text: &str, schema: &Value, at: &str, errors: &mut Vec<String>) {
        let length = text.chars().count() as u64;
        if schema
            .get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|minimum| length < minimum)
        {
            errors.push(format!("{at}: {text:?} is shorter than minLength"));
        }
        if schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|maximum| length > maximum)
        {
            errors.push(format!("{at}: {text:?} is longer than maxLength"));
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("date") if !is_date(text) => errors.push(format!("{at}: {text:?} is not a YYYY-MM-DD date")),
            Some("date-time") if text.parse::<Timestamp>().is_err() => {
                errors.push(format!("{at}: {text:?} is not an RFC 3339 time"));
            }
            _ => {}
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            if pattern == DECIMAL_PATTERNS[0] && !is_decimal(text, true) {
                errors.push(format!("{at}: {text:?} is not a decimal number"));
            }
            if pattern == DECIMAL_PATTERNS[1] && !is_decimal(text, false) {
                errors.push(format!("{at}: {text:?} is not an unsigned decimal number"));
            }
        }
    }

    /// Lists the property names of `schema` and of its `allOf` parts.
    fn known_properties(&self, schema: &Value) -> BTreeSet<String> {
        let schema = resolve(self.document, schema);
        let mut known: BTreeSet<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default();
        for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            known.extend(self.known_properties(part));
        }
        known
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        other => panic!("unknown JSON Schema type {other}"),
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| {
            if index == 4 || index == 7 {
                *byte == b'-'
            } else {
                byte.is_ascii_digit()
            }
        })
}

/// Matches `^-?[0-9]+(\.[0-9]+)?$`, or the same without the sign when `signed` is false.
fn is_decimal(text: &str, signed: bool) -> bool {
    let unsigned = if signed {
        text.strip_prefix('-').unwrap_or(text)
    } else {
        text
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// Asserts that `value` serializes to JSON that the named component schema accepts.
fn assert_matches(name: &str, value: &impl Serialize) {
    let document = document();
    let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
    let value = serde_json::to_value(value).unwrap();
    let errors = Validator { document: &document }.errors(&value, &schema);
    assert!(
        errors.is_empty(),
        "{name} does not match {value}:\n{}",
        errors.join("\n")
    );
}

// ---- the document's structure ----

#[test]
fn json_request_bodies_list_properties() {
    let document = document();
    for (method, path, operation) in operations(&document) {
        if method != "post" && method != "put" {
            continue;
        }
        let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
            continue;
        };
        let mut schema = resolve(&document, schema);
        if schema["type"] == "array" {
            schema = resolve(&document, &schema["items"]);
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        assert!(
            properties.is_some_and(|properties| !properties.is_empty()),
            "{method} {path}: the JSON request body schema lists no properties"
        );
    }
}

#[test]
fn every_reference_resolves() {
    let document = document();
    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer));
        assert!(target.is_some(), "$ref {reference} does not resolve");
    }
}

#[test]
fn order_to_cash_successes_have_schemas() {
    let document = document();
    for (method, path) in ORDER_TO_CASH {
        let responses = document["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} is not documented"));
        let successes: Vec<_> = responses.iter().filter(|(status, _)| status.starts_with('2')).collect();
        assert!(!successes.is_empty(), "{method} {path} has no success response");
        for (status, response) in successes {
            let schema = response.pointer("/content/application~1json/schema");
            assert!(schema.is_some(), "{method} {path} {status} has no JSON schema");
            let schema = resolve(&document, schema.unwrap());
            let described = ["properties", "items", "allOf", "oneOf"]
                .iter()
                .any(|keyword| schema.get(keyword).is_some());
            assert!(
                described,
                "{method} {path} {status}: schema {schema} describes no fields"
            );
        }
    }
}

// ---- request bodies: the schema and the handler's Rust type agree ----

fn accepts<T: DeserializeOwned>(body: &Value) -> bool {
    serde_json::from_value::<T>(body.clone()).is_ok()
}

fn party(party_id: &str, gstin: &str, legal_name: &str) -> Value {
    json!({
        "party_id": party_id,
        "gstin": gstin,
        "legal_name": legal_name,
        "address": "Plot 12, MIDC Bhosari",
        "place": "Pune",
        "location": {"state": "27", "district": "Pune", "pin": "411026"}
    })
}

fn transport_body() -> Value {
    json!({
        "transporter": "Shree Logistics",
        "mode": "road",
        "vehicle_number": "MH 12 AB 1234",
        "driver_name": "Ramesh Patil",
        "driver_phone": "+91 98765 43210",
        "lorry_receipt_number": "LR-5531",
        "lorry_receipt_date": "2026-05-05"
    })
}

type Case = (&'static str, Value, fn(&Value) -> bool);

fn request_cases() -> Vec<Case> {
    let ulid = "01JF0000000000000000000000";
    let seller = party("acme-dist", "27AAPFU0939F1ZV", "Acme Distributors");
    let buyer = party("kirana-12", "27ABCDE1234F1Z5", "Kirana Stores");
    vec![
        (
            "DecisionRequest",
            json!({"decision": "accept_in_full", "seller": seller, "buyer": buyer, "credit_days": 30}),
            accepts::<DecisionBody>,
        ),
        (
            "DecisionRequest",
            json!({"decision": {"accept_in_part": [{"line_no": 2, "accepted": "1", "reason": "out of stock till June"}]},
                   "seller": seller, "buyer": buyer}),
            accepts::<DecisionBody>,
        ),
        (
            "DecisionRequest",
            json!({"decision": {"reject": {"reason": "credit limit reached"}}, "seller": seller, "buyer": buyer}),
            accepts::<DecisionBody>,
        ),
        (
            "StockReceiptRequest",
            json!({"warehouse": "WH-PUNE", "lines": [{"product_id": "DM-001", "quantity": "12.5"}]}),
            accepts::<StockReceipt>,
        ),
        (
            "ReservationRequest",
            json!({"warehouses": ["WH-PUNE", "WH-NASHIK"]}),
            accepts::<ReservationBody>,
        ),
        (
            "ShipmentRequest",
            json!({"sales_order_id": ulid, "warehouse": "WH-PUNE", "planned_dispatch_on": "2026-05-05",
                   "planned_delivery_on": "2026-05-06", "transport": transport_body(),
                   "lines": [{"order_line_no": 1, "quantity": "8"}]}),
            accepts::<ShipmentBody>,
        ),
        (
            "ShipmentRequest",
            json!({"sales_order_id": ulid, "warehouse": "WH-PUNE", "planned_dispatch_on": "2026-05-05",
                   "planned_delivery_on": "2026-05-06", "transport": {"mode": "rail"}}),
            accepts::<ShipmentBody>,
        ),
        (
            "ShipmentEventRequest",
            json!({"event": "dispatch", "at": "2026-05-05T09:00:00+05:30", "transport": transport_body()}),
            accepts::<ShipmentEvent>,
        ),
        (
            "ShipmentEventRequest",
            json!({"event": "deliver", "lines": [{"line_no": 1, "quantity": "7"}]}),
            accepts::<ShipmentEvent>,
        ),
        (
            "CommentRequest",
            json!({"text": "Please deliver after 4 pm"}),
            accepts::<CommentBody>,
        ),
        (
            "DeliveryVisitRequest",
            json!({"representative": "ravi-driver", "arrive_from": "2026-05-06T10:00:00+05:30",
                   "arrive_to": "2026-05-06T12:00:00+05:30", "vehicle_number": "KA-01-F-0001"}),
            accepts::<DeliveryVisitBody>,
        ),
        (
            "SupplyEntryRequest",
            json!({"product_id": "DM-001", "quantity": "5", "expected_on": "2026-06-10", "source": "purchase"}),
            accepts::<SupplyEntryBody>,
        ),
        (
            "SupplyReceiptRequest",
            json!({"warehouse": "WH-PUNE", "quantity": "3"}),
            accepts::<SupplyReceiptBody>,
        ),
        (
            "ProductionRequest",
            json!({"expected_on": "2026-06-20"}),
            accepts::<ProductionBody>,
        ),
        (
            "InvoiceRequest",
            json!({"shipment_id": ulid, "issued_at": "2026-05-07T11:00:00+05:30",
                   "lines": [{"source_line_no": 1, "quantity": "2"}]}),
            accepts::<InvoiceBody>,
        ),
        (
            "InvoiceRequest",
            json!({"sales_order_id": ulid}),
            accepts::<InvoiceBody>,
        ),
        (
            "CreditNoteRequest",
            json!({"invoice_id": ulid, "reason": "return", "lines": [{"invoice_line_no": 1, "quantity": "1"}]}),
            accepts::<CreditNoteBody>,
        ),
        (
            "PaymentRequest",
            json!({"buyer_id": "kirana-12", "mode": "cash", "received_on": "2026-05-20", "amount": "500.00"}),
            accepts::<PaymentBody>,
        ),
        (
            "PaymentRequest",
            json!({"buyer_id": "kirana-12", "mode": "neft", "reference": "UTR123", "received_on": "2026-05-20",
                   "amount": "500", "allocation": {"chosen": [[ulid, "300.00"]]}}),
            accepts::<PaymentBody>,
        ),
    ]
}

#[test]
fn request_examples_match_schemas_and_handlers() {
    let document = document();
    let validator = Validator { document: &document };
    for (name, body, handler_accepts) in request_cases() {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        let errors = validator.errors(&body, &schema);
        assert!(errors.is_empty(), "{name} rejects {body}:\n{}", errors.join("\n"));
        assert!(handler_accepts(&body), "the handler rejects {name} {body}");
    }
}

#[test]
fn rejected_request_examples_fail_both() {
    let document = document();
    let validator = Validator { document: &document };
    let cases: Vec<Case> = vec![
        // Quantities are strings; a JSON number is rejected.
        (
            "SupplyReceiptRequest",
            json!({"warehouse": "WH-PUNE", "quantity": 3}),
            accepts::<SupplyReceiptBody>,
        ),
        ("ReservationRequest", json!({}), accepts::<ReservationBody>),
        (
            "ShipmentEventRequest",
            json!({"event": "lost"}),
            accepts::<ShipmentEvent>,
        ),
        (
            "PaymentRequest",
            json!({"buyer_id": "kirana-12", "mode": "barter", "received_on": "2026-05-20", "amount": "5"}),
            accepts::<PaymentBody>,
        ),
    ];
    for (name, body, handler_accepts) in cases {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        assert!(!validator.errors(&body, &schema).is_empty(), "{name} accepts {body}");
        assert!(!handler_accepts(&body), "the handler accepts {name} {body}");
    }
}

// ---- response records built by dms-orders ----

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn quantity(value: i64) -> Quantity {
    Quantity::new(Decimal::from(value)).unwrap()
}

fn order_request() -> OrderRequest {
    let line = |product: &str, hsn: &str, rate: &str, price: &str, quantity: &str| {
        json!({"product_id": product, "description": product, "hsn": hsn, "gst_rate": rate, "unit": "NOS",
               "unit_price": price, "quantity": quantity})
    };
    serde_json::from_value(json!({
        "id": "01JF0000000000000000000001",
        "seller": party("acme-dist", "27AAPFU0939F1ZV", "Acme Distributors"),
        "buyer": party("kirana-12", "27ABCDE1234F1Z5", "Kirana Stores"),
        "requested_at": "2026-05-01T10:00:00+05:30",
        "credit_days": 30,
        "lines": [line("DM-001", "0713", "5", "100.00", "10"), line("DM-002", "3402", "18", "45.50", "4")]
    }))
    .unwrap()
}

fn decided_order() -> SalesOrder {
    let decision = OrderDecision::AcceptInPart(vec![LineAcceptance {
        line_no: 2,
        accepted: Decimal::from(2),
        reason: Some("out of stock till June".to_owned()),
    }]);
    let order = decide_order_request(
        &order_request(),
        None,
        &decision,
        dms_orders::SalesOrderId::generate(),
        at("2026-05-02T09:00:00+05:30"),
    )
    .unwrap();
    assert_eq!(order.status, SalesOrderStatus::PartlyAccepted);
    order
}

fn planned_shipment(order: &SalesOrder, warehouse: &WarehouseId) -> Shipment {
    let transport = Transport {
        transporter: Some("Shree Logistics".to_owned()),
        mode: TransportMode::Road,
        vehicle: Some(VehicleNumber::new("MH 12 AB 1234").unwrap()),
        driver: Some(Driver::new("Ramesh Patil", "+91 98765 43210").unwrap()),
        lorry_receipt: Some(LorryReceipt {
            number: "LR-5531".to_owned(),
            date: date!(2026 - 05 - 05),
        }),
    };
    let lines = [
        (order.id, 1, ProductId::new("DM-001").unwrap(), Decimal::from(8)),
        (order.id, 2, ProductId::new("DM-002").unwrap(), Decimal::from(2)),
    ];
    Shipment::plan_lines(
        ShipmentId::generate(),
        order.seller_id().clone(),
        warehouse.clone(),
        date!(2026 - 05 - 05),
        date!(2026 - 05 - 06),
        transport,
        &lines,
    )
    .unwrap()
}

fn delivery_visit(shipment: &Shipment) -> DeliveryVisit {
    let request = VisitRequest {
        representative: Representative {
            user_id: UserId::new("ravi-driver").unwrap(),
            login: "ravi".to_owned(),
            role: "delivery_driver".to_owned(),
            name: Some("Ravi Kumar".to_owned()),
            phone: None,
        },
        arrive_from: at("2026-05-06T10:00:00+05:30"),
        arrive_to: at("2026-05-06T12:00:00+05:30"),
        vehicle: None,
    };
    DeliveryVisit::assign(
        shipment,
        request,
        UserId::new("admin").unwrap(),
        at("2026-05-04T18:00:00+05:30"),
    )
    .unwrap()
}

#[test]
fn order_records_match_their_schemas() {
    let warehouse = WarehouseId::new("WH-PUNE").unwrap();
    let dal = ProductId::new("DM-001").unwrap();
    let detergent = ProductId::new("DM-002").unwrap();
    let order = decided_order();
    assert_matches("SalesOrder", &order);

    // Stock: 8 of the 10 dal are in stock, so 2 are backordered.
    let mut book = StockBook::new();
    book.receive(&warehouse, &dal, quantity(8));
    book.receive(&warehouse, &detergent, quantity(5));
    let outcome = book.reserve_order(&order, std::slice::from_ref(&warehouse)).unwrap();
    assert!(!outcome.backorders.is_empty());
    assert_matches("ReservationOutcome", &outcome);
    let level = book.level(&warehouse, &dal);
    let stock = StockLevelView {
        warehouse: warehouse.clone(),
        product_id: dal.clone(),
        on_hand: level.on_hand,
        reserved: level.reserved,
        available: level.available(),
    };
    assert_matches("StockLevel", &stock);

    // Planning: one supply entry covers 1 of the 2 waiting, the other is a shortfall.
    let entry = SupplyEntry {
        id: SupplyEntryId::generate(),
        source: SupplySource::Production,
        product_id: dal.clone(),
        quantity: quantity(1),
        expected_on: date!(2026 - 06 - 05),
    };
    let entry_view = SupplyEntryView {
        entry: entry.clone(),
        received: Decimal::ZERO,
        open: Decimal::from(1),
    };
    assert_matches("SupplyEntry", &entry);
    assert_matches("SupplyEntryView", &entry_view);
    let receipt = SupplyReceiptView {
        receipt: SupplyReceipt {
            receipt_id: ulid::Ulid::generate().to_string(),
            supply_entry_id: entry.id,
            warehouse: warehouse.clone(),
            product_id: dal.clone(),
            quantity: Decimal::from(1),
            received_by: "admin".to_owned(),
            received_at: Timestamp::now().to_string(),
        },
        supply_entry: entry_view,
        stock,
    };
    assert_matches("SupplyReceiptResult", &receipt);
    let orders = [order.clone()];
    let plan = plan_fulfilment(&book, &orders, std::slice::from_ref(&entry)).unwrap();
    let fulfilment = plan.order(order.id).unwrap();
    assert!(fulfilment.awaiting.iter().any(|waiting| waiting.supply.is_some()));
    assert!(fulfilment.awaiting.iter().any(|waiting| waiting.supply.is_none()));
    let plan_view = FulfilmentPlanView {
        orders: vec![OrderPlanView {
            sales_order_id: order.id,
            buyer_id: order.buyer_id().clone(),
            decided_at: order.decided_at,
            ready: fulfilment.is_ready(),
            expected_complete_on: fulfilment.expected_complete_on(),
            from_stock: fulfilment.from_stock.clone(),
            awaiting: fulfilment.awaiting.clone(),
        }],
        shortfall: plan
            .shortfall()
            .into_iter()
            .map(|(product_id, quantity)| ShortfallView { product_id, quantity })
            .collect(),
    };
    assert_matches("FulfilmentPlan", &plan_view);
    let production = schedule_production_for_shortfall(&plan, date!(2026 - 06 - 20), SupplyEntryId::generate).unwrap();
    assert!(!production.is_empty());
    assert_matches("SupplyEntry", &production[0]);
    let proposals = propose_shipments(&plan, &orders, DeliveryGrouping::ReadyLines, |_| date!(2026 - 05 - 05));
    assert!(!proposals.is_empty());
    assert_matches("ProposedShipment", &proposals[0]);

    // Shipment: a visit and a comment, then a partial delivery.
    let mut shipment = planned_shipment(&order, &warehouse);
    let visit = delivery_visit(&shipment);
    let comment = ShipmentComment::new(
        ShipmentCommentId::generate(),
        shipment.id,
        UserId::new("asha").unwrap(),
        PartyId::new("kirana-12").unwrap(),
        "Please deliver after 4 pm",
        at("2026-05-04T12:00:00+05:30"),
    )
    .unwrap();
    assert_matches("ShipmentComment", &comment);
    shipment.dispatch(at("2026-05-05T09:00:00+05:30")).unwrap();
    shipment.mark_in_transit().unwrap();
    let delivered = [(1, Decimal::from(7)), (2, Decimal::from(2))];
    let status = shipment
        .record_delivery(at("2026-05-06T11:00:00+05:30"), &delivered)
        .unwrap();
    assert_eq!(status, ShipmentStatus::PartlyDelivered);
    let ack_id = AcknowledgementId::generate();
    let record = ShipmentRecord {
        sales_order_id: order.id,
        buyer_id: order.buyer_id().clone(),
        history: vec![StatusChange {
            status: ShipmentStatus::Dispatched,
            changed_at: at("2026-05-05T09:00:00+05:30"),
            changed_by: "admin".to_owned(),
        }],
        exceptions: vec![DeliveryException {
            shipment_line_no: 1,
            sales_order_id: order.id,
            order_line_no: 1,
            product_id: dal.clone(),
            kind: DeliveryExceptionKind::Damaged,
            quantity: Decimal::from(1),
            reason: Some("bag torn".to_owned()),
            ack_id,
            recorded_at: at("2026-05-06T11:00:00+05:30"),
            recorded_by: "ravi-driver".to_owned(),
        }],
        comments: vec![comment],
        delivery_visit: Some(visit),
        acknowledgement: Some(AcknowledgementOutcome {
            ack_id,
            outcome: AcknowledgementOutcomeKind::Applied,
            reason: "applied".to_owned(),
        }),
        shipment: shipment.clone(),
    };
    assert_matches("ShipmentRecord", &record);

    // Billing: an invoice of the delivery, one of the rest of the order, and a credit note.
    let issued_at = at("2026-05-07T11:00:00+05:30");
    let mut series = InvoiceSeries::new(order.seller_id().clone(), "INV", FinancialYear::of(issued_at)).unwrap();
    let request = |id| InvoiceRequest {
        id,
        issued_at,
        lines: Vec::new(),
    };
    let delivered_invoice = raise_invoice(
        BillingPolicy::Delivered(&shipment),
        &order,
        &[],
        &request(InvoiceId::generate()),
        &mut series,
    )
    .unwrap();
    let ordered_invoice = raise_invoice(
        BillingPolicy::Ordered,
        &order,
        std::slice::from_ref(&delivered_invoice),
        &request(InvoiceId::generate()),
        &mut series,
    )
    .unwrap();
    assert_matches("Invoice", &delivered_invoice);
    assert_matches("Invoice", &ordered_invoice);
    let mut note_series = InvoiceSeries::new(order.seller_id().clone(), "CN", FinancialYear::of(issued_at)).unwrap();
    let note = raise_credit_note(
        &delivered_invoice,
        &[],
        &CreditNoteRequest {
            id: CreditNoteId::generate(),
            issued_at,
            reason: CreditReason::Return,
            lines: vec![CreditLineRequest {
                invoice_line_no: 1,
                quantity: quantity(1),
            }],
        },
        &mut note_series,
    )
    .unwrap();
    assert_matches("CreditNote", &note);
    let note_view = CreditNoteView {
        buyer_id: order.buyer_id().clone(),
        note: note.clone(),
    };
    assert_matches("CreditNoteView", &note_view);

    // Collection: a payment allocated oldest first, receivables and the statement.
    let payment = Payment::new(
        PaymentId::generate(),
        order.seller_id().clone(),
        order.buyer_id().clone(),
        PaymentMode::Neft,
        "UTR123",
        date!(2026 - 05 - 20),
        Money::from_rupees(Decimal::from(500)),
    )
    .unwrap();
    let invoices = [delivered_invoice, ordered_invoice];
    let notes = [note];
    let payments = [payment.clone()];
    let application = allocate_payment(
        &payment,
        &Receivables::new(&invoices, &notes, &payments, &[]),
        &AllocationRule::OldestFirst,
    )
    .unwrap();
    let recorded = RecordedPayment {
        payment,
        allocations: application.allocations.clone(),
        on_account: application.on_account,
    };
    assert_matches("RecordedPayment", &recorded);
    let listed = PaymentsView {
        payments: payments.to_vec(),
        allocations: application.allocations.clone(),
    };
    assert_matches("Payments", &listed);
    let receivables = Receivables::new(&invoices, &notes, &payments, &application.allocations);
    let outstanding = receivables.outstanding_for(order.seller_id(), order.buyer_id(), date!(2026 - 07 - 20));
    assert_matches("BuyerOutstanding", &outstanding);
    let statement = statement_of_account(
        &receivables,
        order.seller_id(),
        order.buyer_id(),
        date!(2026 - 05 - 01),
        date!(2026 - 05 - 31),
    );
    assert_eq!(statement.entries.len(), 4);
    assert_matches("StatementOfAccount", &statement);

    let status = BuyerOrderStatus {
        buyer_id: order.buyer_id().clone(),
        sales_orders: vec![order],
        shipments: vec![record],
        invoices: invoices.to_vec(),
        credit_notes: notes.to_vec(),
        payments: payments.to_vec(),
        outstanding,
    };
    assert_matches("BuyerOrderStatus", &status);
}

#[test]
fn validator_rejects_undocumented_and_mistyped_fields() {
    let mut order = serde_json::to_value(decided_order()).unwrap();
    order["surprise"] = json!(1);
    order["lines"][0]["accepted"] = json!(10);
    let document = document();
    let errors = Validator { document: &document }.errors(&order, &json!({"$ref": "#/components/schemas/SalesOrder"}));
    assert!(errors.iter().any(|error| error.contains("surprise")), "{errors:?}");
    assert!(
        errors.iter().any(|error| error.contains("$.lines[0].accepted")),
        "{errors:?}"
    );
}
