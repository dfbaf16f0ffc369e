//! Receiving the goods of a supply entry over a real server: the goods go into stock, the
//! entry's open quantity falls, and the fulfilment plan counts only what is still open. A
//! fully received entry no longer counts as expected supply. Receiving does not reserve: the
//! plan shows received goods once staff reserve them.
//!
//! The distributor `acme-dist` and its partners are in Maharashtra (27).

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_tests::back_office::{BackOffice, DAL_PRICES, Party};
use serde_json::{Value, json};

/// Submits a cart of `quantity` DM-001 from a new phone of `party`'s user, accepts it in full
/// and returns the sales order id.
async fn order(setup: &BackOffice, user: &str, party: &str, gstin: &str, quantity: &str) -> String {
    let (principal, token) = setup.partner_token(user, party);
    let phone = setup.server.device(&format!("{user}-phone"), &principal, &token);
    let buyer = Party {
        id: party,
        gstin,
        legal_name: "Kirana Stores",
        district: "Pune",
        pin: "411001",
    };
    setup.order_in_full(&buyer, &phone, &[("DM-001", quantity)]).await
}

async fn receive_supply(setup: &BackOffice, entry: &str, quantity: &str) -> (u16, Value) {
    setup
        .post(
            &setup.admin_token,
            &format!("supply-entries/{entry}/receipt"),
            json!({"warehouse": "WH-PUNE", "quantity": quantity}),
        )
        .await
}

/// Returns the one supply entry as `GET supply-entries` lists it: (quantity, received, open).
async fn entry_quantities(setup: &BackOffice) -> (String, String, String) {
    let entries = setup.get_ok(&setup.admin_token, "supply-entries").await;
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let text = |field: &str| entries[0][field].as_str().unwrap().to_owned();
    (text("quantity"), text("received"), text("open"))
}

