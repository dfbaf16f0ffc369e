//! Property tests over random catalogs' worth of schemes and orders.
//!
//! Guarantees checked:
//! - No amount goes below zero: line net and final amounts, taxable values, taxes, totals.
//! - The result does not depend on the order of the lines (compared per line id).
//! - Removing a line leaves every other line's line-level result (applied schemes, set-aside
//!   schemes, discount, net amount, net rate) unchanged, provided that line has a different
//!   product and no scheme for its product is triggered by the removed line's product.
//!   Nothing stronger holds: a line of the same product changes the product's slab quantity,
//!   a cross-product trigger can lapse, and the order-level discount share of every line can
//!   change when the order total crosses a minimum.
//! - Pricing is deterministic: the same input gives byte-identical JSON, whatever the order in
//!   which the schemes were supplied.
//!
//! All schemes in one generated case share one stacking policy (additive or compounding), so
//! the cases never stop at a scheme conflict. Conflicts have their own example tests.

mod common;

use common::*;
use dms_domain::PartyId;
use dms_pricing::gst::PlaceOfSupplyBasis;
use dms_pricing::{
    Benefit, FreeGoods, FreeGoodsSlab, Order, OrderBenefit, OrderLine, PricedOrder, Product, Scheme, SchemeKind, Slab,
    StackingPolicy, Targeting, Trigger,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::date;

const PRODUCT_IDS: [&str; 5] = ["A", "B", "C", "D", "E"];

fn catalog_products() -> Vec<Product> {
    let mut a = product("A", "pcs", &[("Box", dec!(6)), ("case", dec!(24))], dec!(12.50));
    a.gst_rate = Some(dec!(18));

    let mut b = product("B", "Nos", &[("Box", dec!(10))], dec!(85));
    b.rate_unit = Some("Box".to_owned());
    b.gst_rate = Some(dec!(5));

    let mut c = product("C", "kg", &[], dec!(47.35));
    c.rate_includes_gst = true;
    c.gst_rate = Some(dec!(12));

    let mut d = product("D", "pcs", &[("case", dec!(12))], dec!(0.99));
    d.rate_includes_gst = true;
    d.gst_rate = Some(dec!(28));

    let mut e = product("E", "pcs", &[], dec!(1000));
    e.gst_rate = Some(dec!(0));

    vec![a, b, c, d, e]
}

fn units_of(product: &str) -> &'static [Option<&'static str>] {
    match product {
        "A" => &[None, Some("Box"), Some("case")],
        "B" => &[None, Some("Box")],
        "D" => &[None, Some("case")],
        _ => &[None],
    }
}

fn money(max_paise: i64) -> impl Strategy<Value = Decimal> {
    (1..=max_paise).prop_map(|paise| Decimal::new(paise, 2))
}

fn benefit() -> impl Strategy<Value = Benefit> {
    prop_oneof![
        (1i64..=1000).prop_map(|tenths| Benefit::PercentOff {
            percent: Decimal::new(tenths, 1)
        }),
        money(50_000).prop_map(|amount| Benefit::FlatOffPerUnit { amount, unit: None }),
        money(200_000).prop_map(|amount| Benefit::FlatOffPerLine { amount }),
        money(200_000).prop_map(|rate| Benefit::RateOverride { rate, unit: None }),
    ]
}

fn product_choice() -> impl Strategy<Value = dms_domain::ProductId> {
    prop::sample::select(PRODUCT_IDS.to_vec()).prop_map(product_id)
}

fn product_list() -> impl Strategy<Value = Vec<dms_domain::ProductId>> {
    prop::sample::subsequence(PRODUCT_IDS.to_vec(), 1..=3).prop_map(|ids| ids.into_iter().map(product_id).collect())
}

/// Two non-overlapping bounds: [low, low + width] and [low + width + gap, open or bounded].
fn two_bounds(scale: i64) -> impl Strategy<Value = ((Decimal, Option<Decimal>), (Decimal, Option<Decimal>))> {
    (0i64..20, 0i64..10, 1i64..10, prop::option::of(0i64..20)).prop_map(move |(low, width, gap, open)| {
        let first = (Decimal::from(low * scale), Some(Decimal::from((low + width) * scale)));
        let second_min = (low + width + gap) * scale;
        let second = (
            Decimal::from(second_min),
            open.map(|extra| Decimal::from(second_min + extra * scale)),
        );
        (first, second)
    })
}

fn free_goods() -> impl Strategy<Value = FreeGoods> {
    (product_choice(), 1i64..=3).prop_map(|(product, quantity)| FreeGoods {
        product,
        quantity: Decimal::from(quantity),
        unit: None,
    })
}

