//! Behaviour beyond the required cases: order-level discounts, targeting and validity, the
//! tax breakdown validation, GST rates from the table, and schemes read from JSON.

mod common;

use common::*;
use dms_domain::PartyId;
use dms_pricing::gst::{
    GstRateEntry, GstRateTable, PlaceOfSupply, PlaceOfSupplyBasis, SupplyAddresses, SupplyType, TaxableLine,
    compute_tax_breakdown, validate_tax_breakdown,
};
use dms_pricing::{
    Benefit, Catalog, OrderBenefit, PricingContext, PricingError, Scheme, SchemeBook, SchemeEffect, SchemeKind,
    StackingPolicy, Targeting, price_order,
};
use rust_decimal_macros::dec;
use time::macros::date;

fn ten_percent_on(product: &str) -> SchemeKind {
    SchemeKind::Discount {
        products: vec![product_id(product)],
        benefit: Benefit::PercentOff { percent: dec!(10) },
    }
}

fn order_discount(min: Option<rust_decimal::Decimal>, benefit: OrderBenefit) -> SchemeKind {
    SchemeKind::OrderDiscount {
        min_order_amount: min,
        benefit,
    }
}

#[test]
fn order_discount_needs_minimum_amount() {
    let products = || vec![product("A", "pcs", &[], dec!(100)), product("B", "pcs", &[], dec!(300))];
    let schemes = || {
        vec![scheme(
            "ORD5",
            1,
            None,
            order_discount(Some(dec!(1000)), OrderBenefit::PercentOff { percent: dec!(5) }),
        )]
    };

    let small = order(vec![line("LA", "A", dec!(3), None), line("LB", "B", dec!(2), None)]);
    let priced = price(products(), schemes(), &small).unwrap();
    assert_eq!(priced.net_total, dec!(900.00));
    assert_eq!(priced.order_discount, dec!(0));
    assert!(priced.order_schemes.is_empty());

    let large = order(vec![line("LA", "A", dec!(4), None), line("LB", "B", dec!(2), None)]);
    let priced = price(products(), schemes(), &large).unwrap();
    assert_eq!(priced.net_total, dec!(1000.00));
    assert_eq!(priced.order_discount, dec!(50.00));
    // Split in proportion to 400 and 600.
    assert_eq!(line_by_id(&priced, "LA").order_discount, dec!(20.00));
    assert_eq!(line_by_id(&priced, "LB").order_discount, dec!(30.00));
    assert_eq!(line_by_id(&priced, "LB").final_amount, dec!(570.00));
    // GST is charged on the amounts after the order discount: 950 × 18 %.
    assert_eq!(priced.tax.taxable_value, dec!(950.00));
    assert_eq!(priced.tax.cgst + priced.tax.sgst, dec!(171.00));
}

#[test]
fn order_flat_discount_splits_to_the_paisa() {
    let products = vec![
        product("A", "pcs", &[], dec!(100)),
        product("B", "pcs", &[], dec!(100)),
        product("C", "pcs", &[], dec!(100)),
    ];
    let schemes = vec![scheme(
        "FLAT10",
        1,
        None,
        order_discount(None, OrderBenefit::FlatOff { amount: dec!(10) }),
    )];
    let three = order(vec![
        line("L3", "C", dec!(1), None),
        line("L1", "A", dec!(1), None),
        line("L2", "B", dec!(1), None),
    ]);
    let priced = price(products, schemes, &three).unwrap();
    // The odd paisa goes to the first line id among equal lines, wherever it sits in the order.
    assert_eq!(line_by_id(&priced, "L1").order_discount, dec!(3.34));
    assert_eq!(line_by_id(&priced, "L2").order_discount, dec!(3.33));
    assert_eq!(line_by_id(&priced, "L3").order_discount, dec!(3.33));
}

