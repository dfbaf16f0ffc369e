//! The required pricing and GST cases, each with the exact figures it must produce.

mod common;

use common::*;
use dms_pricing::gst::rounding::round_rupee;
use dms_pricing::gst::{
    PlaceOfSupply, PlaceOfSupplyBasis, SupplyAddresses, TaxableLine, compute_tax_breakdown, validate_tax_breakdown,
};
use dms_pricing::{Benefit, FreeGoods, FreeGoodsSlab, PricingError, SchemeKind, Slab, StackingPolicy, Trigger};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn percent_off(percent: Decimal) -> Benefit {
    Benefit::PercentOff { percent }
}

fn discount_on(product: &str, benefit: Benefit) -> SchemeKind {
    SchemeKind::Discount {
        products: vec![product_id(product)],
        benefit,
    }
}

fn free_of(product: &str, quantity: Decimal) -> FreeGoods {
    FreeGoods {
        product: product_id(product),
        quantity,
        unit: None,
    }
}

fn intra_state() -> PlaceOfSupply {
    PlaceOfSupply::determine(
        &SupplyAddresses {
            supplier_state: state("27"),
            bill_to_state: state("27"),
            ship_to_state: state("27"),
        },
        PlaceOfSupplyBasis::BillTo,
    )
}

fn taxable(line_id: &str, gst_rate: Decimal, amount: Decimal, amount_includes_gst: bool) -> TaxableLine {
    TaxableLine {
        line_id: line_id.to_owned(),
        hsn: "1905".to_owned(),
        gst_rate,
        amount,
        amount_includes_gst,
    }
}

// Case 1: 1 Box = 5 units; slab 5–7 units at 17.5 % off; list 100 per unit.
#[test]
fn slab_in_boxes_converts_to_units() {
    let products = || vec![product("A", "unit", &[("Box", dec!(5))], dec!(100))];
    let slab = SchemeKind::QuantitySlabs {
        products: vec![product_id("A")],
        unit: None,
        slabs: vec![Slab {
            min: dec!(5),
            max: Some(dec!(7)),
            benefit: percent_off(dec!(17.5)),
        }],
    };
    let schemes = || vec![scheme("SLAB", 1, None, slab.clone())];

    let one_box = price(
        products(),
        schemes(),
        &order(vec![line("L1", "A", dec!(1), Some("Box"))]),
    )
    .unwrap();
    let priced = line_by_id(&one_box, "L1");
    assert_eq!(priced.base_quantity, dec!(5));
    assert_eq!(priced.net_rate_per_base_unit, dec!(82.50));
    assert_eq!(priced.net_rate, dec!(412.50));
    assert_eq!(priced.net_amount, dec!(412.50));
    assert_eq!(applied_ids(priced), vec!["SLAB"]);

    let two_boxes = price(
        products(),
        schemes(),
        &order(vec![line("L1", "A", dec!(2), Some("Box"))]),
    )
    .unwrap();
    let priced = line_by_id(&two_boxes, "L1");
    assert_eq!(priced.base_quantity, dec!(10));
    assert!(priced.applied.is_empty());
    assert_eq!(priced.net_rate_per_base_unit, dec!(100.00));
    assert_eq!(priced.net_amount, dec!(1000.00));
}

#[test]
fn slab_stated_in_boxes_matches_units() {
    let products = vec![product("A", "unit", &[("Box", dec!(5))], dec!(100))];
    let slab = SchemeKind::QuantitySlabs {
        products: vec![product_id("A")],
        unit: Some("Box".to_owned()),
        slabs: vec![Slab {
            min: dec!(1),
            max: Some(dec!(1.4)),
            benefit: percent_off(dec!(17.5)),
        }],
    };
    let priced = price(
        products,
        vec![scheme("SLAB", 1, None, slab)],
        &order(vec![line("L1", "A", dec!(5), None)]),
    )
    .unwrap();
    assert_eq!(line_by_id(&priced, "L1").net_rate_per_base_unit, dec!(82.50));
}

