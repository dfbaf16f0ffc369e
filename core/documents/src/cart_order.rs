//! The one conversion from a cart to the pricing engine's [`Order`]. A device calls it to show
//! a price offline and the server calls it to price the submitted cart, so the two price the
//! same order and reach the same figures from the same catalog and scheme book.
//!
//! The order is dated the IST calendar day of `at` (the submission time once the cart is
//! submitted). The seller (`parties.distributor_id`) is the cart's tenant and the partner is
//! the cart's buyer, with the partner groups and territory the seller recorded for it. There is one line per product, its
//! id the product id, in the product's base unit. Bill-to and ship-to are both the buyer's GST
//! state when it has one, else the supplier's state, which makes the supply intra-state.

use dms_domain::timestamp::IST;
use dms_domain::{PartyId, Timestamp};
use dms_pricing::gst::{StateCode, SupplyAddresses};
use dms_pricing::{Order, OrderLine, OrderParties};
use time::Date;

use crate::cart::CartView;
use crate::error::Result;

/// Returns the calendar day of `at` in India (IST).
pub fn ist_date(at: Timestamp) -> Date {
    at.offset_date_time().to_offset(IST).date()
}

/// Builds the engine order for `cart` as priced at `at`. `buyer_state` is the GST state of the
/// buyer's registration, `None` when the buyer has no GSTIN on record.
pub fn cart_order(
    cart: &CartView,
    supplier_state: StateCode,
    buyer_state: Option<StateCode>,
    partner_group_ids: Vec<String>,
    territory: Option<String>,
    at: Timestamp,
) -> Result<Order> {
    let buyer_state = buyer_state.unwrap_or_else(|| supplier_state.clone());
    Ok(Order {
        id: cart.header.cart_id.to_string(),
        date: ist_date(at),
        parties: OrderParties {
            distributor_id: PartyId::new(cart.header.tenant_id.as_str())?,
            partner_id: Some(cart.header.buyer_id.clone()),
            partner_group_ids,
            territory,
        },
        supply: SupplyAddresses {
            supplier_state,
            bill_to_state: buyer_state.clone(),
            ship_to_state: buyer_state,
        },
        lines: cart
            .lines
            .values()
            .map(|line| OrderLine {
                line_id: line.product_id.to_string(),
                product_id: line.product_id.clone(),
                quantity: line.quantity,
                unit: None,
            })
            .collect(),
    })
}