#[test]
fn targeting_limits_schemes_to_parties() {
    let products = || vec![product("A", "pcs", &[], dec!(100))];
    let targeted = |targeting: Targeting| {
        let mut only = scheme("T", 1, None, ten_percent_on("A"));
        only.targeting = targeting;
        vec![only]
    };
    let the_order = order(vec![line("L1", "A", dec!(1), None)]);
    let net = |targeting| line_by_id(&price(products(), targeted(targeting), &the_order).unwrap(), "L1").net_amount;

    let for_partner = Targeting {
        partner_ids: vec![PartyId::new("P1").unwrap()],
        ..Targeting::default()
    };
    assert_eq!(net(for_partner), dec!(90.00));

    let other_partner = Targeting {
        partner_ids: vec![PartyId::new("P2").unwrap()],
        ..Targeting::default()
    };
    assert_eq!(net(other_partner), dec!(100.00));

    // Lists combine with AND: right distributor, wrong territory.
    let distributor_and_territory = Targeting {
        distributor_ids: vec![PartyId::new("D1").unwrap()],
        territories: vec!["NASHIK".to_owned()],
        ..Targeting::default()
    };
    assert_eq!(net(distributor_and_territory), dec!(100.00));

    let group = Targeting {
        partner_group_ids: vec!["G0".to_owned(), "G1".to_owned()],
        ..Targeting::default()
    };
    assert_eq!(net(group), dec!(90.00));
}

#[test]
fn scheme_outside_validity_is_ignored() {
    let mut expired = scheme("OLD", 1, None, ten_percent_on("A"));
    expired.valid_to = date!(2025 - 06 - 14);
    let mut starts_today = scheme("NEW", 1, None, ten_percent_on("A"));
    starts_today.valid_from = ORDER_DATE;
    let products = vec![product("A", "pcs", &[], dec!(100))];
    let priced = price(
        products,
        vec![expired, starts_today],
        &order(vec![line("L1", "A", dec!(1), None)]),
    )
    .unwrap();
    assert_eq!(applied_ids(line_by_id(&priced, "L1")), vec!["NEW"]);
}

#[test]
fn discount_never_takes_line_below_zero() {
    let flat = SchemeKind::Discount {
        products: vec![product_id("A")],
        benefit: Benefit::FlatOffPerLine { amount: dec!(500) },
    };
    let products = vec![product("A", "pcs", &[], dec!(100))];
    let priced = price(
        products,
        vec![scheme("BIG", 1, None, flat)],
        &order(vec![line("L1", "A", dec!(1), None)]),
    )
    .unwrap();
    let only = line_by_id(&priced, "L1");
    assert_eq!(only.net_amount, dec!(0));
    assert_eq!(only.applied[0].amount, dec!(100.00));
    assert!(
        only.applied[0].explanation.contains("limited to 100.00"),
        "{}",
        only.applied[0].explanation
    );
}

#[test]
fn rate_override_above_list_changes_nothing() {
    let higher = SchemeKind::Discount {
        products: vec![product_id("A")],
        benefit: Benefit::RateOverride {
            rate: dec!(120),
            unit: None,
        },
    };
    let products = vec![product("A", "pcs", &[], dec!(100))];
    let priced = price(
        products,
        vec![scheme("UP", 1, None, higher)],
        &order(vec![line("L1", "A", dec!(2), None)]),
    )
    .unwrap();
    assert_eq!(line_by_id(&priced, "L1").net_amount, dec!(200.00));
}

#[test]
fn applied_scheme_explains_itself() {
    let products = vec![product("A", "pcs", &[], dec!(1000))];
    let priced = price(
        products,
        vec![scheme("PCT", 1, None, ten_percent_on("A"))],
        &order(vec![line("L1", "A", dec!(1), None)]),
    )
    .unwrap();
    let applied = &line_by_id(&priced, "L1").applied[0];
    assert_eq!(applied.scheme_id.as_str(), "PCT");
    assert_eq!(applied.amount, dec!(100.00));
    assert!(matches!(applied.effect, SchemeEffect::Discount { .. }));
    assert_eq!(applied.explanation, "Scheme PCT: 10% off 1000.00 = 100.00");
}

