//! Authoritative pricing of a submitted cart for its order request.
//!
//! The cart becomes an engine order through [`dms_documents::cart_order::cart_order`], the
//! function devices call to price offline: dated the submission day in IST, sold by the
//! tenant to the cart's buyer, one line per product in its base unit. The supplier's state is
//! the tenant's setting or its GSTIN's state. Bill-to and ship-to are both the buyer's state
//! when the buyer's registration is a GSTIN, else the supplier's state.
//!
//! The server's grand total is compared with the total the submitting device recorded
//! (`submission.total_seen`). When they differ, the note names each scheme the device showed
//! that does not apply now and each scheme that applies now that the device did not show.
//!
//! The buyer's partner groups and territory are the seller's records at submission, so
//! schemes aimed at them apply as they do on the device. NOTE: the server keeps no buyer
//! addresses, so a buyer without a GSTIN on record is taxed as intra-state.
//!
//! Missing pricing data or an engine error never fails a submission (a database error still
//! does). When a product has no pricing data, the supplier's state is unknown or the engine
//! returns an error, the order is priced at selling price times quantity and the note gives
//! the reason.

use std::collections::{BTreeMap, BTreeSet};

use dms_documents::cart::CartView;
use dms_documents::cart_order::cart_order;
pub use dms_documents::cart_order::ist_date;
use dms_domain::{Money, ProductId, TenantId};
use dms_pricing::{OrderParties, PricedOrder, Scheme, Simulation};
use serde::{Deserialize, Serialize};
use time::Date;

use super::order::{TenantPricing, registered_state};
use crate::error::{Result, ServerError};
use crate::registry::Registry;

/// Method an order request was priced by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingMethod {
    /// By the pricing engine: schemes, GST and round-off.
    Engine,
    /// Catalog selling price times quantity, without schemes or GST.
    SellingPrice,
}

impl PricingMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PricingMethod::Engine => "engine",
            PricingMethod::SellingPrice => "selling_price",
        }
    }
}

/// The GST totals of an engine-priced order request, in rupees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxTotals {
    pub taxable_value: Money,
    pub cgst: Money,
    pub sgst: Money,
    pub igst: Money,
    pub round_off: Money,
    pub grand_total: Money,
}

/// One cart line's authoritative figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinePrice {
    pub product_name: String,
    /// Catalog selling price per base unit.
    pub unit_price: Money,
    /// With the engine: taxable value plus GST of the line. Otherwise price times quantity.
    pub line_total: Money,
}

/// The authoritative price of a cart.
#[derive(Clone, Debug)]
pub struct CartPricing {
    pub method: PricingMethod,
    pub lines: BTreeMap<ProductId, LinePrice>,
    /// The grand total after GST and round-off, or the sum of the line totals.
    pub total: Money,
    pub tax: Option<TaxTotals>,
    pub priced: Option<PricedOrder>,
    pub explanation: Vec<String>,
    /// Whether `total` differs from what the devices showed.
    pub figures_differ: bool,
    /// Explanation for the buyer of a difference in figures, or of why the engine was not used.
    pub note: Option<String>,
}