// Case 2: 20 % and 10 % on 100.
#[test]
fn additive_and_compounding_stack() {
    let run = |policy| {
        let schemes = vec![
            scheme("S20", 1, Some(policy), discount_on("A", percent_off(dec!(20)))),
            scheme("S10", 1, Some(policy), discount_on("A", percent_off(dec!(10)))),
        ];
        let products = vec![product("A", "pcs", &[], dec!(100))];
        price(products, schemes, &order(vec![line("L1", "A", dec!(1), None)])).unwrap()
    };

    let additive = run(StackingPolicy::Additive);
    assert_eq!(line_by_id(&additive, "L1").net_amount, dec!(70.00));
    assert_eq!(line_by_id(&additive, "L1").line_discount, dec!(30.00));

    let compounding = run(StackingPolicy::Compounding);
    assert_eq!(line_by_id(&compounding, "L1").net_amount, dec!(72.00));
    let amounts: Vec<Decimal> = line_by_id(&compounding, "L1")
        .applied
        .iter()
        .map(|applied| applied.amount)
        .collect();
    // Applied in scheme id order: S10 first (10.00 off 100), then S20 (18.00 off 90).
    assert_eq!(amounts, vec![dec!(10.00), dec!(18.00)]);
}

// Case 3: 10 % plus a flat 100 off on 1,000.
#[test]
fn percent_and_flat_add_on_list_amount() {
    let schemes = vec![
        scheme(
            "PCT",
            1,
            Some(StackingPolicy::Additive),
            discount_on("A", percent_off(dec!(10))),
        ),
        scheme(
            "FLAT",
            1,
            Some(StackingPolicy::Additive),
            discount_on("A", Benefit::FlatOffPerLine { amount: dec!(100) }),
        ),
    ];
    let products = vec![product("A", "pcs", &[], dec!(1000))];
    let priced = price(products, schemes, &order(vec![line("L1", "A", dec!(1), None)])).unwrap();
    let line = line_by_id(&priced, "L1");
    assert_eq!(line.line_discount, dec!(200.00));
    assert_eq!(line.net_rate, dec!(800.00));
}

#[test]
fn flat_per_unit_scales_with_quantity() {
    let schemes = vec![scheme(
        "FLAT",
        1,
        None,
        discount_on(
            "A",
            Benefit::FlatOffPerUnit {
                amount: dec!(3),
                unit: Some("Box".to_owned()),
            },
        ),
    )];
    let products = vec![product("A", "pcs", &[("Box", dec!(6))], dec!(10))];
    let priced = price(products, schemes, &order(vec![line("L1", "A", dec!(12), None)])).unwrap();
    // 12 pcs = 2 Boxes, so 6.00 off 120.00.
    assert_eq!(line_by_id(&priced, "L1").net_amount, dec!(114.00));
}

// Case 4: priority 3 beats priority 1; equal priority without a policy is a conflict.
#[test]
fn higher_priority_number_wins() {
    let schemes = vec![
        scheme("LOW", 1, None, discount_on("A", percent_off(dec!(10)))),
        scheme("HIGH", 3, None, discount_on("A", percent_off(dec!(20)))),
    ];
    let products = vec![product("A", "pcs", &[], dec!(1000))];
    let priced = price(products, schemes, &order(vec![line("L1", "A", dec!(1), None)])).unwrap();
    let line = line_by_id(&priced, "L1");
    assert_eq!(line.net_amount, dec!(800.00));
    assert_eq!(applied_ids(line), vec!["HIGH"]);
    assert_eq!(line.set_aside.len(), 1);
    assert_eq!(line.set_aside[0].scheme_id.as_str(), "LOW");
}

#[test]
fn equal_priority_without_policy_conflicts() {
    let schemes = vec![
        scheme("S-A", 2, None, discount_on("A", percent_off(dec!(10)))),
        scheme("S-B", 2, None, discount_on("A", percent_off(dec!(20)))),
    ];
    let products = vec![product("A", "pcs", &[], dec!(1000))];
    let error = price(products, schemes, &order(vec![line("L1", "A", dec!(1), None)])).unwrap_err();
    let PricingError::SchemeConflict { schemes, priority, .. } = &error else {
        panic!("expected a scheme conflict, got {error:?}");
    };
    let ids: Vec<&str> = schemes.iter().map(|id| id.as_str()).collect();
    assert_eq!(ids, vec!["S-A", "S-B"]);
    assert_eq!(*priority, 2);
    assert_eq!(
        error.to_string(),
        "schemes S-A, S-B conflict on product A at priority 2: stacking policies S-A unspecified, \
         S-B unspecified; give them different priorities or all the same additive or compounding policy"
    );
}

