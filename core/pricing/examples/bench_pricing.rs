//! Times `price_order` on a 500-line order against 1,000 schemes that are all in force, and
//! prints the median and 95th percentile time per pricing call and the lines priced per second.
//!
//! Run with `cargo run --release -p dms-pricing --example bench_pricing`. Optional arguments:
//! the number of timed iterations (default 200) and of warm-up iterations (default 10).
//!
//! The data is generated from a fixed seed. There are 400 products with boxes and cases, and
//! schemes of every kind: 30 % plain discounts, 20 % quantity slabs, 10 % amount slabs, 15 %
//! buy-X-get-Y, 10 % free goods slabs, 10 % cross-product discounts, 5 % order discounts.
//! Targeting mixes everyone (60 %), distributor lists, territories and partner groups. All
//! schemes are additive, so ties at one priority stack instead of stopping with a conflict.

use std::time::{Duration, Instant};

use dms_domain::{PartyId, ProductId, Quantity};
use dms_pricing::gst::{GstRateTable, PlaceOfSupplyBasis, StateCode, SupplyAddresses};
use dms_pricing::{
    Benefit, Catalog, FreeGoods, FreeGoodsSlab, Order, OrderBenefit, OrderLine, OrderParties, PricingContext, Product,
    ProductUnits, Scheme, SchemeBook, SchemeId, SchemeKind, Slab, StackingPolicy, Targeting, Trigger, price_order,
};
use rust_decimal::Decimal;
use time::macros::date;

const PRODUCTS: usize = 400;
const SCHEMES: usize = 1_000;
const LINES: usize = 500;

/// A small xorshift generator, so the data is the same on every run without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn product_id(index: usize) -> ProductId {
    ProductId::new(format!("P{index:04}")).expect("generated product ids are valid")
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("generated party ids are valid")
}

fn state(code: &str) -> StateCode {
    StateCode::new(code).expect("generated state codes are valid")
}

fn products(random: &mut Random) -> Vec<Product> {
    (0..PRODUCTS)
        .map(|index| {
            let box_size = [6, 10, 12][index % 3];
            let units = ProductUnits::new("pcs")
                .with_conversion("Box", Decimal::from(box_size))
                .with_conversion("case", Decimal::from(box_size * 4));
            Product {
                id: product_id(index),
                name: format!("Product {index}"),
                hsn: ["1905", "3401", "2202", "0402"][index % 4].to_owned(),
                units,
                list_rate: Decimal::new(500 + random.below(50_000) as i64, 2),
                rate_unit: None,
                rate_includes_gst: index % 5 == 0,
                gst_rate: Some([dec(5), dec(12), dec(18), dec(28)][index % 4]),
            }
        })
        .collect()
}

fn dec(value: i64) -> Decimal {
    Decimal::from(value)
}

fn some_products(random: &mut Random, count: u64) -> Vec<ProductId> {
    (0..=random.below(count))
        .map(|_| product_id(random.below(PRODUCTS as u64) as usize))
        .collect()
}

fn benefit(random: &mut Random) -> Benefit {
    match random.below(4) {
        0 | 1 => Benefit::PercentOff {
            percent: Decimal::new(5 + random.below(150) as i64, 1),
        },
        2 => Benefit::FlatOffPerUnit {
            amount: Decimal::new(10 + random.below(200) as i64, 2),
            unit: None,
        },
        _ => Benefit::FlatOffPerLine {
            amount: Decimal::from(5 + random.below(50)),
        },
    }
}

fn free_goods(random: &mut Random, quantity: i64) -> FreeGoods {
    FreeGoods {
        product: product_id(random.below(PRODUCTS as u64) as usize),
        quantity: Decimal::from(quantity),
        unit: None,
    }
}

fn scheme_kind(random: &mut Random) -> SchemeKind {
    let roll = random.below(100);
    match roll {
        0..30 => SchemeKind::Discount {
            products: some_products(random, 5),
            benefit: benefit(random),
        },
        30..50 => SchemeKind::QuantitySlabs {
            products: some_products(random, 10),
            unit: Some("Box".to_owned()),
            slabs: vec![
                Slab {
                    min: dec(1),
                    max: Some(dec(4)),
                    benefit: benefit(random),
                },
                Slab {
                    min: dec(5),
                    max: Some(dec(9)),
                    benefit: benefit(random),
                },
                Slab {
                    min: dec(10),
                    max: None,
                    benefit: benefit(random),
                },
            ],
        },
        50..60 => SchemeKind::AmountSlabs {
            products: some_products(random, 10),
            slabs: vec![
                Slab {
                    min: dec(500),
                    max: Some(dec(1999)),
                    benefit: benefit(random),
                },
                Slab {
                    min: dec(2000),
                    max: None,
                    benefit: benefit(random),
                },
            ],
        },
        60..75 => SchemeKind::BuyGetFree {
            product: product_id(random.below(PRODUCTS as u64) as usize),
            buy: Decimal::from(6 + random.below(30)),
            buy_unit: None,
            free: free_goods(random, 1),
        },
        75..85 => SchemeKind::FreeGoodsSlabs {
            product: product_id(random.below(PRODUCTS as u64) as usize),
            unit: None,
            slabs: vec![
                FreeGoodsSlab {
                    min: dec(4),
                    max: Some(dec(9)),
                    free: free_goods(random, 1),
                },
                FreeGoodsSlab {
                    min: dec(10),
                    max: None,
                    free: free_goods(random, 3),
                },
            ],
        },
        85..95 => SchemeKind::CrossProductDiscount {
            trigger: Trigger::Amount {
                product: product_id(random.below(PRODUCTS as u64) as usize),
                min: Decimal::from(200 + random.below(2000)),
            },
            products: some_products(random, 3),
            benefit: benefit(random),
        },
        _ => SchemeKind::OrderDiscount {
            min_order_amount: Some(Decimal::from(1_000 * (1 + random.below(50)))),
            benefit: OrderBenefit::PercentOff {
                percent: Decimal::new(5 + random.below(30) as i64, 1),
            },
        },
    }
}