/// Prices a submitted cart against the tenant's current pricing data.
pub fn price_cart(
    cart: &CartView,
    tenant: &TenantId,
    pricing: &TenantPricing,
    registry: &Registry,
) -> Result<CartPricing> {
    let submission = cart
        .submission
        .as_ref()
        .ok_or_else(|| ServerError::InvalidInput(format!("cart {} is not submitted", cart.header.cart_id)))?;
    let total_seen = cart.total_seen().round_paise();
    let date = ist_date(submission.submitted_at);

    let unpriced = pricing.unpriced_among(cart.lines.keys());
    let fallback_reason = if !unpriced.is_empty() {
        let products: Vec<String> = unpriced.iter().map(|(id, reason)| format!("{id} ({reason})")).collect();
        Some(format!("products without pricing data: {}", products.join(", ")))
    } else if pricing.supplier_state.is_none() {
        Some(format!(
            "tenant {tenant} has no supplier GST state (no setting and no GSTIN on record)"
        ))
    } else {
        None
    };
    if let Some(reason) = fallback_reason {
        tracing::info!(
            tenant_id = %tenant, cart_id = %cart.header.cart_id, reason = %reason,
            "pricing the order at selling price"
        );
        return selling_price(cart, pricing, total_seen, &reason);
    }

    let supplier_state = pricing
        .supplier_state
        .clone()
        .ok_or_else(|| ServerError::InvalidInput(format!("tenant {tenant} has no supplier GST state")))?;
    let buyer_state = registered_state(registry, &cart.header.buyer_id)?;
    let groups = pricing
        .buyer_groups
        .get(&cart.header.buyer_id)
        .cloned()
        .unwrap_or_default();
    let territory = pricing.buyer_territories.get(&cart.header.buyer_id).cloned();
    let order = cart_order(
        cart,
        supplier_state,
        buyer_state,
        groups,
        territory,
        submission.submitted_at,
    )?;
    let parties = order.parties.clone();
    let simulation = match pricing.price(order) {
        Ok(simulation) => simulation,
        Err(error) => {
            tracing::warn!(
                tenant_id = %tenant, cart_id = %cart.header.cart_id, error = %error,
                "pricing engine failed; pricing the order at selling price"
            );
            return selling_price(cart, pricing, total_seen, &format!("pricing failed: {error}"));
        }
    };
    let Simulation { priced, explanation } = simulation;

    let mut lines = BTreeMap::new();
    for line in &priced.lines {
        let line_total = priced
            .tax
            .lines
            .iter()
            .find(|tax_line| tax_line.line_id == line.line_id)
            .map(|tax_line| tax_line.total)
            .unwrap_or(line.final_amount);
        lines.insert(
            line.product_id.clone(),
            LinePrice {
                product_name: product_name(pricing, &line.product_id),
                unit_price: Money::from_rupees(line.list_rate),
                line_total: Money::from_rupees(line_total),
            },
        );
    }
    let tax = &priced.tax;
    let total = Money::from_rupees(tax.grand_total);
    let totals = TaxTotals {
        taxable_value: Money::from_rupees(tax.taxable_value),
        cgst: Money::from_rupees(tax.cgst),
        sgst: Money::from_rupees(tax.sgst),
        igst: Money::from_rupees(tax.igst),
        round_off: Money::from_rupees(tax.round_off),
        grand_total: total,
    };
    let figures_differ = total != total_seen;
    let note = figures_differ.then(|| {
        let mut note = format!("The device showed {total_seen}; the server priced this order at {total}.");
        match &submission.schemes_seen {
            // The note names only the schemes that differ; `explanation` has the rest.
            Some(seen) => {
                let differences = scheme_differences(seen, &priced, cart, date, pricing);
                if !differences.is_empty() {
                    note.push_str(&format!(" Schemes that differ: {}.", differences.join("; ")));
                }
            }
            // A device that recorded no schemes: list the scheme changes that could explain it.
            None => {
                let changes = scheme_changes(cart, &parties, date, pricing);
                if !changes.is_empty() {
                    note.push_str(&format!(
                        " Scheme changes since the cart was started: {}.",
                        changes.join("; ")
                    ));
                }
                note.push_str(&format!(" Server pricing: {}", explanation.join(" | ")));
            }
        }
        note
    });
    Ok(CartPricing {
        method: PricingMethod::Engine,
        lines,
        total,
        tax: Some(totals),
        priced: Some(priced),
        explanation,
        figures_differ,
        note,
    })
}

/// Prices at selling price times quantity, as before the engine, with `reason` in the note.
fn selling_price(cart: &CartView, pricing: &TenantPricing, total_seen: Money, reason: &str) -> Result<CartPricing> {
    let mut lines = BTreeMap::new();
    for line in cart.lines.values() {
        let (product, _) = pricing.products.get(&line.product_id).ok_or_else(|| {
            ServerError::InvalidInput(format!(
                "cart {} orders product {}, which is not in the catalog",
                cart.header.cart_id, line.product_id
            ))
        })?;
        lines.insert(
            line.product_id.clone(),
            LinePrice {
                product_name: product.name.clone(),
                unit_price: product.selling_price,
                line_total: (product.selling_price * line.quantity).round_paise(),
            },
        );
    }
    let total: Money = lines.values().map(|line| line.line_total).sum();
    let figures_differ = total != total_seen;
    let mut note = format!("Priced at catalog selling price times quantity, without schemes or GST: {reason}.");
    if figures_differ {
        note.push_str(&format!(
            " The device showed {total_seen}; the server total is {total}."
        ));
    }
    Ok(CartPricing {
        method: PricingMethod::SellingPrice,
        lines,
        total,
        tax: None,
        priced: None,
        explanation: Vec::new(),
        figures_differ,
        note: Some(note),
    })
}