#[test]
fn mixed_or_exclusive_policies_conflict() {
    let pairs = [
        (Some(StackingPolicy::Exclusive), Some(StackingPolicy::Exclusive)),
        (Some(StackingPolicy::Additive), Some(StackingPolicy::Compounding)),
        (Some(StackingPolicy::Additive), None),
    ];
    for (first, second) in pairs {
        let schemes = vec![
            scheme("S1", 1, first, discount_on("A", percent_off(dec!(10)))),
            scheme("S2", 1, second, discount_on("A", percent_off(dec!(20)))),
        ];
        let products = vec![product("A", "pcs", &[], dec!(1000))];
        let result = price(products, schemes, &order(vec![line("L1", "A", dec!(1), None)]));
        assert!(
            matches!(result, Err(PricingError::SchemeConflict { .. })),
            "{first:?} with {second:?} should conflict"
        );
    }
}

#[test]
fn exclusive_scheme_alone_applies() {
    let schemes = vec![scheme(
        "ONLY",
        1,
        Some(StackingPolicy::Exclusive),
        discount_on("A", percent_off(dec!(10))),
    )];
    let products = vec![product("A", "pcs", &[], dec!(1000))];
    let priced = price(products, schemes, &order(vec![line("L1", "A", dec!(1), None)])).unwrap();
    assert_eq!(line_by_id(&priced, "L1").net_amount, dec!(900.00));
}

// Case 5: buy 20 get 1 free, floored; buy 10 get 1 at 15.
#[test]
fn buy_twenty_get_one_floors() {
    let products = || vec![product("A", "pcs", &[], dec!(10))];
    let buy_get = |buy| {
        vec![scheme(
            "BXGY",
            1,
            None,
            SchemeKind::BuyGetFree {
                product: product_id("A"),
                buy,
                buy_unit: None,
                free: free_of("A", dec!(1)),
            },
        )]
    };

    for quantity in 1..=59 {
        let priced = price(
            products(),
            buy_get(dec!(20)),
            &order(vec![line("L1", "A", Decimal::from(quantity), None)]),
        )
        .unwrap();
        let free: Decimal = priced.free_lines.iter().map(|free| free.quantity).sum();
        let expected = Decimal::from(quantity / 20);
        assert_eq!(free, expected, "quantity {quantity}");
        assert_eq!(priced.free_lines.is_empty(), quantity < 20, "quantity {quantity}");
    }

    let priced = price(
        products(),
        buy_get(dec!(10)),
        &order(vec![line("L1", "A", dec!(15), None)]),
    )
    .unwrap();
    assert_eq!(priced.free_lines.len(), 1);
    assert_eq!(priced.free_lines[0].quantity, dec!(1));
}

// Case 6: A 4–9 → 1 free B; A ≥ 10 → 3 free B; and 1 free per 16.
#[test]
fn free_goods_slabs_follow_quantity() {
    let products = || vec![product("A", "pcs", &[], dec!(50)), product("B", "pcs", &[], dec!(20))];
    let slabs = || {
        vec![scheme(
            "AB",
            1,
            None,
            SchemeKind::FreeGoodsSlabs {
                product: product_id("A"),
                unit: None,
                slabs: vec![
                    FreeGoodsSlab {
                        min: dec!(4),
                        max: Some(dec!(9)),
                        free: free_of("B", dec!(1)),
                    },
                    FreeGoodsSlab {
                        min: dec!(10),
                        max: None,
                        free: free_of("B", dec!(3)),
                    },
                ],
            },
        )]
    };

    let at_ten = price(products(), slabs(), &order(vec![line("L1", "A", dec!(10), None)])).unwrap();
    assert_eq!(at_ten.free_lines.len(), 1);
    assert_eq!(at_ten.free_lines[0].product_id, product_id("B"));
    assert_eq!(at_ten.free_lines[0].quantity, dec!(3));
    assert_eq!(at_ten.free_lines[0].list_value, dec!(60.00));

    let at_five = price(products(), slabs(), &order(vec![line("L1", "A", dec!(5), None)])).unwrap();
    assert_eq!(at_five.free_lines.len(), 1);
    assert_eq!(at_five.free_lines[0].quantity, dec!(1));

    let at_three = price(products(), slabs(), &order(vec![line("L1", "A", dec!(3), None)])).unwrap();
    assert!(at_three.free_lines.is_empty());
}

#[test]
fn free_line_disappears_below_lot() {
    let products = || vec![product("A", "pcs", &[], dec!(50)), product("B", "pcs", &[], dec!(20))];
    let per_sixteen = || {
        vec![scheme(
            "B16",
            1,
            None,
            SchemeKind::BuyGetFree {
                product: product_id("A"),
                buy: dec!(16),
                buy_unit: None,
                free: free_of("B", dec!(1)),
            },
        )]
    };
    let at_sixteen = price(products(), per_sixteen(), &order(vec![line("L1", "A", dec!(16), None)])).unwrap();
    assert_eq!(at_sixteen.free_lines.len(), 1);
    assert_eq!(applied_ids(line_by_id(&at_sixteen, "L1")), vec!["B16"]);

    let at_fifteen = price(products(), per_sixteen(), &order(vec![line("L1", "A", dec!(15), None)])).unwrap();
    assert!(at_fifteen.free_lines.is_empty());
    assert!(line_by_id(&at_fifteen, "L1").applied.is_empty());
}