#[test]
fn scheme_with_unknown_unit_fails_naming_it() {
    let boxed = SchemeKind::Discount {
        products: vec![product_id("A")],
        benefit: Benefit::FlatOffPerUnit {
            amount: dec!(1),
            unit: Some("crate".to_owned()),
        },
    };
    let products = vec![product("A", "pcs", &[("Box", dec!(6))], dec!(10))];
    let error = price(
        products,
        vec![scheme("CRATE", 1, None, boxed)],
        &order(vec![line("L1", "A", dec!(1), None)]),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "scheme CRATE uses unit \"crate\", which product A does not define; defined units: pcs (base), Box = 6 pcs"
    );
}

#[test]
fn invalid_schemes_are_rejected() {
    let mut backwards = scheme("BACK", 1, None, ten_percent_on("A"));
    backwards.valid_from = date!(2025 - 12 - 31);
    backwards.valid_to = date!(2025 - 01 - 01);
    assert!(matches!(
        SchemeBook::new(vec![backwards]),
        Err(PricingError::InvalidScheme { .. })
    ));

    let too_much = SchemeKind::Discount {
        products: vec![product_id("A")],
        benefit: Benefit::PercentOff { percent: dec!(120) },
    };
    let error = SchemeBook::new(vec![scheme("MUCH", 1, None, too_much)]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid scheme MUCH: percent 120 must be greater than 0 and at most 100"
    );

    let overlapping = SchemeKind::QuantitySlabs {
        products: vec![product_id("A")],
        unit: None,
        slabs: vec![
            dms_pricing::Slab {
                min: dec!(1),
                max: Some(dec!(10)),
                benefit: Benefit::PercentOff { percent: dec!(5) },
            },
            dms_pricing::Slab {
                min: dec!(10),
                max: None,
                benefit: Benefit::PercentOff { percent: dec!(10) },
            },
        ],
    };
    assert!(matches!(
        SchemeBook::new(vec![scheme("OVERLAP", 1, None, overlapping)]),
        Err(PricingError::InvalidScheme { .. })
    ));

    let twice = vec![
        scheme("SAME", 1, None, ten_percent_on("A")),
        scheme("SAME", 2, None, ten_percent_on("A")),
    ];
    assert!(matches!(
        SchemeBook::new(twice),
        Err(PricingError::DuplicateScheme { .. })
    ));
}

#[test]
fn oversized_line_is_rejected_not_overflowed() {
    let products = vec![product("A", "pcs", &[("pallet", dec!(1000000))], dec!(1000000000000))];
    let huge = order(vec![line("L1", "A", dec!(1000000), Some("pallet"))]);
    let error = price(products, Vec::new(), &huge).unwrap_err();
    assert!(matches!(error, PricingError::InvalidOrder { .. }), "{error}");
}

#[test]
fn duplicate_line_ids_are_rejected() {
    let products = vec![product("A", "pcs", &[], dec!(10))];
    let twice = order(vec![line("L1", "A", dec!(1), None), line("L1", "A", dec!(2), None)]);
    assert!(matches!(
        price(products, Vec::new(), &twice),
        Err(PricingError::InvalidOrder { .. })
    ));
}

#[test]
fn gst_rate_comes_from_table_by_date() {
    let mut biscuits = product("A", "pcs", &[], dec!(100));
    biscuits.gst_rate = None;
    let catalog = Catalog::new(vec![biscuits]).unwrap();
    let schemes = SchemeBook::default();
    let entry = |rate, from, to| GstRateEntry {
        hsn_prefixes: vec!["1905".to_owned()],
        excluded_prefixes: Vec::new(),
        rate,
        effective_from: from,
        effective_to: to,
        source: String::new(),
        description: String::new(),
    };
    let gst_rates = GstRateTable::new(vec![
        entry(dec!(18), None, Some(date!(2025 - 09 - 21))),
        entry(dec!(5), Some(date!(2025 - 09 - 22)), None),
    ])
    .unwrap();
    let context = PricingContext {
        catalog: &catalog,
        schemes: &schemes,
        gst_rates: &gst_rates,
        place_of_supply_basis: PlaceOfSupplyBasis::BillTo,
    };

    let mut before = order(vec![line("L1", "A", dec!(1), None)]);
    before.date = date!(2025 - 09 - 21);
    assert_eq!(price_order(&before, &context).unwrap().tax.cgst, dec!(9.00));

    let mut after = before.clone();
    after.date = date!(2025 - 09 - 22);
    assert_eq!(price_order(&after, &context).unwrap().tax.cgst, dec!(2.50));
}

