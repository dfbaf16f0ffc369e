//! Order-to-cash planning over a real server: comments on a shipment, the representative
//! assigned to its delivery, supply entries and the fulfilment plan, production for the
//! shortfall, and proposed shipments grouped by the buyers' PIN codes. Partners order from
//! their phones; the distributor acts over REST; the phones show what the buyer sees after a
//! sync round.
//!
//! The distributor `acme-dist` is in Pune, Maharashtra (27). Every buyer is in Maharashtra too.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_device::Device;
use dms_domain::Timestamp;
use dms_server::access::Principal;
use dms_tests::back_office::{BackOffice, DAL_AND_DETERGENT_PRICES, KIRANA_12, Party, transport_with_lorry_receipt};
use serde_json::{Value, json};

/// A partner: its GST details and location, and its user's token.
struct Buyer {
    party: Party<'static>,
    principal: Principal,
    token: String,
}

/// Starts the seller's back office with DM-001 and DM-012 priced.
async fn setup() -> BackOffice {
    let setup = BackOffice::start(DAL_AND_DETERGENT_PRICES).await;
    assert_eq!(setup.pricing_import.priced, 2);
    setup
}

/// Issues a token for `user` buying for `party`.
fn add_buyer(setup: &BackOffice, user: &str, party: Party<'static>) -> Buyer {
    let (principal, token) = setup.partner_token(user, party.id);
    Buyer {
        party,
        principal,
        token,
    }
}

fn kirana_12(setup: &BackOffice) -> Buyer {
    add_buyer(setup, "asha", KIRANA_12)
}

fn kirana_34(setup: &BackOffice) -> Buyer {
    let party = Party {
        id: "kirana-34",
        gstin: "27AABCK1234L1ZP",
        legal_name: "Kirana Thirty Four",
        district: "Mumbai",
        pin: "400001",
    };
    add_buyer(setup, "meena", party)
}

fn kirana_56(setup: &BackOffice) -> Buyer {
    let party = Party {
        id: "kirana-56",
        gstin: "27AACCM5678N1ZQ",
        legal_name: "Kirana Fifty Six",
        district: "Pune",
        pin: "411001",
    };
    add_buyer(setup, "farid", party)
}

fn open_phone(setup: &BackOffice, buyer: &Buyer, name: &str) -> Device {
    setup.server.device(name, &buyer.principal, &buyer.token)
}

/// Orders 10 DM-001 for `buyer`, reserves them and plans one shipment; returns its id.
async fn planned_shipment_of(setup: &BackOffice, buyer: &Buyer, phone: &Device) -> String {
    let sales_order = setup.order_in_full(&buyer.party, phone, &[("DM-001", "10")]).await;
    setup
        .receive_stock(json!([{"product_id": "DM-001", "quantity": "10"}]))
        .await;
    setup.reserve(&sales_order).await;
    setup
        .plan_shipment(&sales_order, transport_with_lorry_receipt(), &[])
        .await
}

