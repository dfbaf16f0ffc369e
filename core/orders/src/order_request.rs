//! An order request as the sales order decision reads it: the buyer's requested lines with
//! the prices the seller will charge. The sync server makes one order request per submitted
//! cart; the server maps its stored request into this type before a seller decides it.

use dms_domain::{Money, ProductId, Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};
use crate::ids::OrderRequestId;
use crate::party::PartyDetails;

/// One requested product. `unit_price` is the taxable price per unit, before GST and after
/// any scheme discount, in rupees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedLine {
    pub product_id: ProductId,
    /// Product description printed on the invoice.
    pub description: String,
    pub hsn: String,
    /// Total GST rate in percent (IGST, or CGST plus SGST), such as 18.
    pub gst_rate: Decimal,
    /// Unit quantity code of the GST returns, such as "NOS", "KGS" or "BOX".
    pub unit: String,
    pub unit_price: Money,
    pub quantity: Quantity,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub id: OrderRequestId,
    pub seller: PartyDetails,
    pub buyer: PartyDetails,
    pub requested_at: Timestamp,
    /// Days the buyer has to pay after the invoice date.
    pub credit_days: u16,
    /// Numbered from 1 in this order; the sales order keeps the numbers.
    pub lines: Vec<RequestedLine>,
}

impl OrderRequest {
    /// Checks that the request has lines, that the parties are complete and that every
    /// price has at most two decimal places.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| OrderError::InvalidOrderRequest {
            order_request: self.id,
            reason,
        };
        if self.lines.is_empty() {
            return Err(invalid("it has no lines".to_owned()));
        }
        self.seller.validate()?;
        self.buyer.validate()?;
        if self.seller.party_id == self.buyer.party_id {
            return Err(invalid(format!(
                "seller and buyer are the same party {}",
                self.buyer.party_id
            )));
        }
        for (index, line) in self.lines.iter().enumerate() {
            let price = line.unit_price.rupees();
            if price.is_sign_negative() || price.normalize().scale() > 2 {
                return Err(invalid(format!(
                    "line {} price {price} must be zero or more with at most 2 decimal places",
                    index + 1
                )));
            }
        }
        Ok(())
    }
}