fn place(supplier: &str, to: &str) -> PlaceOfSupply {
    PlaceOfSupply::determine(
        &SupplyAddresses {
            supplier_state: state(supplier),
            bill_to_state: state(to),
            ship_to_state: state(to),
        },
        PlaceOfSupplyBasis::BillTo,
    )
}

fn taxable_line(amount: rust_decimal::Decimal) -> TaxableLine {
    TaxableLine {
        line_id: "L1".to_owned(),
        hsn: "1905".to_owned(),
        gst_rate: dec!(18),
        amount,
        amount_includes_gst: false,
    }
}

#[test]
fn validation_rejects_igst_on_intra_state() {
    let mut breakdown = compute_tax_breakdown(&place("27", "27"), &[taxable_line(dec!(1000))]).unwrap();
    validate_tax_breakdown(&breakdown).unwrap();

    breakdown.lines[0].cgst = dec!(0);
    breakdown.lines[0].sgst = dec!(0);
    breakdown.lines[0].igst = dec!(180.00);
    let error = validate_tax_breakdown(&breakdown).unwrap_err();
    assert_eq!(
        error,
        PricingError::WrongTaxType {
            line_id: "L1".to_owned(),
            supply_type: SupplyType::IntraState,
            tax: "IGST",
            amount: dec!(180.00),
        }
    );
    assert_eq!(
        error.to_string(),
        "line L1: an intra-state supply must not carry IGST (found 180.00)"
    );
}

#[test]
fn validation_rejects_cgst_on_inter_state() {
    let mut breakdown = compute_tax_breakdown(&place("27", "24"), &[taxable_line(dec!(1000))]).unwrap();
    validate_tax_breakdown(&breakdown).unwrap();

    breakdown.lines[0].igst = dec!(0);
    breakdown.lines[0].cgst = dec!(90.00);
    breakdown.lines[0].sgst = dec!(90.00);
    assert!(matches!(
        validate_tax_breakdown(&breakdown),
        Err(PricingError::WrongTaxType {
            supply_type: SupplyType::InterState,
            tax: "CGST",
            ..
        })
    ));
}

#[test]
fn validation_rejects_unequal_halves_and_bad_totals() {
    let good = compute_tax_breakdown(&place("27", "27"), &[taxable_line(dec!(1000))]).unwrap();

    let mut unequal = good.clone();
    unequal.lines[0].sgst = dec!(91.00);
    assert!(matches!(
        validate_tax_breakdown(&unequal),
        Err(PricingError::UnequalCgstSgst { .. })
    ));

    let mut wrong_rate = good.clone();
    wrong_rate.lines[0].cgst = dec!(60.00);
    wrong_rate.lines[0].sgst = dec!(60.00);
    assert!(matches!(
        validate_tax_breakdown(&wrong_rate),
        Err(PricingError::TaxAmountMismatch { .. })
    ));

    let mut wrong_total = good.clone();
    wrong_total.grand_total = dec!(1181.00);
    assert!(matches!(
        validate_tax_breakdown(&wrong_total),
        Err(PricingError::InconsistentTotals {
            field: "grand_total",
            ..
        })
    ));

    let mut wrong_type = good;
    wrong_type.supply_type = SupplyType::InterState;
    assert!(matches!(
        validate_tax_breakdown(&wrong_type),
        Err(PricingError::SupplyTypeMismatch { .. })
    ));
}