fn scheme_kind() -> impl Strategy<Value = SchemeKind> {
    prop_oneof![
        (product_list(), benefit()).prop_map(|(products, benefit)| SchemeKind::Discount { products, benefit }),
        (product_list(), two_bounds(1), benefit(), benefit()).prop_map(|(products, (first, second), low, high)| {
            SchemeKind::QuantitySlabs {
                products,
                unit: None,
                slabs: vec![
                    Slab {
                        min: first.0,
                        max: first.1,
                        benefit: low,
                    },
                    Slab {
                        min: second.0,
                        max: second.1,
                        benefit: high,
                    },
                ],
            }
        }),
        (product_list(), two_bounds(100), benefit(), benefit()).prop_map(|(products, (first, second), low, high)| {
            SchemeKind::AmountSlabs {
                products,
                slabs: vec![
                    Slab {
                        min: first.0,
                        max: first.1,
                        benefit: low,
                    },
                    Slab {
                        min: second.0,
                        max: second.1,
                        benefit: high,
                    },
                ],
            }
        }),
        (product_choice(), 1i64..=30, free_goods()).prop_map(|(product, buy, free)| {
            SchemeKind::BuyGetFree {
                product,
                buy: Decimal::from(buy),
                buy_unit: None,
                free,
            }
        }),
        (product_choice(), two_bounds(1), free_goods(), free_goods()).prop_map(
            |(product, (first, second), low, high)| {
                SchemeKind::FreeGoodsSlabs {
                    product,
                    unit: None,
                    slabs: vec![
                        FreeGoodsSlab {
                            min: first.0,
                            max: first.1,
                            free: low,
                        },
                        FreeGoodsSlab {
                            min: second.0,
                            max: second.1,
                            free: high,
                        },
                    ],
                }
            }
        ),
        (product_choice(), 1i64..=40, any::<bool>(), product_list(), benefit()).prop_map(
            |(trigger_product, min, by_amount, products, benefit)| {
                let trigger = if by_amount {
                    Trigger::Amount {
                        product: trigger_product,
                        min: Decimal::from(min * 50),
                    }
                } else {
                    Trigger::Quantity {
                        product: trigger_product,
                        min: Decimal::from(min),
                        unit: None,
                    }
                };
                SchemeKind::CrossProductDiscount {
                    trigger,
                    products,
                    benefit,
                }
            }
        ),
        (prop::option::of(0i64..5000), any::<bool>(), 1i64..=300, money(100_000)).prop_map(
            |(min, by_percent, tenths, amount)| SchemeKind::OrderDiscount {
                min_order_amount: min.map(Decimal::from),
                benefit: if by_percent {
                    OrderBenefit::PercentOff {
                        percent: Decimal::new(tenths, 1),
                    }
                } else {
                    OrderBenefit::FlatOff { amount }
                },
            }
        ),
    ]
}

fn targeting() -> impl Strategy<Value = Targeting> {
    prop_oneof![
        3 => Just(Targeting::everyone()),
        1 => Just(Targeting { distributor_ids: vec![PartyId::new("D1").expect("valid party id")], ..Targeting::default() }),
        1 => Just(Targeting { partner_ids: vec![PartyId::new("P2").expect("valid party id")], ..Targeting::default() }),
    ]
}

fn schemes() -> impl Strategy<Value = Vec<Scheme>> {
    let policy = prop_oneof![Just(StackingPolicy::Additive), Just(StackingPolicy::Compounding)];
    let one = (scheme_kind(), 0i32..4, targeting(), prop::bool::weighted(0.85));
    (policy, prop::collection::vec(one, 0..10)).prop_map(|(policy, parts)| {
        parts
            .into_iter()
            .enumerate()
            .map(|(index, (kind, priority, targeting, in_force))| {
                let mut generated = scheme(&format!("S{index:02}"), priority, Some(policy), kind);
                generated.targeting = targeting;
                if !in_force {
                    generated.valid_to = date!(2025 - 03 - 31);
                }
                generated
            })
            .collect()
    })
}

fn order_lines() -> impl Strategy<Value = Vec<OrderLine>> {
    let one = (0usize..PRODUCT_IDS.len(), 1i64..=600, 0usize..3);
    prop::collection::vec(one, 1..8).prop_map(|parts| {
        parts
            .into_iter()
            .enumerate()
            .map(|(index, (product_index, tenths, unit_index))| {
                let product = PRODUCT_IDS[product_index];
                let units = units_of(product);
                let unit = units[unit_index % units.len()];
                // Kilograms take fractional quantities; counted units take whole numbers.
                let quantity = if product == "C" {
                    Decimal::new(tenths, 1)
                } else {
                    Decimal::from(tenths / 10 + 1)
                };
                line(&format!("L{index}"), product, quantity, unit)
            })
            .collect()
    })
}

fn orders() -> impl Strategy<Value = (Order, PlaceOfSupplyBasis)> {
    let basis = prop_oneof![Just(PlaceOfSupplyBasis::BillTo), Just(PlaceOfSupplyBasis::ShipTo)];
    (order_lines(), any::<bool>(), basis).prop_map(|(lines, inter_state, basis)| {
        let mut generated = order(lines);
        if inter_state {
            generated.supply.ship_to_state = state("24");
        }
        (generated, basis)
    })
}

