//! The scheme simulator on the example bundle that `dms-server price` documents.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use dms_pricing::{SimulationInput, simulate};
use rust_decimal_macros::dec;

fn example() -> SimulationInput {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/pricing/simulation.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn example_draft_order_is_priced_and_explained() {
    let simulation = simulate(&example()).unwrap();
    let priced = &simulation.priced;

    // 2 cases of oil = 24 bottles at 300 = 7,200, slab 1-4 cases gives 3 % off.
    let oil = &priced.lines[0];
    assert_eq!(oil.gross_amount, dec!(7200.00));
    assert_eq!(oil.line_discount, dec!(216.00));
    assert_eq!(oil.net_amount, dec!(6984.00));
    // 50 packs of biscuits earn 2 free packs (floor(50 / 24) = 2).
    assert_eq!(priced.free_lines.len(), 1);
    assert_eq!(priced.free_lines[0].quantity, dec!(2));
    // Intra-state: 6,984 at 5 % and 500 at 18 %.
    assert_eq!(priced.tax.taxable_value, dec!(7484.00));
    assert_eq!(priced.tax.cgst, dec!(219.60));
    assert_eq!(priced.tax.sgst, dec!(219.60));
    assert_eq!(priced.tax.igst, dec!(0));

    let text = simulation.explanation.join("\n");
    assert!(
        text.contains("OIL-CASE-SLAB: Groundnut oil case slab: order quantity 2 case is in slab 1–4 case"),
        "{text}"
    );
    assert!(text.contains("free 2 pack of DM-010 from BISCUIT-24-1"), "{text}");
}