fn targeting(random: &mut Random) -> Targeting {
    match random.below(10) {
        0..6 => Targeting::everyone(),
        6 | 7 => Targeting {
            distributor_ids: (0..5).map(|_| party(&format!("D{:03}", random.below(20)))).collect(),
            ..Targeting::default()
        },
        8 => Targeting {
            territories: vec![["PUNE", "NASHIK", "SURAT"][random.below(3) as usize].to_owned()],
            ..Targeting::default()
        },
        _ => Targeting {
            partner_group_ids: vec![format!("G{}", random.below(4))],
            ..Targeting::default()
        },
    }
}

fn schemes(random: &mut Random) -> Vec<Scheme> {
    (0..SCHEMES)
        .map(|index| Scheme {
            id: SchemeId::new(format!("SCH-{index:04}")),
            name: format!("Scheme {index}"),
            valid_from: date!(2025 - 04 - 01),
            valid_to: date!(2026 - 03 - 31),
            targeting: targeting(random),
            priority: 1 + random.below(10) as i32,
            stacking: Some(StackingPolicy::Additive),
            kind: scheme_kind(random),
        })
        .collect()
}

fn order(random: &mut Random) -> Order {
    let lines = (0..LINES)
        .map(|index| {
            let unit = [None, Some("Box"), Some("case")][random.below(3) as usize];
            OrderLine {
                line_id: format!("L{index:03}"),
                product_id: product_id(random.below(PRODUCTS as u64) as usize),
                quantity: Quantity::new(Decimal::from(1 + random.below(40))).expect("1 to 40 is a valid quantity"),
                unit: unit.map(str::to_owned),
            }
        })
        .collect();
    Order {
        id: "BENCH-1".to_owned(),
        date: date!(2025 - 06 - 15),
        parties: OrderParties {
            distributor_id: party("D001"),
            partner_id: Some(party("R0001")),
            partner_group_ids: vec!["G1".to_owned()],
            territory: Some("PUNE".to_owned()),
        },
        supply: SupplyAddresses {
            supplier_state: state("27"),
            bill_to_state: state("27"),
            ship_to_state: state("27"),
        },
        lines,
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args().skip(1);
    let iterations: usize = arguments.next().map(|text| text.parse()).transpose()?.unwrap_or(200);
    let warm_up: usize = arguments.next().map(|text| text.parse()).transpose()?.unwrap_or(10);

    let mut random = Random(0x5eed_cafe_f00d_d00d);
    let catalog = Catalog::new(products(&mut random))?;
    let setup_start = Instant::now();
    let schemes = SchemeBook::new(schemes(&mut random))?;
    let setup = setup_start.elapsed();
    let gst_rates = GstRateTable::default();
    let order = order(&mut random);
    let context = PricingContext {
        catalog: &catalog,
        schemes: &schemes,
        gst_rates: &gst_rates,
        place_of_supply_basis: PlaceOfSupplyBasis::BillTo,
    };

    let priced = price_order(&order, &context)?;
    let discounted = priced.lines.iter().filter(|line| !line.applied.is_empty()).count();
    println!(
        "order: {} lines, {} with schemes applied, {} free lines, {} order schemes, grand total {}",
        priced.lines.len(),
        discounted,
        priced.free_lines.len(),
        priced.order_schemes.len(),
        priced.tax.grand_total
    );
    println!(
        "scheme book: {} schemes validated and indexed in {:.2?}",
        schemes.schemes().len(),
        setup
    );

    for _ in 0..warm_up {
        price_order(&order, &context)?;
    }
    let mut timings = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let result = price_order(&order, &context)?;
        timings.push(start.elapsed());
        std::hint::black_box(result);
    }
    timings.sort();

    let median = percentile(&timings, 0.5);
    let p95 = percentile(&timings, 0.95);
    let lines_per_second = LINES as f64 / median.as_secs_f64();
    println!("iterations: {iterations} (after {warm_up} warm-up)");
    println!("median per pricing: {median:.2?}");
    println!("p95 per pricing: {p95:.2?}");
    println!("lines per second at the median: {lines_per_second:.0}");
    Ok(())
}
