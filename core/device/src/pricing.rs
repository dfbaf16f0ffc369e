//! Offline pricing of a cart with the server's engine.
//!
//! The cart becomes an engine order through [`dms_documents::cart_order::cart_order`], the
//! function the server calls on submission, and is priced with [`dms_pricing::simulate`]
//! against the cached pricing data and pricing terms, as the server prices against its own.
//! So with the same catalog and scheme book the device shows the server's figures to the
//! paisa: schemes with their explanations, free goods, CGST, SGST or IGST, and round-off.
//!
//! When the device cannot price a cart that way (no pricing terms yet, a product without
//! pricing data, an unknown buyer, an engine error) it shows selling price times quantity and
//! gives the reason in [`CartTotals::fallback_reason`], as the server does in the same cases.

use std::collections::BTreeMap;

use dms_documents::cart::CartView;
use dms_documents::cart_order::cart_order;
use dms_domain::catalog::Product;
use dms_domain::{Money, PartyId, ProductId, Quantity, Timestamp};
use dms_pricing::{Catalog, PricedOrder, PricingTerms, ProductPricing, SchemeKind, SimulationInput, simulate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::Result;
use crate::store::DeviceStore;

/// Method a cart's figures were computed by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingMethod {
    /// By the pricing engine: schemes, free goods, GST and round-off.
    Engine,
    /// Catalog selling price times quantity, without schemes or GST.
    SellingPrice,
}

/// A scheme applied to a line or to the whole order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemeShown {
    pub scheme_id: String,
    pub scheme_name: String,
    /// Rupees the scheme took off; zero for a scheme that gives free goods.
    pub amount: Money,
    /// The engine's explanation, such as "Scheme PCT: 10% off 1000.00 = 100.00".
    pub explanation: String,
}

/// Goods a scheme gives free, valued at zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FreeGoodsLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: Decimal,
    pub unit: String,
    pub scheme_id: String,
    /// The product whose quantity earned the goods.
    pub earned_by: ProductId,
    pub explanation: String,
}

/// The GST figures of an engine-priced cart, in rupees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaxSummary {
    pub taxable_value: Money,
    pub cgst: Money,
    pub sgst: Money,
    pub igst: Money,
    /// Grand total minus the unrounded total, between −0.49 and +0.50.
    pub round_off: Money,
    pub grand_total: Money,
}

/// A cart line as the device shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PricedLine {
    pub product_id: ProductId,
    pub product_name: String,
    pub quantity: Quantity,
    /// Catalog selling price per pack.
    pub unit_price: Money,
    /// With the engine: the line's taxable value plus GST. Otherwise price times quantity.
    pub line_total: Money,
    /// Quantities other devices set concurrently that lost under the merge rules.
    pub conflicting_quantities: Vec<Quantity>,
    /// Unit price times quantity, before any scheme.
    pub gross_amount: Money,
    /// Line schemes plus the line's share of order schemes.
    pub discount: Money,
    /// `gross_amount − discount`: the amount GST is computed on, or backed out of when the
    /// price includes GST.
    pub net_amount: Money,
    /// GST rate in percent; `None` without the engine.
    pub gst_rate: Option<Decimal>,
    /// CGST plus SGST, or IGST, of the line; zero without the engine.
    pub tax: Money,
    /// Line schemes in the order the engine applied them.
    pub schemes: Vec<SchemeShown>,
}

/// A cart's totals as the device shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CartTotals {
    pub line_count: u32,
    pub total_quantity: Decimal,
    /// The amount payable: the grand total with the engine, else the sum of line totals.
    pub total: Money,
    pub pricing_method: PricingMethod,
    /// Reason the engine was not used; `None` with the engine.
    pub fallback_reason: Option<String>,
    /// Sum of the lines' gross amounts.
    pub gross_amount: Money,
    /// Sum of all scheme discounts, line and order level.
    pub discount: Money,
    /// GST figures; `None` without the engine.
    pub tax: Option<TaxSummary>,
    pub free_lines: Vec<FreeGoodsLine>,
    pub order_schemes: Vec<SchemeShown>,
    /// Ids of every scheme applied, sorted; recorded with a submission.
    pub scheme_ids: Vec<String>,
}

/// A cart's lines and totals, computed together.
pub(crate) struct CartQuote {
    pub(crate) lines: Vec<PricedLine>,
    pub(crate) totals: CartTotals,
}

/// Prices `view` as of `at` with the engine, or at selling price with the reason.
pub(crate) fn quote_cart(store: &DeviceStore, view: &CartView, at: Timestamp) -> Result<CartQuote> {
    let terms = store.pricing_terms()?.map(|(_, terms)| terms);
    let buyer = &view.header.buyer_id;
    let mut catalog = BTreeMap::new();
    for product_id in view.lines.keys() {
        if let Some(product) = buyer_product(store, terms.as_ref(), buyer, product_id)? {
            catalog.insert(product_id.clone(), product);
        }
    }
    let names: BTreeMap<ProductId, Product> = catalog
        .iter()
        .map(|(id, (product, _))| (id.clone(), product.clone()))
        .collect();
    match engine_inputs(store, terms, view, &catalog, at)? {
        Ok(input) => match simulate(&input) {
            Ok(simulation) => Ok(engine_quote(view, &names, &simulation.priced)),
            Err(error) => Ok(selling_price_quote(view, &names, format!("pricing failed: {error}"))),
        },
        Err(reason) => Ok(selling_price_quote(view, &names, reason)),
    }
}

