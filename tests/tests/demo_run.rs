//! The main job, `dms-server demo`, run in process with 12 phones: it must pass every check
//! it makes, and the counts that do not depend on which concurrent edit wins must be exact.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_server::demo::{self, DemoOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_passes_with_twelve_phones() {
    let outcome = demo::run(DemoOptions {
        catalog: None,
        devices: 12,
        seed: 7,
        progress: false,
    })
    .await
    .unwrap();

    assert!(outcome.passed(), "{}", outcome.summary());
    assert_eq!((outcome.partners, outcome.sales_reps), (5, 2));
    assert!(outcome.converged);
    assert_eq!(outcome.order_requests, outcome.submitted_carts);
    assert_eq!(outcome.duplicate_orders, 0);
    assert_eq!(outcome.lost_edits, 0);

    // Two visits per rep, one of them checked in and out while it was rescheduled.
    assert_eq!((outcome.visits, outcome.visits_completed), (4, 2));

    // Five deliveries in the field stage, each with a late edit the server refused, then
    // three order-to-cash shipments delivered by the driver's signed acknowledgement.
    assert_eq!(outcome.acknowledgements, 8);
    assert_eq!(outcome.acknowledgements_signed, 8);
    assert_eq!(outcome.alterations_refused, 5);
    assert_eq!(outcome.shipments_acknowledged, 3);
    // One pack short on the first line of each, when that line had more than one.
    assert!(
        (1..=3).contains(&outcome.delivery_exceptions),
        "{}",
        outcome.delivery_exceptions
    );

    assert_eq!(outcome.sales_orders, outcome.order_requests);
    assert_eq!(outcome.invoices, outcome.shipments);
    assert!(outcome.money_reconciles, "{}", outcome.summary());
}