/// Returns one order of the plan as (reserved quantity, [(awaiting quantity, supply entry id or
/// null, expected_on)]).
fn order_plan(plan: &Value, sales_order: &str) -> (String, Vec<(String, Value, Value)>) {
    let order = plan["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|order| order["sales_order_id"] == sales_order)
        .unwrap_or_else(|| panic!("sales order {sales_order} is not in the plan: {plan}"));
    let reserved: rust_decimal::Decimal = order["from_stock"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            line["quantity"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let awaiting = order["awaiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|awaiting| {
            (
                awaiting["quantity"].as_str().unwrap().to_owned(),
                awaiting["supply"][1].clone(),
                awaiting["expected_on"].clone(),
            )
        })
        .collect();
    (reserved.normalize().to_string(), awaiting)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn received_supply_closes_entry_in_plan() {
    let setup = BackOffice::start(DAL_PRICES).await;
    assert_eq!(setup.pricing_import.priced, 1);

    // The first order: 10 dal, 4 of them reserved from stock, 6 on backorder.
    let first = order(&setup, "asha", "kirana-12", "27AAPFU0939F1ZV", "10").await;
    setup
        .receive_stock(json!([{"product_id": "DM-001", "quantity": "4"}]))
        .await;
    let reserved = setup.reserve(&first).await;
    assert_eq!(reserved["backorders"][0]["quantity"], "6", "{reserved}");

    // 10 dal purchased, due on 10 June, cover the 6 waiting.
    let entry = setup
        .post_ok(
            &setup.admin_token,
            "supply-entries",
            json!({"product_id": "DM-001", "quantity": "10", "expected_on": "2026-06-10", "source": "purchase"}),
            201,
        )
        .await;
    let entry_id = entry["id"].as_str().unwrap().to_owned();
    let entry_ref = json!(entry_id);
    let due = json!("2026-06-10");
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(
        order_plan(&plan, &first),
        ("4".to_owned(), vec![("6".to_owned(), entry_ref.clone(), due.clone())])
    );
    assert_eq!(entry_quantities(&setup).await, ("10".into(), "0".into(), "10".into()));

    // Refused receipts change nothing: more than is open, zero, and an unknown entry.
    let (status, refused) = receive_supply(&setup, &entry_id, "11").await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "conflict");
    assert_eq!(
        refused["detail"],
        format!("supply entry {entry_id} expects only 10 more of product DM-001, so 11 cannot be received against it")
    );
    let (status, refused) = receive_supply(&setup, &entry_id, "0").await;
    assert_eq!(status, 422, "{refused}");
    let unknown = ulid::Ulid::generate().to_string();
    let (status, refused) = receive_supply(&setup, &unknown, "1").await;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(refused["detail"], format!("supply entry {unknown} not found"));
    assert_eq!(entry_quantities(&setup).await, ("10".into(), "0".into(), "10".into()));

    // 6 arrive: stock on hand rises to 10 with 4 reserved, and 4 stay open on the entry.
    let (status, receipt) = receive_supply(&setup, &entry_id, "6").await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["receipt"]["supply_entry_id"], entry_id.as_str());
    assert_eq!(receipt["receipt"]["warehouse"], "WH-PUNE");
    assert_eq!(receipt["receipt"]["product_id"], "DM-001");
    assert_eq!(receipt["receipt"]["quantity"], "6");
    assert_eq!(receipt["receipt"]["received_by"], "acme-admin");
    assert_eq!(receipt["supply_entry"]["quantity"], "10");
    assert_eq!(receipt["supply_entry"]["received"], "6");
    assert_eq!(receipt["supply_entry"]["open"], "4");
    assert_eq!(
        receipt["stock"],
        json!({"warehouse": "WH-PUNE", "product_id": "DM-001", "on_hand": "10", "reserved": "4", "available": "6"})
    );
    assert_eq!(entry_quantities(&setup).await, ("10".into(), "6".into(), "4".into()));

    // Receiving does not reserve. Until staff reserve, the plan counts the 4 still open and
    // lists the other 2 waiting as a shortfall.
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(
        order_plan(&plan, &first),
        (
            "4".to_owned(),
            vec![
                ("4".to_owned(), entry_ref.clone(), due.clone()),
                ("2".to_owned(), Value::Null, Value::Null)
            ]
        )
    );
    assert_eq!(plan["shortfall"], json!([{"product_id": "DM-001", "quantity": "2"}]));

    // Reserved, the first order is ready to ship in full.
    let reserved = setup.reserve(&first).await;
    assert_eq!(reserved["backorders"], json!([]), "{reserved}");
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(order_plan(&plan, &first), ("10".to_owned(), vec![]));
    assert_eq!(plan["shortfall"], json!([]));

    // A second order of 3 dal waits for the 4 still open on the entry.
    let second = order(&setup, "meena", "kirana-34", "27AABCK1234L1ZP", "3").await;
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(
        order_plan(&plan, &second),
        ("0".to_owned(), vec![("3".to_owned(), entry_ref.clone(), due.clone())])
    );

    // The last 4 arrive: the entry is fully received and no longer counts as supply, so the
    // second order's 3 are a shortfall until staff reserve them from the new stock.
    let (status, receipt) = receive_supply(&setup, &entry_id, "4").await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["supply_entry"]["received"], "10");
    assert_eq!(receipt["supply_entry"]["open"], "0");
    assert_eq!(
        receipt["stock"],
        json!({"warehouse": "WH-PUNE", "product_id": "DM-001", "on_hand": "14", "reserved": "10", "available": "4"})
    );
    assert_eq!(entry_quantities(&setup).await, ("10".into(), "10".into(), "0".into()));
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(
        order_plan(&plan, &second),
        ("0".to_owned(), vec![("3".to_owned(), Value::Null, Value::Null)])
    );
    assert_eq!(plan["shortfall"], json!([{"product_id": "DM-001", "quantity": "3"}]));

    let (status, refused) = receive_supply(&setup, &entry_id, "1").await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        refused["detail"],
        format!("supply entry {entry_id} expects only 0 more of product DM-001, so 1 cannot be received against it")
    );

    setup.reserve(&second).await;
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(order_plan(&plan, &second), ("3".to_owned(), vec![]));
    assert_eq!(plan["shortfall"], json!([]));
    assert_eq!(entry_quantities(&setup).await, ("10".into(), "10".into(), "0".into()));
}