#[test]
fn hsn_summary_groups_by_code_and_rate() {
    let lines = vec![
        TaxableLine {
            line_id: "L1".to_owned(),
            hsn: "1905".to_owned(),
            gst_rate: dec!(18),
            amount: dec!(100),
            amount_includes_gst: false,
        },
        TaxableLine {
            line_id: "L2".to_owned(),
            hsn: "0401".to_owned(),
            gst_rate: dec!(5),
            amount: dec!(50),
            amount_includes_gst: false,
        },
        TaxableLine {
            line_id: "L3".to_owned(),
            hsn: "1905".to_owned(),
            gst_rate: dec!(18),
            amount: dec!(200),
            amount_includes_gst: false,
        },
    ];
    let breakdown = compute_tax_breakdown(&place("27", "27"), &lines).unwrap();
    let summary: Vec<_> = breakdown
        .hsn_summary
        .iter()
        .map(|row| {
            (
                row.hsn.as_str(),
                row.gst_rate,
                row.taxable_value,
                row.cgst,
                row.sgst,
                row.igst,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("0401", dec!(5), dec!(50.00), dec!(1.25), dec!(1.25), dec!(0)),
            ("1905", dec!(18), dec!(300.00), dec!(27.00), dec!(27.00), dec!(0)),
        ]
    );
}

const SCHEME_FILE: &str = r#"[
  {
    "id": "MONSOON-SLAB",
    "name": "Monsoon box slab",
    "valid_from": "2025-06-01",
    "valid_to": "2025-09-30",
    "targeting": { "territories": ["PUNE"] },
    "priority": 5,
    "stacking": "additive",
    "kind": {
      "type": "quantity_slabs",
      "products": ["A"],
      "unit": "Box",
      "slabs": [
        { "min": "1", "max": "4", "benefit": { "type": "percent_off", "percent": "5" } },
        { "min": "5", "benefit": { "type": "rate_override", "rate": "540", "unit": "Box" } }
      ]
    }
  },
  {
    "id": "BIG-ORDER",
    "name": "Big order",
    "valid_from": "2025-01-01",
    "valid_to": "2025-12-31",
    "priority": 1,
    "kind": { "type": "order_discount", "min_order_amount": "2000", "benefit": { "type": "flat_off", "amount": "100" } }
  }
]"#;

#[test]
fn schemes_load_from_json() {
    let schemes: Vec<Scheme> = serde_json::from_str(SCHEME_FILE).unwrap();
    assert_eq!(schemes[0].stacking, Some(StackingPolicy::Additive));
    assert_eq!(schemes[1].stacking, None);

    let book: SchemeBook = serde_json::from_str(SCHEME_FILE).unwrap();
    let round_trip: SchemeBook = serde_json::from_str(&serde_json::to_string(&book).unwrap()).unwrap();
    assert_eq!(round_trip, book);

    let products = vec![product("A", "pcs", &[("Box", dec!(6))], dec!(100))];
    let priced = price(products, schemes, &order(vec![line("L1", "A", dec!(5), Some("Box"))])).unwrap();
    let boxed = line_by_id(&priced, "L1");
    assert_eq!(boxed.net_rate, dec!(540.00));
    assert_eq!(boxed.net_amount, dec!(2700.00));
    assert_eq!(priced.order_discount, dec!(100.00));
}

#[test]
fn misspelt_scheme_fields_are_refused() {
    // "territory" for "territories" would otherwise read as no targeting: everyone.
    let misspelt = SCHEME_FILE.replace(r#""territories": ["PUNE"]"#, r#""territory": ["PUNE"]"#);
    let error = serde_json::from_str::<Vec<Scheme>>(&misspelt).unwrap_err().to_string();
    assert!(
        error.starts_with("unknown field `territory`, expected one of `distributor_ids`"),
        "{error}"
    );

    // The same inside a kind and a slab's benefit.
    let misspelt = SCHEME_FILE.replace(r#""unit": "Box","#, r#""units": "Box","#);
    let error = serde_json::from_str::<Vec<Scheme>>(&misspelt).unwrap_err().to_string();
    assert!(error.starts_with("unknown field `units`"), "{error}");
    let misspelt = SCHEME_FILE.replace(r#""percent": "5""#, r#""percent": "5", "cap": "100""#);
    let error = serde_json::from_str::<Vec<Scheme>>(&misspelt).unwrap_err().to_string();
    assert!(error.starts_with("unknown field `cap`"), "{error}");
}