fn product_name(pricing: &TenantPricing, product_id: &ProductId) -> String {
    pricing
        .products
        .get(product_id)
        .map(|(product, _)| product.name.clone())
        .unwrap_or_else(|| product_id.to_string())
}

/// Schemes for this order's products and parties that were withdrawn, ended or started after
/// the cart was created: the likely reasons a device that priced the cart earlier shows a
/// different total.
fn scheme_changes(cart: &CartView, parties: &OrderParties, date: Date, pricing: &TenantPricing) -> Vec<String> {
    let started = cart.header.created_at;
    let started_date = ist_date(started);
    let concerns = |scheme: &Scheme| {
        let for_products = scheme.kind.is_order_level()
            || scheme
                .kind
                .line_products()
                .iter()
                .any(|product| cart.lines.contains_key(*product));
        for_products && scheme.targeting.matches(parties)
    };

    let mut changes = Vec::new();
    for (scheme, removed_at) in &pricing.removed_schemes {
        if *removed_at > started && concerns(scheme) {
            changes.push(format!(
                "scheme {} ({}) was withdrawn at {}",
                scheme.id,
                scheme.name,
                removed_at.display_ist()
            ));
        }
    }
    for scheme in pricing.schemes.schemes().iter().filter(|scheme| concerns(scheme)) {
        if scheme.valid_to < date && scheme.valid_to >= started_date {
            changes.push(format!(
                "scheme {} ({}) ended on {}",
                scheme.id, scheme.name, scheme.valid_to
            ));
        }
        if scheme.valid_from > started_date && scheme.valid_from <= date {
            changes.push(format!(
                "scheme {} ({}) started on {}",
                scheme.id, scheme.name, scheme.valid_from
            ));
        }
    }
    changes
}

/// Schemes the device showed that do not apply now, and schemes that apply now that the
/// device did not show, each with the likeliest reason.
fn scheme_differences(
    seen: &[String],
    priced: &PricedOrder,
    cart: &CartView,
    date: Date,
    pricing: &TenantPricing,
) -> Vec<String> {
    let applied_ids = priced.applied_scheme_ids();
    let applied: BTreeSet<&str> = applied_ids.iter().map(String::as_str).collect();
    let seen: BTreeSet<&str> = seen.iter().map(String::as_str).collect();
    let in_book = |id: &str| pricing.schemes.schemes().iter().find(|scheme| scheme.id.as_str() == id);
    let removed = |id: &str| {
        pricing
            .removed_schemes
            .iter()
            .find(|(scheme, _)| scheme.id.as_str() == id)
    };
    let named = |id: &str| match in_book(id).or_else(|| removed(id).map(|(scheme, _)| scheme)) {
        Some(scheme) => format!("scheme {id} ({})", scheme.name),
        None => format!("scheme {id}"),
    };

    let mut differences = Vec::new();
    for id in seen.difference(&applied) {
        let reason = if let Some((_, removed_at)) = removed(id) {
            format!("it was withdrawn at {}", removed_at.display_ist())
        } else if let Some(scheme) = in_book(id).filter(|scheme| scheme.valid_to < date) {
            format!("it ended on {}", scheme.valid_to)
        } else if in_book(id).is_some() {
            "it does not apply to this order now".to_owned()
        } else {
            "it is not in the scheme book".to_owned()
        };
        differences.push(format!(
            "{} was shown on the device but not applied: {reason}",
            named(id)
        ));
    }
    let started_date = ist_date(cart.header.created_at);
    for id in applied.difference(&seen) {
        let reason = match in_book(id).filter(|scheme| scheme.valid_from > started_date) {
            Some(scheme) => format!("it started on {}", scheme.valid_from),
            None => "the device did not have it".to_owned(),
        };
        differences.push(format!(
            "{} was applied but not shown on the device: {reason}",
            named(id)
        ));
    }
    differences
}