/// Reads a cached product as `buyer` is charged for it, with its pricing data. On a staff
/// device the terms carry each buyer's price lists, and the buyer's rate replaces the default
/// price here, as the server's view of that buyer's catalog does. A buyer's own device already
/// stores its catalog at its own prices.
fn buyer_product(
    store: &DeviceStore,
    terms: Option<&PricingTerms>,
    buyer: &PartyId,
    product_id: &ProductId,
) -> Result<Option<(Product, Option<ProductPricing>)>> {
    let Some(mut product) = store.product(product_id)? else {
        return Ok(None);
    };
    let mut pricing = store.product_pricing(product_id)?;
    if let Some(rate) = terms.and_then(|terms| terms.list_rate(buyer, product_id)) {
        let pricing = pricing.get_or_insert_with(ProductPricing::default);
        if let Some(selling_price) = pricing.apply_list_rate(product_id, rate) {
            product.selling_price = Money::from_rupees(selling_price);
        }
    }
    Ok(Some((product, pricing)))
}

/// Returns the selling price per base unit `buyer` pays for `product` on a staff device: the
/// rate of the buyer's price list in the staff terms, else the cached catalog price.
pub(crate) fn buyer_selling_price(store: &DeviceStore, buyer: &PartyId, product: &Product) -> Result<Money> {
    let Some((_, terms)) = store.pricing_terms()? else {
        return Ok(product.selling_price);
    };
    let Some(rate) = terms.list_rate(buyer, &product.id) else {
        return Ok(product.selling_price);
    };
    let mut pricing = store.product_pricing(&product.id)?.unwrap_or_default();
    Ok(pricing
        .apply_list_rate(&product.id, rate)
        .map_or(product.selling_price, Money::from_rupees))
}

/// Builds the engine's input for the cart, or returns the reason the engine cannot price it.
fn engine_inputs(
    store: &DeviceStore,
    terms: Option<PricingTerms>,
    view: &CartView,
    catalog: &BTreeMap<ProductId, (Product, Option<ProductPricing>)>,
    at: Timestamp,
) -> Result<Result<SimulationInput, String>> {
    let Some(terms) = terms else {
        return Ok(Err(
            "this device has no pricing terms yet; sync to download them".to_owned()
        ));
    };
    let buyer = &view.header.buyer_id;
    let date = dms_documents::cart_order::ist_date(at);
    let mut engine_products = Vec::new();
    let mut unpriced = Vec::new();
    for product_id in view.lines.keys() {
        let Some((product, pricing)) = catalog.get(product_id) else {
            unpriced.push(format!("{product_id} (not in this device's catalog)"));
            continue;
        };
        let pricing = pricing.clone().unwrap_or_default();
        match pricing.engine_product(product, date) {
            Ok(engine_product) => engine_products.push(engine_product),
            Err(reason) => unpriced.push(format!("{product_id} ({reason})")),
        }
    }
    if !unpriced.is_empty() {
        return Ok(Err(format!("products without pricing data: {}", unpriced.join(", "))));
    }
    // Checked in the server's order: products first, then the supplier's state.
    let Some(supplier_state) = terms.supplier_state.clone() else {
        return Ok(Err("the seller has no GST state on record".to_owned()));
    };
    let Some(buyer_state) = terms.buyer_states.get(buyer).cloned() else {
        return Ok(Err(format!(
            "buyer {buyer} is not in this device's pricing terms; sync to download them"
        )));
    };
    for product_id in free_goods_products(&terms) {
        if view.lines.contains_key(&product_id) {
            continue;
        }
        // A free product without pricing data is left out, as from the server's catalog.
        let Some((product, Some(pricing))) = buyer_product(store, Some(&terms), buyer, &product_id)? else {
            continue;
        };
        if let Ok(engine_product) = pricing.engine_product(&product, date) {
            engine_products.push(engine_product);
        }
    }
    let catalog = match Catalog::new(engine_products) {
        Ok(catalog) => catalog,
        Err(error) => return Ok(Err(format!("invalid pricing data: {error}"))),
    };

    let groups = terms.buyer_groups.get(buyer).cloned().unwrap_or_default();
    let territory = terms.territory_of(buyer).map(str::to_owned);
    let order = cart_order(view, supplier_state, buyer_state, groups, territory, at)?;
    Ok(Ok(SimulationInput {
        catalog,
        schemes: terms.schemes,
        gst_rates: Vec::new(),
        place_of_supply_basis: terms.place_of_supply_basis,
        order,
    }))
}

/// Products that schemes in the terms give free.
fn free_goods_products(terms: &PricingTerms) -> Vec<ProductId> {
    let mut products = Vec::new();
    for scheme in &terms.schemes {
        match &scheme.kind {
            SchemeKind::BuyGetFree { free, .. } => products.push(free.product.clone()),
            SchemeKind::FreeGoodsSlabs { slabs, .. } => {
                products.extend(slabs.iter().map(|slab| slab.free.product.clone()));
            }
            _ => {}
        }
    }
    products.sort();
    products.dedup();
    products
}