// Case 7: 1 Box = 10 Nos; a scheme sets the Box rate to 85.
#[test]
fn rate_override_per_box_is_not_multiplied() {
    let products = || vec![product("A", "Nos", &[("Box", dec!(10))], dec!(10))];
    let override_box = || {
        vec![scheme(
            "BOX85",
            1,
            None,
            discount_on(
                "A",
                Benefit::RateOverride {
                    rate: dec!(85),
                    unit: Some("Box".to_owned()),
                },
            ),
        )]
    };

    let one_box = price(
        products(),
        override_box(),
        &order(vec![line("L1", "A", dec!(1), Some("Box"))]),
    )
    .unwrap();
    let boxed = line_by_id(&one_box, "L1");
    assert_eq!(boxed.unit, "Box");
    assert_eq!(boxed.list_rate, dec!(100.00));
    assert_eq!(boxed.net_rate, dec!(85.00));
    assert_eq!(boxed.net_amount, dec!(85.00));
    assert_eq!(boxed.net_rate_per_base_unit, dec!(8.50));

    let three_boxes = price(
        products(),
        override_box(),
        &order(vec![line("L1", "A", dec!(3), Some("Box"))]),
    )
    .unwrap();
    assert_eq!(line_by_id(&three_boxes, "L1").net_rate, dec!(85.00));
    assert_eq!(line_by_id(&three_boxes, "L1").net_amount, dec!(255.00));
}

// Case 8: A must reach 200 in amount to give B 10 % off.
#[test]
fn cross_product_amount_trigger() {
    let products = || vec![product("A", "pcs", &[], dec!(100)), product("B", "pcs", &[], dec!(50))];
    let schemes = || {
        vec![scheme(
            "A-FOR-B",
            1,
            None,
            SchemeKind::CrossProductDiscount {
                trigger: Trigger::Amount {
                    product: product_id("A"),
                    min: dec!(200),
                },
                products: vec![product_id("B")],
                benefit: percent_off(dec!(10)),
            },
        )]
    };

    let one_a = order(vec![line("LA", "A", dec!(1), None), line("LB", "B", dec!(1), None)]);
    let priced = price(products(), schemes(), &one_a).unwrap();
    assert_eq!(line_by_id(&priced, "LB").net_amount, dec!(50.00));
    assert!(line_by_id(&priced, "LB").applied.is_empty());

    let two_a = order(vec![line("LA", "A", dec!(2), None), line("LB", "B", dec!(1), None)]);
    let priced = price(products(), schemes(), &two_a).unwrap();
    assert_eq!(line_by_id(&priced, "LB").net_amount, dec!(45.00));
    assert_eq!(line_by_id(&priced, "LA").net_amount, dec!(200.00));
}

#[test]
fn cross_product_quantity_trigger_in_cases() {
    let products = || {
        vec![
            product("A", "pcs", &[("case", dec!(24))], dec!(10)),
            product("B", "pcs", &[], dec!(50)),
        ]
    };
    let schemes = || {
        vec![scheme(
            "CASE-FOR-B",
            1,
            None,
            SchemeKind::CrossProductDiscount {
                trigger: Trigger::Quantity {
                    product: product_id("A"),
                    min: dec!(1),
                    unit: Some("case".to_owned()),
                },
                products: vec![product_id("B")],
                benefit: percent_off(dec!(10)),
            },
        )]
    };
    let short = order(vec![line("LA", "A", dec!(23), None), line("LB", "B", dec!(1), None)]);
    assert_eq!(
        line_by_id(&price(products(), schemes(), &short).unwrap(), "LB").net_amount,
        dec!(50.00)
    );
    let full = order(vec![line("LA", "A", dec!(24), None), line("LB", "B", dec!(1), None)]);
    assert_eq!(
        line_by_id(&price(products(), schemes(), &full).unwrap(), "LB").net_amount,
        dec!(45.00)
    );
}

