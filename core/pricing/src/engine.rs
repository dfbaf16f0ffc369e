//! The pricing pipeline, from an order to a priced order with its GST breakdown.
//!
//! 1. Each paid line is converted to base units and valued at list rate (rounded to paise).
//! 2. Base quantities and list amounts are added up per product.
//! 3. For each product, the line-level schemes that apply are found and the priority and
//!    stacking rules choose among them (`select.rs`). A conflict stops pricing with an error.
//! 4. Each line of the product gets the chosen price benefits (`discount.rs`).
//! 5. Free lines are built from the chosen free goods schemes (`free_goods.rs`).
//! 6. Order-level schemes are chosen and their total is split over the lines (`order_discount.rs`).
//! 7. GST is computed on each line's final amount (`gst::invoice`).
//!
//! The function reads only its arguments and iterates in sorted orders (schemes by id,
//! products by id), so equal inputs give byte-identical results on every device.

use std::collections::BTreeMap;

use dms_domain::ProductId;
use rust_decimal::Decimal;

use crate::applicability::{ProductTotals, Resolution, resolve, shown};
use crate::catalog::{Catalog, Product};
use crate::discount::{DiscountStep, LineQuantity, apply_line_discounts};
use crate::error::{PricingError, Result};
use crate::free_goods::free_line;
use crate::gst::rounding::round_paise;
use crate::gst::{GstRateTable, PlaceOfSupply, PlaceOfSupplyBasis, TaxableLine, compute_tax_breakdown};
use crate::order::{Order, OrderLine};
use crate::order_discount::apply_order_discounts;
use crate::priced::{AppliedScheme, FreeLine, PricedLine, PricedOrder, SchemeEffect};
use crate::scheme::{Scheme, SchemeBook};
use crate::select::{Candidate, Combination, Selection, select};

/// Largest list amount of one line, and largest net total of an order, in rupees (10^15).
/// Larger values are input mistakes. The bound keeps every sum, and the order discount split
/// that works in whole paise as `i128`, inside their number ranges.
pub const MAX_ORDER_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Everything pricing needs besides the order. The same context prices every order of a
/// tenant until its catalog, schemes or rates change.
#[derive(Clone, Copy, Debug)]
pub struct PricingContext<'a> {
    pub catalog: &'a Catalog,
    pub schemes: &'a SchemeBook,
    pub gst_rates: &'a GstRateTable,
    pub place_of_supply_basis: PlaceOfSupplyBasis,
}

/// A paid line with its product, converted to base units and valued at list rate.
struct ValuedLine<'a> {
    line: &'a OrderLine,
    product: &'a Product,
    base_quantity: Decimal,
    /// List amount, unrounded; product totals add these up.
    list_amount: Decimal,
    /// List amount rounded to paise.
    gross: Decimal,
}

