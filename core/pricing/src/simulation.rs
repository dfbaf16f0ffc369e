//! The scheme simulator: everything needed to price one draft order, in one serializable
//! bundle, and a plain-text explanation of the result. `dms-server price` reads the bundle
//! from JSON files and the server's simulation endpoint takes it as a request body; both call
//! [`simulate`], so the explanation a user reads is produced by the engine that prices orders.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::engine::{PricingContext, price_order};
use crate::error::Result;
use crate::gst::{GstRateEntry, GstRateTable, PlaceOfSupplyBasis};
use crate::order::Order;
use crate::priced::PricedOrder;
use crate::scheme::{Scheme, SchemeBook};

/// A draft order with the catalog, schemes and GST rates to price it against.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimulationInput {
    pub catalog: Catalog,
    #[serde(default)]
    pub schemes: Vec<Scheme>,
    #[serde(default)]
    pub gst_rates: Vec<GstRateEntry>,
    #[serde(default)]
    pub place_of_supply_basis: PlaceOfSupplyBasis,
    pub order: Order,
}

/// The priced order and its explanation, one line of text per step.
#[derive(Clone, Debug, Serialize)]
pub struct Simulation {
    pub priced: PricedOrder,
    pub explanation: Vec<String>,
}

/// Prices the draft order and explains which schemes applied, which were set aside and why,
/// and how the tax was computed.
pub fn simulate(input: &SimulationInput) -> Result<Simulation> {
    let schemes = SchemeBook::new(input.schemes.clone())?;
    let gst_rates = GstRateTable::new(input.gst_rates.clone())?;
    let context = PricingContext {
        catalog: &input.catalog,
        schemes: &schemes,
        gst_rates: &gst_rates,
        place_of_supply_basis: input.place_of_supply_basis,
    };
    let priced = price_order(&input.order, &context)?;
    let explanation = explain(&priced);
    Ok(Simulation { priced, explanation })
}

fn explain(priced: &PricedOrder) -> Vec<String> {
    let mut lines = Vec::new();
    for line in &priced.lines {
        let mut text = format!(
            "{} {}: {} {} at {} = {}",
            line.line_id, line.product_id, line.quantity, line.unit, line.list_rate, line.gross_amount
        );
        for applied in &line.applied {
            // The engine's explanation starts with the scheme's name.
            let _ = write!(text, "; {}: {}", applied.scheme_id, applied.explanation);
        }
        for set_aside in &line.set_aside {
            let _ = write!(text, "; set aside {}: {}", set_aside.scheme_id, set_aside.reason);
        }
        let _ = write!(text, "; net {} ({} per {})", line.net_amount, line.net_rate, line.unit);
        lines.push(text);
    }
    for free in &priced.free_lines {
        lines.push(format!(
            "free {} {} of {} from {}: {}",
            free.quantity, free.unit, free.product_id, free.scheme_id, free.explanation
        ));
    }
    for applied in &priced.order_schemes {
        lines.push(format!("order {}: {}", applied.scheme_id, applied.explanation));
    }
    for set_aside in &priced.order_set_aside {
        lines.push(format!(
            "order scheme set aside {}: {}",
            set_aside.scheme_id, set_aside.reason
        ));
    }
    let tax = &priced.tax;
    lines.push(format!(
        "tax ({:?}): taxable {}, CGST {}, SGST {}, IGST {}, round-off {}, total {}",
        tax.supply_type, tax.taxable_value, tax.cgst, tax.sgst, tax.igst, tax.round_off, tax.grand_total
    ));
    lines
}