// Case 9: 24,900 inclusive of 28 % GST, intra-state.
#[test]
fn inclusive_price_backs_out_exactly() {
    let mut inclusive = product("TV", "pcs", &[], dec!(24900));
    inclusive.rate_includes_gst = true;
    inclusive.gst_rate = Some(dec!(28));
    inclusive.hsn = "8528".to_owned();

    let priced = price(
        vec![inclusive],
        Vec::new(),
        &order(vec![line("L1", "TV", dec!(1), None)]),
    )
    .unwrap();
    let tax = &priced.tax;
    assert_eq!(tax.taxable_value, dec!(19453.12));
    assert_eq!(tax.cgst, dec!(2723.44));
    assert_eq!(tax.sgst, dec!(2723.44));
    assert_eq!(tax.cgst + tax.sgst, dec!(5446.88));
    assert_eq!(tax.igst, dec!(0));
    assert_eq!(tax.total_before_round_off, dec!(24900.00));
    assert_eq!(tax.round_off, dec!(0));
    assert_eq!(tax.grand_total.to_string(), "24900.00");
    validate_tax_breakdown(tax).unwrap();
}

#[test]
fn inclusive_price_inter_state_keeps_total() {
    let mut place = intra_state();
    place.state = state("24");
    let breakdown = compute_tax_breakdown(&place, &[taxable("L1", dec!(28), dec!(24900), true)]).unwrap();
    assert_eq!(breakdown.taxable_value, dec!(19453.12));
    assert_eq!(breakdown.igst, dec!(5446.88));
    assert_eq!(breakdown.grand_total, dec!(24900.00));
    validate_tax_breakdown(&breakdown).unwrap();
}

// Case 10: taxable 421.95 at 18 % intra-state.
#[test]
fn intra_state_tax_rounds_each_half() {
    let breakdown = compute_tax_breakdown(&intra_state(), &[taxable("L1", dec!(18), dec!(421.95), false)]).unwrap();
    let line = &breakdown.lines[0];
    assert_eq!(line.cgst, dec!(37.98));
    assert_eq!(line.sgst, dec!(37.98));
    assert_eq!(line.cgst + line.sgst, dec!(75.96));
    assert_eq!(breakdown.total_before_round_off, dec!(497.91));
    assert_eq!(breakdown.grand_total, dec!(498.00));
    assert_eq!(breakdown.round_off, dec!(0.09));
    validate_tax_breakdown(&breakdown).unwrap();
}

// Case 11: company in 27, billed to 27, shipped to 24; taxable 10,000 at 18 %.
#[test]
fn place_of_supply_basis_decides_tax_type() {
    let products = || vec![product("A", "pcs", &[], dec!(10000))];
    let mut shipped_to_gujarat = order(vec![line("L1", "A", dec!(1), None)]);
    shipped_to_gujarat.supply.ship_to_state = state("24");

    let bill_to = price_with(products(), Vec::new(), &shipped_to_gujarat, PlaceOfSupplyBasis::BillTo).unwrap();
    assert_eq!(bill_to.tax.place_of_supply.state, state("27"));
    assert_eq!(bill_to.tax.cgst, dec!(900.00));
    assert_eq!(bill_to.tax.sgst, dec!(900.00));
    assert_eq!(bill_to.tax.igst, dec!(0));

    let ship_to = price_with(products(), Vec::new(), &shipped_to_gujarat, PlaceOfSupplyBasis::ShipTo).unwrap();
    assert_eq!(ship_to.tax.place_of_supply.state, state("24"));
    assert_eq!(ship_to.tax.igst, dec!(1800.00));
    assert_eq!(ship_to.tax.cgst, dec!(0));
    assert_eq!(ship_to.tax.sgst, dec!(0));
}

// Case 12: a total of x.50 rounds up to the next rupee.
#[test]
fn round_off_half_rupee_goes_up() {
    for (total, expected) in [
        (dec!(100.50), dec!(101)),
        (dec!(101.50), dec!(102)),
        (dec!(2.50), dec!(3)),
    ] {
        assert_eq!(round_rupee(total), expected, "{total}");
        let breakdown = compute_tax_breakdown(&intra_state(), &[taxable("L1", dec!(0), total, false)]).unwrap();
        assert_eq!(breakdown.grand_total, expected, "{total}");
        assert_eq!(breakdown.round_off, dec!(0.50), "{total}");
    }
    let below_half = compute_tax_breakdown(&intra_state(), &[taxable("L1", dec!(0), dec!(100.49), false)]).unwrap();
    assert_eq!(below_half.grand_total, dec!(100));
    assert_eq!(below_half.round_off, dec!(-0.49));
}