fn texts(comments: &Value) -> Vec<&str> {
    comments
        .as_array()
        .unwrap()
        .iter()
        .map(|comment| comment["text"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipment_comments_reach_buyer_device() {
    let setup = setup().await;
    let buyer = kirana_12(&setup);
    let phone = open_phone(&setup, &buyer, "phone-a");
    let shipment = planned_shipment_of(&setup, &buyer, &phone).await;
    let comments_path = format!("shipments/{shipment}/comments");

    let (status, from_buyer) = setup
        .post(
            &buyer.token,
            &comments_path,
            json!({"text": "  Please deliver after 4 pm \n"}),
        )
        .await;
    assert_eq!(status, 201, "{from_buyer}");
    assert_eq!(from_buyer["text"], "Please deliver after 4 pm");
    assert_eq!(from_buyer["author"], "asha");
    assert_eq!(from_buyer["party"], "kirana-12");
    assert_eq!(from_buyer["shipment_id"], shipment.as_str());
    assert_eq!(from_buyer["id"].as_str().unwrap().len(), 26, "{from_buyer}");

    let (status, from_seller) = setup
        .post(
            &setup.admin_token,
            &comments_path,
            json!({"text": "The truck leaves Pune at 8 am"}),
        )
        .await;
    assert_eq!(status, 201, "{from_seller}");
    assert_eq!(from_seller["author"], "acme-admin");
    assert_eq!(from_seller["party"], "acme-dist");

    // Another buyer cannot see the shipment, so cannot comment on it.
    let other = add_buyer(
        &setup,
        "nisha",
        Party {
            id: "kirana-99",
            gstin: "27AADCN4321P1ZR",
            legal_name: "Kirana Ninety Nine",
            district: "Thane",
            pin: "400601",
        },
    );
    let (status, refused) = setup
        .post(&other.token, &comments_path, json!({"text": "Where is my order?"}))
        .await;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(refused["code"], "not_found");

    // Blank and overlong text is refused and stores nothing.
    let (status, refused) = setup.post(&buyer.token, &comments_path, json!({"text": "  \n "})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["code"], "invalid_comment");
    let (status, refused) = setup
        .post(&setup.admin_token, &comments_path, json!({"text": "x".repeat(2001)}))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["code"], "invalid_comment");

    // The buyer's schedule lists both comments, oldest first, with ISO dates on the shipment.
    let listed = setup.get_ok(&buyer.token, "shipments").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        texts(&listed[0]["comments"]),
        ["Please deliver after 4 pm", "The truck leaves Pune at 8 am"]
    );
    assert_eq!(listed[0]["shipment"]["planned_dispatch_on"], "2026-05-05");
    assert_eq!(listed[0]["shipment"]["planned_delivery_on"], "2026-05-06");
    assert_eq!(
        listed[0]["shipment"]["transport"]["lorry_receipt"]["date"],
        "2026-05-05"
    );
    let others = setup.get_ok(&other.token, "shipments").await;
    assert!(others.as_array().unwrap().is_empty(), "{others}");

    // The phone shows them offline after a sync round.
    phone.sync_now().await.unwrap();
    let seen = phone.orders().unwrap().unwrap();
    assert_eq!(seen.shipments.len(), 1);
    let comments = &seen.shipments[0].comments;
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].text, "Please deliver after 4 pm");
    assert_eq!(comments[0].author.as_str(), "asha");
    assert_eq!(comments[0].party.as_str(), "kirana-12");
    assert_eq!(comments[1].text, "The truck leaves Pune at 8 am");
    assert_eq!(comments[1].party.as_str(), "acme-dist");
    assert!(comments[0].at <= comments[1].at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_visit_shows_who_is_coming() {
    let setup = setup().await;
    let buyer = kirana_12(&setup);
    let phone = open_phone(&setup, &buyer, "phone-a");
    let shipment = planned_shipment_of(&setup, &buyer, &phone).await;
    let visit_path = format!("shipments/{shipment}/delivery-visit");
    setup
        .server
        .token_for(&setup.tenant, "ravi-driver", "delivery_driver", None);
    setup
        .server
        .token_for(&setup.tenant, "sunil-sales", "distributor_salesperson", None);

    // The seller records the driver's name and mobile number; a bad number changes nothing.
    let (status, contact) = setup
        .put(
            &setup.admin_token,
            "users/ravi-driver/contact",
            json!({"name": " Ravi Kumar ", "phone": "+91 98765-43210"}),
        )
        .await;
    assert_eq!(status, 200, "{contact}");
    assert_eq!(contact, json!({"name": "Ravi Kumar", "phone": "9876543210"}));
    let (status, problem) = setup
        .put(
            &setup.admin_token,
            "users/ravi-driver/contact",
            json!({"name": "Ravi", "phone": "12345"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("ten-digit mobile number"),
        "{problem}"
    );
    let (status, _) = setup
        .put(
            &setup.admin_token,
            "users/nobody/contact",
            json!({"name": "Nobody", "phone": "9876543210"}),
        )
        .await;
    assert_eq!(status, 404);

    // First assignment: the vehicle defaults to the shipment's.
    let (status, record) = setup
        .put(
            &setup.admin_token,
            &visit_path,
            json!({"representative": "ravi-driver",
                   "arrive_from": "2026-05-06T10:00:00+05:30", "arrive_to": "2026-05-06T12:00:00+05:30"}),
        )
        .await;
    assert_eq!(status, 200, "{record}");
    let visit = &record["delivery_visit"];
    assert_eq!(visit["representative"]["user_id"], "ravi-driver");
    assert_eq!(visit["representative"]["role"], "delivery_driver");
    assert_eq!(visit["representative"]["name"], "Ravi Kumar");
    assert_eq!(visit["representative"]["phone"], "9876543210");
    assert_eq!(visit["vehicle"], "MH12AB1234");
    assert_eq!(visit["assigned_by"], "acme-admin");

    // Reassigning replaces it.
    let (status, record) = setup
        .put(
            &setup.admin_token,
            &visit_path,
            json!({"representative": "sunil-sales", "vehicle_number": "KA-01-F-0001",
                   "arrive_from": "2026-05-06T14:00:00+05:30", "arrive_to": "2026-05-06T16:30:00+05:30"}),
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["delivery_visit"]["representative"]["user_id"], "sunil-sales");

    // Refusals change nothing: unknown user, a buyer's user, a window ending before it starts,
    // a bad vehicle number, and a buyer assigning.
    let refusals = [
        (
            json!({"representative": "nobody", "arrive_from": "2026-05-06T10:00:00+05:30",
                   "arrive_to": "2026-05-06T12:00:00+05:30"}),
            "unknown_representative",
        ),
        (
            json!({"representative": "asha", "arrive_from": "2026-05-06T10:00:00+05:30",
                   "arrive_to": "2026-05-06T12:00:00+05:30"}),
            "unknown_representative",
        ),
        (
            json!({"representative": "ravi-driver", "arrive_from": "2026-05-06T12:00:00+05:30",
                   "arrive_to": "2026-05-06T10:00:00+05:30"}),
            "invalid_arrival_window",
        ),
        (
            json!({"representative": "ravi-driver", "vehicle_number": "TRUCK 7",
                   "arrive_from": "2026-05-06T10:00:00+05:30", "arrive_to": "2026-05-06T12:00:00+05:30"}),
            "invalid_input",
        ),
    ];
    for (body, code) in refusals {
        let (status, refused) = setup.put(&setup.admin_token, &visit_path, body).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["code"], code, "{refused}");
    }
    let (status, refused) = setup
        .put(
            &buyer.token,
            &visit_path,
            json!({"representative": "ravi-driver", "arrive_from": "2026-05-06T10:00:00+05:30",
                   "arrive_to": "2026-05-06T12:00:00+05:30"}),
        )
        .await;
    assert_eq!(status, 403, "{refused}");

    // The buyer sees who is coming, when and in which vehicle.
    let listed = setup.get_ok(&buyer.token, "shipments").await;
    let visit = &listed[0]["delivery_visit"];
    assert_eq!(visit["representative"]["user_id"], "sunil-sales");
    assert_eq!(visit["representative"]["login"], "sunil-sales");
    assert_eq!(visit["arrive_from"], "2026-05-06T14:00:00+05:30");
    assert_eq!(visit["arrive_to"], "2026-05-06T16:30:00+05:30");
    assert_eq!(visit["vehicle"], "KA01F0001");

    phone.sync_now().await.unwrap();
    let seen = phone.orders().unwrap().unwrap();
    let visit = seen.shipments[0].delivery_visit.as_ref().unwrap();
    assert_eq!(visit.representative.login, "sunil-sales");
    assert_eq!(
        visit.arrive_from,
        "2026-05-06T14:00:00+05:30".parse::<Timestamp>().unwrap()
    );
    assert_eq!(
        visit.arrive_to,
        "2026-05-06T16:30:00+05:30".parse::<Timestamp>().unwrap()
    );
    assert_eq!(visit.vehicle.as_ref().unwrap().as_str(), "KA01F0001");

    // Once delivered, the delivery cannot be reassigned.
    setup.post_event(&shipment, json!({"event": "dispatch"})).await;
    setup.post_event(&shipment, json!({"event": "in_transit"})).await;
    setup
        .post_event(
            &shipment,
            json!({"event": "deliver", "lines": [{"line_no": 1, "quantity": "10"}]}),
        )
        .await;
    let (status, refused) = setup
        .put(
            &setup.admin_token,
            &visit_path,
            json!({"representative": "ravi-driver", "arrive_from": "2026-05-06T10:00:00+05:30",
                   "arrive_to": "2026-05-06T12:00:00+05:30"}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "shipment_final");
    let listed = setup.get_ok(&setup.admin_token, "shipments").await;
    assert_eq!(listed[0]["delivery_visit"]["representative"]["user_id"], "sunil-sales");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fulfilment_plan_dates_orders_and_schedules_production() {
    let setup = setup().await;
    let first_buyer = kirana_12(&setup);
    let second_buyer = kirana_34(&setup);
    let first_phone = open_phone(&setup, &first_buyer, "phone-a");
    let second_phone = open_phone(&setup, &second_buyer, "phone-b");

    // The older order: 10 dal and 4 detergent. The newer one: 6 dal.
    let first = setup
        .order_in_full(&first_buyer.party, &first_phone, &[("DM-001", "10"), ("DM-012", "4")])
        .await;
    let second = setup
        .order_in_full(&second_buyer.party, &second_phone, &[("DM-001", "6")])
        .await;

    // Stock covers 8 dal and all the detergent of the first order; nothing is left for the second.
    setup
        .receive_stock(json!([{"product_id": "DM-001", "quantity": "8"}, {"product_id": "DM-012", "quantity": "4"}]))
        .await;
    let reserved = setup.reserve(&first).await;
    assert_eq!(reserved["backorders"][0]["quantity"], "2", "{reserved}");
    let reserved = setup.reserve(&second).await;
    assert_eq!(reserved["backorders"][0]["quantity"], "6", "{reserved}");

    // 5 dal bought, due on 10 June; 2 dal from production, due on 5 June.
    let (status, purchase) = setup
        .post(
            &setup.admin_token,
            "supply-entries",
            json!({"product_id": "DM-001", "quantity": "5", "expected_on": "2026-06-10", "source": "purchase"}),
        )
        .await;
    assert_eq!(status, 201, "{purchase}");
    assert_eq!(purchase["expected_on"], "2026-06-10");
    let (status, production) = setup
        .post(
            &setup.admin_token,
            "supply-entries",
            json!({"product_id": "DM-001", "quantity": "2", "expected_on": "2026-06-05", "source": "production"}),
        )
        .await;
    assert_eq!(status, 201, "{production}");
    let (status, refused) = setup
        .post(
            &setup.admin_token,
            "supply-entries",
            json!({"product_id": "DM-999", "quantity": "2", "expected_on": "2026-06-05", "source": "production"}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");

    let entries = setup.get_ok(&setup.admin_token, "supply-entries").await;
    let expected: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["expected_on"].as_str().unwrap())
        .collect();
    assert_eq!(expected, ["2026-06-05", "2026-06-10"]);

    // The first order takes the earliest supply: its 2 missing dal come from production on
    // 5 June. The second gets the 5 purchased on 10 June, and 1 is a shortfall.
    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    let orders = plan["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2, "{plan}");

    assert_eq!(orders[0]["sales_order_id"], first.as_str());
    assert_eq!(orders[0]["buyer_id"], "kirana-12");
    assert_eq!(orders[0]["ready"], false);
    assert_eq!(orders[0]["expected_complete_on"], "2026-06-05");
    let from_stock = orders[0]["from_stock"].as_array().unwrap();
    assert_eq!(from_stock.len(), 2);
    assert_eq!(from_stock[0]["product_id"], "DM-001");
    assert_eq!(from_stock[0]["warehouse"], "WH-PUNE");
    assert_eq!(from_stock[0]["quantity"], "8");
    assert_eq!(from_stock[1]["product_id"], "DM-012");
    assert_eq!(from_stock[1]["quantity"], "4");
    let awaiting = orders[0]["awaiting"].as_array().unwrap();
    assert_eq!(awaiting.len(), 1);
    assert_eq!(awaiting[0]["line_no"], 1);
    assert_eq!(awaiting[0]["quantity"], "2");
    assert_eq!(awaiting[0]["supply"], json!(["production", production["id"]]));
    assert_eq!(awaiting[0]["expected_on"], "2026-06-05");

    assert_eq!(orders[1]["sales_order_id"], second.as_str());
    assert_eq!(orders[1]["expected_complete_on"], Value::Null);
    assert!(orders[1]["from_stock"].as_array().unwrap().is_empty());
    let awaiting = orders[1]["awaiting"].as_array().unwrap();
    assert_eq!(awaiting.len(), 2);
    assert_eq!(awaiting[0]["quantity"], "5");
    assert_eq!(awaiting[0]["supply"], json!(["purchase", purchase["id"]]));
    assert_eq!(awaiting[0]["expected_on"], "2026-06-10");
    assert_eq!(awaiting[1]["quantity"], "1");
    assert_eq!(awaiting[1]["supply"], Value::Null);
    assert_eq!(awaiting[1]["expected_on"], Value::Null);
    assert_eq!(plan["shortfall"], json!([{"product_id": "DM-001", "quantity": "1"}]));

    // Production for the shortfall: one entry of 1 dal, then nothing on the second call.
    let (status, raised) = setup
        .post(
            &setup.admin_token,
            "fulfilment-plan/production",
            json!({"expected_on": "2026-06-20"}),
        )
        .await;
    assert_eq!(status, 201, "{raised}");
    let raised = raised.as_array().unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0]["product_id"], "DM-001");
    assert_eq!(raised[0]["quantity"], "1");
    assert_eq!(raised[0]["source"], "production");
    assert_eq!(raised[0]["expected_on"], "2026-06-20");
    let (status, again) = setup
        .post(
            &setup.admin_token,
            "fulfilment-plan/production",
            json!({"expected_on": "2026-06-21"}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, json!([]));

    let plan = setup.get_ok(&setup.admin_token, "fulfilment-plan").await;
    assert_eq!(plan["orders"][1]["expected_complete_on"], "2026-06-20");
    assert_eq!(plan["orders"][1]["awaiting"][1]["quantity"], "1");
    assert_eq!(plan["orders"][1]["awaiting"][1]["expected_on"], "2026-06-20");
    assert_eq!(plan["shortfall"], json!([]));
    let entries = setup.get_ok(&setup.admin_token, "supply-entries").await;
    assert_eq!(entries.as_array().unwrap().len(), 3);

    // Buyers see none of it.
    for path in [
        "fulfilment-plan",
        "supply-entries",
        "delivery-plan?dispatch_on=2026-06-01",
    ] {
        let (status, refused) = setup.get(&first_buyer.token, path).await;
        assert_eq!(status, 403, "{path}: {refused}");
    }
    let (status, refused) = setup
        .post(
            &first_buyer.token,
            "fulfilment-plan/production",
            json!({"expected_on": "2026-06-20"}),
        )
        .await;
    assert_eq!(status, 403, "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_plan_groups_buyers_by_pin_code() {
    let setup = setup().await;
    let mumbai_a = kirana_12(&setup);
    let mumbai_b = kirana_34(&setup);
    let pune = kirana_56(&setup);

    let first = setup
        .order_in_full(
            &mumbai_a.party,
            &open_phone(&setup, &mumbai_a, "phone-a"),
            &[("DM-001", "3"), ("DM-012", "2")],
        )
        .await;
    let second = setup
        .order_in_full(
            &mumbai_b.party,
            &open_phone(&setup, &mumbai_b, "phone-b"),
            &[("DM-001", "4")],
        )
        .await;
    let third = setup
        .order_in_full(&pune.party, &open_phone(&setup, &pune, "phone-c"), &[("DM-012", "5")])
        .await;

    // Enough for the Mumbai orders; the Pune order gets 3 of its 5 detergent.
    setup
        .receive_stock(json!([{"product_id": "DM-001", "quantity": "7"}, {"product_id": "DM-012", "quantity": "5"}]))
        .await;
    for order in [&first, &second, &third] {
        setup.reserve(order).await;
    }

    let proposals = setup
        .get_ok(
            &setup.admin_token,
            "delivery-plan?dispatch_on=2026-06-02&grouping=ready_lines",
        )
        .await;
    let proposals = proposals.as_array().unwrap();
    assert_eq!(proposals.len(), 2, "{proposals:?}");

    let mumbai = &proposals[0];
    assert_eq!(mumbai["dispatch_on"], "2026-06-02");
    assert_eq!(mumbai["warehouse"], "WH-PUNE");
    assert_eq!(mumbai["state"], "27");
    assert_eq!(mumbai["district"], "Mumbai");
    assert_eq!(mumbai["pin"], "400001");
    assert_eq!(mumbai["sales_orders"], json!([first, second]));
    let lines = mumbai["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        (
            &lines[0]["sales_order_id"],
            &lines[0]["product_id"],
            &lines[0]["quantity"]
        ),
        (&json!(first), &json!("DM-001"), &json!("3"))
    );
    assert_eq!(
        (
            &lines[1]["sales_order_id"],
            &lines[1]["product_id"],
            &lines[1]["quantity"]
        ),
        (&json!(first), &json!("DM-012"), &json!("2"))
    );
    assert_eq!(
        (
            &lines[2]["sales_order_id"],
            &lines[2]["product_id"],
            &lines[2]["quantity"]
        ),
        (&json!(second), &json!("DM-001"), &json!("4"))
    );

    let pune_proposal = &proposals[1];
    assert_eq!(pune_proposal["district"], "Pune");
    assert_eq!(pune_proposal["pin"], "411001");
    assert_eq!(pune_proposal["sales_orders"], json!([third]));
    assert_eq!(pune_proposal["lines"][0]["product_id"], "DM-012");
    assert_eq!(pune_proposal["lines"][0]["quantity"], "3");
    assert_eq!(pune_proposal["lines"].as_array().unwrap().len(), 1);

    // Shipping complete orders only holds back the Pune order, which still waits for 2.
    let complete = setup
        .get_ok(
            &setup.admin_token,
            "delivery-plan?dispatch_on=2026-06-02&grouping=complete_orders",
        )
        .await;
    assert_eq!(complete.as_array().unwrap().len(), 1, "{complete}");
    assert_eq!(complete[0]["pin"], "400001");
    assert_eq!(complete[0]["sales_orders"], json!([first, second]));

    let (status, refused) = setup
        .get(&setup.admin_token, "delivery-plan?dispatch_on=02-06-2026")
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["code"], "invalid_query");
}