fn engine_quote(view: &CartView, catalog: &BTreeMap<ProductId, Product>, priced: &PricedOrder) -> CartQuote {
    let name = |product_id: &ProductId| {
        catalog
            .get(product_id)
            .map(|product| product.name.clone())
            .unwrap_or_else(|| product_id.to_string())
    };
    let money = Money::from_rupees;

    let mut lines = Vec::with_capacity(priced.lines.len());
    for cart_line in view.lines.values() {
        let Some(line) = priced.lines.iter().find(|line| line.product_id == cart_line.product_id) else {
            continue;
        };
        let tax_line = priced
            .tax
            .lines
            .iter()
            .find(|tax_line| tax_line.line_id == line.line_id);
        let (line_total, tax) = match tax_line {
            Some(tax_line) => (tax_line.total, tax_line.cgst + tax_line.sgst + tax_line.igst),
            None => (line.final_amount, Decimal::ZERO),
        };
        lines.push(PricedLine {
            product_id: line.product_id.clone(),
            product_name: name(&line.product_id),
            quantity: cart_line.quantity,
            unit_price: money(line.list_rate),
            line_total: money(line_total),
            conflicting_quantities: cart_line.conflicting_quantities.clone(),
            gross_amount: money(line.gross_amount),
            discount: money(line.line_discount + line.order_discount),
            net_amount: money(line.final_amount),
            gst_rate: Some(line.gst_rate),
            tax: money(tax),
            schemes: line.applied.iter().map(scheme_shown).collect(),
        });
    }

    let tax = &priced.tax;
    let free_lines = priced
        .free_lines
        .iter()
        .map(|free| FreeGoodsLine {
            product_id: free.product_id.clone(),
            product_name: name(&free.product_id),
            quantity: free.quantity,
            unit: free.unit.clone(),
            scheme_id: free.scheme_id.as_str().to_owned(),
            earned_by: free.earned_by.clone(),
            explanation: free.explanation.clone(),
        })
        .collect();
    let totals = CartTotals {
        line_count: lines.len() as u32,
        total_quantity: lines.iter().map(|line| line.quantity.value()).sum(),
        total: money(tax.grand_total),
        pricing_method: PricingMethod::Engine,
        fallback_reason: None,
        gross_amount: lines.iter().map(|line| line.gross_amount).sum(),
        discount: lines.iter().map(|line| line.discount).sum(),
        tax: Some(TaxSummary {
            taxable_value: money(tax.taxable_value),
            cgst: money(tax.cgst),
            sgst: money(tax.sgst),
            igst: money(tax.igst),
            round_off: money(tax.round_off),
            grand_total: money(tax.grand_total),
        }),
        free_lines,
        order_schemes: priced.order_schemes.iter().map(scheme_shown).collect(),
        scheme_ids: priced.applied_scheme_ids(),
    };
    CartQuote { lines, totals }
}

fn scheme_shown(applied: &dms_pricing::AppliedScheme) -> SchemeShown {
    SchemeShown {
        scheme_id: applied.scheme_id.as_str().to_owned(),
        scheme_name: applied.scheme_name.clone(),
        amount: Money::from_rupees(applied.amount),
        explanation: applied.explanation.clone(),
    }
}

/// Prices every line at selling price times quantity, rounded to paise, as the server does
/// when it cannot use the engine.
fn selling_price_quote(view: &CartView, catalog: &BTreeMap<ProductId, Product>, reason: String) -> CartQuote {
    let mut lines = Vec::with_capacity(view.lines.len());
    for line in view.lines.values() {
        let (product_name, unit_price) = match catalog.get(&line.product_id) {
            Some(product) => (product.name.clone(), product.selling_price),
            // A line synced from another device for a product this catalog lacks: show the
            // price that device saw rather than hiding the line.
            None => (line.product_id.to_string(), line.unit_price_seen.unwrap_or_default()),
        };
        let line_total = (unit_price * line.quantity).round_paise();
        lines.push(PricedLine {
            product_id: line.product_id.clone(),
            product_name,
            quantity: line.quantity,
            unit_price,
            line_total,
            conflicting_quantities: line.conflicting_quantities.clone(),
            gross_amount: line_total,
            discount: Money::default(),
            net_amount: line_total,
            gst_rate: None,
            tax: Money::default(),
            schemes: Vec::new(),
        });
    }
    let total: Money = lines.iter().map(|line| line.line_total).sum();
    let totals = CartTotals {
        line_count: lines.len() as u32,
        total_quantity: lines.iter().map(|line| line.quantity.value()).sum(),
        total,
        pricing_method: PricingMethod::SellingPrice,
        fallback_reason: Some(reason),
        gross_amount: total,
        discount: Money::default(),
        tax: None,
        free_lines: Vec::new(),
        order_schemes: Vec::new(),
        scheme_ids: Vec::new(),
    };
    CartQuote { lines, totals }
}
