//! The seller's decision on an order request: accept it in full, accept it in part (a
//! reason for every reduced line) or reject it (with a reason). The decision is recorded as
//! a sales order in every case, a rejected one included, so that "an order request becomes
//! at most one sales order" can be checked by looking for that one record.
//!
//! [`decide_order_request`] is idempotent: given the sales order already made from the
//! request, it returns that order unchanged and ignores the new decision. A retried request
//! from a phone or a double click therefore cannot make a second order.

use dms_domain::{Money, PartyId, ProductId, Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{OrderError, Result};
use crate::ids::{OrderRequestId, SalesOrderId};
use crate::order_request::OrderRequest;
use crate::party::PartyDetails;
use crate::quantities::non_negative;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesOrderStatus {
    /// Every line accepted in full.
    Accepted,
    /// At least one line reduced, and something accepted.
    PartlyAccepted,
    Rejected,
}

/// The accepted quantity for one line of a partial acceptance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAcceptance {
    pub line_no: u32,
    /// From zero to the requested quantity.
    pub accepted: Decimal,
    /// Required when `accepted` is less than requested, such as "out of stock till June".
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderDecision {
    AcceptInFull,
    /// Lines not listed are accepted in full.
    AcceptInPart(Vec<LineAcceptance>),
    Reject {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesOrderLine {
    /// The order request's line number, from 1.
    pub line_no: u32,
    pub product_id: ProductId,
    pub description: String,
    pub hsn: String,
    pub gst_rate: Decimal,
    pub unit: String,
    pub unit_price: Money,
    pub requested: Quantity,
    /// Zero when the line was dropped or the order rejected.
    pub accepted: Decimal,
    pub reduction_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesOrder {
    pub id: SalesOrderId,
    pub order_request_id: OrderRequestId,
    pub seller: PartyDetails,
    pub buyer: PartyDetails,
    pub status: SalesOrderStatus,
    pub decided_at: Timestamp,
    pub rejection_reason: Option<String>,
    pub credit_days: u16,
    pub lines: Vec<SalesOrderLine>,
}

impl SalesOrder {
    pub fn line(&self, line_no: u32) -> Result<&SalesOrderLine> {
        self.lines
            .iter()
            .find(|line| line.line_no == line_no)
            .ok_or_else(|| OrderError::UnknownLine {
                document: format!("sales order {}", self.id),
                line_no,
            })
    }

    pub fn seller_id(&self) -> &PartyId {
        &self.seller.party_id
    }

    pub fn buyer_id(&self) -> &PartyId {
        &self.buyer.party_id
    }

    /// Fails with [`OrderError::OrderRejected`] for a rejected order.
    pub(crate) fn ensure_accepted(&self, action: &'static str) -> Result<()> {
        if self.status == SalesOrderStatus::Rejected {
            return Err(OrderError::OrderRejected {
                sales_order: self.id,
                action,
            });
        }
        Ok(())
    }
}

/// Makes the sales order for `request`, or returns `existing` unchanged when the request
/// already has one.
///
/// Fails when `existing` was made from another request or when the request is invalid. It
/// also fails when an accepted quantity exceeds the requested one or lacks the reason for a
/// reduction, when a rejection has no reason, or when a partial acceptance accepts nothing.
pub fn decide_order_request(
    request: &OrderRequest,
    existing: Option<&SalesOrder>,
    decision: &OrderDecision,
    sales_order_id: SalesOrderId,
    decided_at: Timestamp,
) -> Result<SalesOrder> {
    if let Some(order) = existing {
        if order.order_request_id != request.id {
            return Err(OrderError::SalesOrderOfOtherRequest {
                sales_order: order.id,
                made_from: order.order_request_id,
                order_request: request.id,
            });
        }
        return Ok(order.clone());
    }
    request.validate()?;

    let (status, rejection_reason, accepted) = match decision {
        OrderDecision::AcceptInFull => {
            let accepted = request.lines.iter().map(|line| (line.quantity.value(), None)).collect();
            (SalesOrderStatus::Accepted, None, accepted)
        }
        OrderDecision::AcceptInPart(acceptances) => {
            let accepted = partial_acceptance(request, acceptances)?;
            let reduced = accepted
                .iter()
                .zip(&request.lines)
                .any(|((quantity, _), line)| *quantity < line.quantity.value());
            let status = if reduced {
                SalesOrderStatus::PartlyAccepted
            } else {
                SalesOrderStatus::Accepted
            };
            (status, None, accepted)
        }
        OrderDecision::Reject { reason } => {
            if reason.trim().is_empty() {
                return Err(OrderError::MissingRejectionReason {
                    order_request: request.id,
                });
            }
            let accepted = request.lines.iter().map(|_| (Decimal::ZERO, None)).collect();
            (SalesOrderStatus::Rejected, Some(reason.trim().to_owned()), accepted)
        }
    };

    let lines = request
        .lines
        .iter()
        .zip(accepted)
        .enumerate()
        .map(|(index, (line, (accepted, reduction_reason)))| SalesOrderLine {
            line_no: line_number(index),
            product_id: line.product_id.clone(),
            description: line.description.clone(),
            hsn: line.hsn.clone(),
            gst_rate: line.gst_rate,
            unit: line.unit.clone(),
            unit_price: line.unit_price,
            requested: line.quantity,
            accepted,
            reduction_reason,
        })
        .collect();

    Ok(SalesOrder {
        id: sales_order_id,
        order_request_id: request.id,
        seller: request.seller.clone(),
        buyer: request.buyer.clone(),
        status,
        decided_at,
        rejection_reason,
        credit_days: request.credit_days,
        lines,
    })
}

/// Returns, per request line, the accepted quantity and the reduction reason.
fn partial_acceptance(
    request: &OrderRequest,
    acceptances: &[LineAcceptance],
) -> Result<Vec<(Decimal, Option<String>)>> {
    let mut accepted: Vec<(Decimal, Option<String>)> =
        request.lines.iter().map(|line| (line.quantity.value(), None)).collect();
    let mut seen = vec![false; request.lines.len()];

    for acceptance in acceptances {
        let index = (acceptance.line_no as usize)
            .checked_sub(1)
            .filter(|index| *index < request.lines.len())
            .ok_or_else(|| OrderError::UnknownLine {
                document: format!("order request {}", request.id),
                line_no: acceptance.line_no,
            })?;
        if seen[index] {
            return Err(OrderError::DuplicateLine {
                document: format!("acceptance of order request {}", request.id),
                line_no: acceptance.line_no,
            });
        }
        seen[index] = true;

        let requested = request.lines[index].quantity.value();
        let quantity = non_negative(acceptance.accepted, || {
            format!("order request {} line {}", request.id, acceptance.line_no)
        })?;
        if quantity > requested {
            return Err(OrderError::AcceptedExceedsRequested {
                order_request: request.id,
                line_no: acceptance.line_no,
                accepted: quantity,
                requested,
            });
        }
        let reason = acceptance
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|reason| !reason.is_empty());
        if quantity < requested && reason.is_none() {
            return Err(OrderError::MissingReductionReason {
                order_request: request.id,
                line_no: acceptance.line_no,
                accepted: quantity,
                requested,
            });
        }
        accepted[index] = (quantity, reason.filter(|_| quantity < requested).map(str::to_owned));
    }

    if accepted.iter().all(|(quantity, _)| quantity.is_zero()) {
        return Err(OrderError::NothingAccepted {
            order_request: request.id,
        });
    }
    Ok(accepted)
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}