/// Prices an order: line schemes, free goods, order schemes and GST.
///
/// Fails on an invalid order, such as a duplicate line id or an amount above
/// [`MAX_ORDER_AMOUNT`]. Also fails on an unknown product or unit, on a scheme conflict (equal
/// top priority without a shared additive or compounding policy), and on a GST rate that
/// cannot be found or is ambiguous.
pub fn price_order(order: &Order, context: &PricingContext<'_>) -> Result<PricedOrder> {
    order.validate()?;

    let valued = value_lines(order, context.catalog)?;
    let totals = product_totals(&valued);
    let selections = select_line_schemes(order, context, &totals)?;

    let free_lines = build_free_lines(&selections, context.catalog)?;
    let mut lines = Vec::with_capacity(valued.len());
    for line in &valued {
        lines.push(price_line(line, &selections, &free_lines, order, context.gst_rates)?);
    }

    let net_amounts: Vec<(&str, Decimal)> = lines
        .iter()
        .map(|line| (line.line_id.as_str(), line.net_amount))
        .collect();
    let net_total = round_paise(net_amounts.iter().map(|(_, amount)| *amount).sum());
    if net_total > MAX_ORDER_AMOUNT {
        return Err(PricingError::InvalidOrder {
            order_id: order.id.clone(),
            reason: format!("net total {net_total} is above the limit of {MAX_ORDER_AMOUNT}"),
        });
    }
    let order_discounts = apply_order_discounts(order, context.schemes, &net_amounts)?;
    for (line, share) in lines.iter_mut().zip(&order_discounts.shares) {
        line.order_discount = *share;
        line.final_amount = round_paise(line.net_amount - *share);
    }

    let place_of_supply = PlaceOfSupply::determine(&order.supply, context.place_of_supply_basis);
    let taxable_lines: Vec<TaxableLine> = lines
        .iter()
        .map(|line| TaxableLine {
            line_id: line.line_id.clone(),
            hsn: line.hsn.clone(),
            gst_rate: line.gst_rate,
            amount: line.final_amount,
            amount_includes_gst: line.amount_includes_gst,
        })
        .collect();
    let tax = compute_tax_breakdown(&place_of_supply, &taxable_lines)?;

    Ok(PricedOrder {
        order_id: order.id.clone(),
        date: order.date,
        lines,
        free_lines,
        order_schemes: order_discounts.applied,
        order_set_aside: order_discounts.set_aside,
        net_total,
        order_discount: order_discounts.total,
        tax,
    })
}

fn value_lines<'a>(order: &'a Order, catalog: &'a Catalog) -> Result<Vec<ValuedLine<'a>>> {
    order
        .lines
        .iter()
        .map(|line| {
            let product = catalog
                .get(&line.product_id)
                .ok_or_else(|| PricingError::UnknownProduct {
                    product: line.product_id.clone(),
                    line_id: line.line_id.clone(),
                })?;
            let base_quantity = product
                .units
                .to_base(&product.id, line.quantity.value(), line.unit.as_deref())?;
            let list_amount = product.list_amount(base_quantity)?;
            if list_amount > MAX_ORDER_AMOUNT {
                return Err(PricingError::InvalidOrder {
                    order_id: order.id.clone(),
                    reason: format!(
                        "line {} has a list amount of {}, above the limit of {MAX_ORDER_AMOUNT}",
                        line.line_id,
                        round_paise(list_amount)
                    ),
                });
            }
            Ok(ValuedLine {
                line,
                product,
                base_quantity,
                list_amount,
                gross: round_paise(list_amount),
            })
        })
        .collect()
}

fn product_totals(lines: &[ValuedLine<'_>]) -> BTreeMap<ProductId, ProductTotals> {
    let mut totals: BTreeMap<ProductId, ProductTotals> = BTreeMap::new();
    for line in lines {
        let total = totals.entry(line.product.id.clone()).or_default();
        total.base_quantity += line.base_quantity;
        total.list_amount += line.list_amount;
    }
    totals
}

type ProductSelections<'a> = BTreeMap<ProductId, (&'a Product, Selection<'a, Resolution>)>;

fn select_line_schemes<'a>(
    order: &Order,
    context: &PricingContext<'a>,
    totals: &BTreeMap<ProductId, ProductTotals>,
) -> Result<ProductSelections<'a>> {
    let mut selections = BTreeMap::new();
    for product_id in totals.keys() {
        let Some(product) = context.catalog.get(product_id) else {
            continue;
        };
        let mut candidates = Vec::new();
        for scheme in context.schemes.for_product(product_id) {
            if !scheme.is_active_for(order.date, &order.parties) {
                continue;
            }
            let resolution =
                resolve(scheme, product, totals, context.catalog).map_err(|error| error.in_scheme(&scheme.id))?;
            if let Some(resolution) = resolution {
                candidates.push(Candidate { scheme, resolution });
            }
        }
        let selection = select(&format!("product {product_id}"), candidates)?;
        selections.insert(product_id.clone(), (product, selection));
    }
    Ok(selections)
}