fn price_case(schemes: &[Scheme], order: &Order, basis: PlaceOfSupplyBasis) -> PricedOrder {
    price_with(catalog_products(), schemes.to_vec(), order, basis)
        .unwrap_or_else(|error| panic!("pricing failed: {error}"))
}

/// Serializes the priced order to JSON with lines and tax lines sorted by line id.
fn by_line_id(priced: &PricedOrder) -> String {
    let mut sorted = priced.clone();
    sorted.lines.sort_by(|left, right| left.line_id.cmp(&right.line_id));
    sorted.tax.lines.sort_by(|left, right| left.line_id.cmp(&right.line_id));
    serde_json::to_string(&sorted).expect("a priced order serializes")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn no_amount_below_zero(schemes in schemes(), (order, basis) in orders()) {
        let priced = price_case(&schemes, &order, basis);
        for line in &priced.lines {
            prop_assert!(line.net_amount >= Decimal::ZERO, "line {} net {}", line.line_id, line.net_amount);
            prop_assert!(line.final_amount >= Decimal::ZERO, "line {} final {}", line.line_id, line.final_amount);
            prop_assert!(line.net_rate >= Decimal::ZERO);
            prop_assert!(line.line_discount <= line.gross_amount);
            prop_assert!(line.applied.iter().all(|applied| applied.amount >= Decimal::ZERO));
        }
        for free in &priced.free_lines {
            prop_assert!(free.quantity > Decimal::ZERO);
        }
        let tax = &priced.tax;
        for line in &tax.lines {
            prop_assert!(line.taxable_value >= Decimal::ZERO, "taxable {}", line.taxable_value);
            prop_assert!(line.cgst >= Decimal::ZERO && line.sgst >= Decimal::ZERO && line.igst >= Decimal::ZERO);
        }
        prop_assert!(tax.grand_total >= Decimal::ZERO);
        prop_assert!(priced.order_discount <= priced.net_total);
        dms_pricing::gst::validate_tax_breakdown(tax).unwrap();
    }

    #[test]
    fn line_order_does_not_matter(
        schemes in schemes(),
        (order, basis) in orders(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = order.clone();
        let count = shuffled.lines.len();
        for index in (1..count).rev() {
            let swap_with = (seed.wrapping_mul(index as u64 + 7) % (index as u64 + 1)) as usize;
            shuffled.lines.swap(index, swap_with);
        }
        let original = price_case(&schemes, &order, basis);
        let reordered = price_case(&schemes, &shuffled, basis);
        prop_assert_eq!(by_line_id(&original), by_line_id(&reordered));
    }

    #[test]
    fn removing_line_keeps_independent_lines(
        schemes in schemes(),
        (order, basis) in orders(),
        pick in any::<prop::sample::Index>(),
    ) {
        let removed_index = pick.index(order.lines.len());
        let removed_product = order.lines[removed_index].product_id.clone();
        let mut reduced = order.clone();
        reduced.lines.remove(removed_index);
        prop_assume!(!reduced.lines.is_empty());

        let full = price_case(&schemes, &order, basis);
        let after = price_case(&schemes, &reduced, basis);

        let triggered_by_removed = |product: &dms_domain::ProductId| {
            schemes.iter().any(|scheme| match &scheme.kind {
                SchemeKind::CrossProductDiscount { trigger, products, .. } => {
                    trigger.product() == &removed_product && products.contains(product)
                }
                _ => false,
            })
        };
        for line in &after.lines {
            if line.product_id == removed_product || triggered_by_removed(&line.product_id) {
                continue;
            }
            let before = line_by_id(&full, &line.line_id);
            prop_assert_eq!(&line.applied, &before.applied, "line {}", line.line_id);
            prop_assert_eq!(&line.set_aside, &before.set_aside, "line {}", line.line_id);
            prop_assert_eq!(line.line_discount, before.line_discount, "line {}", line.line_id);
            prop_assert_eq!(line.net_amount, before.net_amount, "line {}", line.line_id);
            prop_assert_eq!(line.net_rate, before.net_rate, "line {}", line.line_id);
        }
    }

    #[test]
    fn pricing_is_deterministic(schemes in schemes(), (order, basis) in orders()) {
        let first = serde_json::to_string(&price_case(&schemes, &order, basis)).unwrap();
        let second = serde_json::to_string(&price_case(&schemes, &order, basis)).unwrap();
        prop_assert_eq!(&first, &second);

        let mut reversed = schemes.clone();
        reversed.reverse();
        let from_reversed = serde_json::to_string(&price_case(&reversed, &order, basis)).unwrap();
        prop_assert_eq!(&first, &from_reversed);
    }
}