fn price_line(
    valued: &ValuedLine<'_>,
    selections: &ProductSelections<'_>,
    free_lines: &[FreeLine],
    order: &Order,
    gst_rates: &GstRateTable,
) -> Result<PricedLine> {
    let product = valued.product;
    let line = valued.line;
    let units = &product.units;
    let quantity = line.quantity.value();

    let mut steps = Vec::new();
    let mut free_goods_notes = Vec::new();
    let mut set_aside = Vec::new();
    let mut combination = Combination::Single;
    if let Some((_, selection)) = selections.get(&product.id) {
        combination = selection.combination;
        set_aside = selection.set_aside.clone();
        for candidate in &selection.chosen {
            match &candidate.resolution {
                Resolution::Discount { benefit, reason } => steps.push(DiscountStep {
                    scheme: candidate.scheme,
                    benefit,
                    reason,
                }),
                Resolution::FreeGoods { reason, .. } => {
                    let earned = free_lines
                        .iter()
                        .filter(|free| free.earned_by == product.id && free.scheme_id == candidate.scheme.id);
                    free_goods_notes.extend(earned.map(|free| free_goods_note(candidate.scheme, free, reason)));
                }
            }
        }
    }

    let line_quantity = LineQuantity {
        product,
        base_quantity: valued.base_quantity,
        gross: valued.gross,
    };
    let (mut applied, line_discount) = apply_line_discounts(&line_quantity, &steps, combination)?;
    applied.extend(free_goods_notes);
    let net_amount = round_paise(valued.gross - line_discount);

    let per_line_unit = units.base_units_per(&product.id, line.unit.as_deref())?;
    let gst_rate = match product.gst_rate {
        Some(rate) => rate,
        None => gst_rates.rate_for(&product.hsn, order.date)?.rate,
    };

    Ok(PricedLine {
        line_id: line.line_id.clone(),
        product_id: product.id.clone(),
        hsn: product.hsn.clone(),
        quantity,
        unit: units.display_name(line.unit.as_deref()).to_owned(),
        base_quantity: shown(valued.base_quantity),
        base_unit: units.base_unit.clone(),
        list_rate: round_paise(product.list_amount(per_line_unit)?),
        gross_amount: valued.gross,
        applied,
        set_aside,
        line_discount,
        net_amount,
        net_rate: round_paise(net_amount / quantity),
        net_rate_per_base_unit: round_paise(net_amount / valued.base_quantity),
        order_discount: round_paise(Decimal::ZERO),
        final_amount: net_amount,
        amount_includes_gst: product.rate_includes_gst,
        gst_rate,
    })
}

/// Records on a paid line that its product earned the goods of a free line.
fn free_goods_note(scheme: &Scheme, free: &FreeLine, reason: &str) -> AppliedScheme {
    AppliedScheme {
        scheme_id: scheme.id.clone(),
        scheme_name: scheme.name.clone(),
        priority: scheme.priority,
        effect: SchemeEffect::FreeGoods {
            product_id: free.product_id.clone(),
            quantity: free.quantity,
            unit: free.unit.clone(),
        },
        amount: round_paise(Decimal::ZERO),
        explanation: format!(
            "{}: {reason}earns {} {} of {} free (see free lines)",
            scheme.name, free.quantity, free.unit, free.product_id
        ),
    }
}

fn build_free_lines(selections: &ProductSelections<'_>, catalog: &Catalog) -> Result<Vec<FreeLine>> {
    let mut free_lines = Vec::new();
    for (product_id, (_, selection)) in selections {
        for candidate in &selection.chosen {
            if let Resolution::FreeGoods { free, quantity, reason } = &candidate.resolution {
                free_lines.push(free_line(
                    candidate.scheme,
                    product_id,
                    free,
                    *quantity,
                    reason,
                    catalog,
                )?);
            }
        }
    }
    Ok(free_lines)
}
