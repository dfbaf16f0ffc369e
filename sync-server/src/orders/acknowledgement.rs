//! Applying a driver's signed delivery acknowledgement to the order-to-cash shipment it names.
//!
//! The rules:
//! - Only a signed acknowledgement is applied, and only once. The outcome is stored on its
//!   `deliveries` row, and a delivery that has an outcome is never applied again. So when a
//!   later change (a countersign, a dispute) reconciles the acknowledgement again, nothing
//!   more changes.
//! - A dispatched shipment is moved to in transit, and an in-transit one then records the
//!   delivery. Both status history entries carry the driver's user id and the sign-off time.
//! - The shipment's delivered quantity of a product is the acknowledgement's `delivered`.
//!   Damaged goods are refused at the door, so they are neither delivered nor billed. When
//!   several shipment lines carry one product, the delivered quantity fills them in line
//!   order, and the short and then the damaged quantities fill what each line lacks.
//! - Shortages and damages are recorded per shipment line against the sales order line it
//!   serves ([`crate::orders::exceptions`]).
//! - A planned shipment, or one already delivered, partly delivered or returned (staff
//!   recorded it over REST), is left unchanged: the outcome is `skipped`, with the reason.
//! - When staff later move a shipment whose acknowledgement was skipped to dispatched or in
//!   transit over REST, [`apply_after_dispatch`] applies the stored acknowledgement in the
//!   same transaction, by the same rules, and replaces the outcome with `applied` or
//!   `refused`.
//! - An acknowledgement that disagrees with the shipment is not applied. It disagrees when it
//!   names another buyer, a product the shipment does not carry, leaves out a product the
//!   shipment carries, or counts a dispatched or delivered quantity that differs. The
//!   outcome is `refused`, with the reason.

use dms_documents::delivery_ack::AcknowledgedLine;
use dms_domain::{AcknowledgementId, PartyId, ProductId, ShipmentId, Timestamp, UserId};
use dms_orders::{
    AcknowledgementOutcomeKind, DeliveryException, DeliveryExceptionKind, Shipment, ShipmentRecord, ShipmentStatus,
};
use rusqlite::{Transaction, params};
use rust_decimal::Decimal;

use crate::error::{Result, ServerError};
use crate::orders::{exceptions, store};
use crate::tenant::field_store::{DeliveryRecord, delivery_of_shipment};

/// The facts of a signed acknowledgement that applying it to a shipment needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAcknowledgement {
    pub ack_id: AcknowledgementId,
    pub shipment_id: ShipmentId,
    pub buyer_id: PartyId,
    pub signed_by: UserId,
    pub signed_at: Timestamp,
    /// One line per product, as signed.
    pub lines: Vec<AcknowledgedLine>,
}

/// The outcome of applying an acknowledgement, with a sentence for staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentOutcome {
    pub kind: AcknowledgementOutcomeKind,
    pub reason: String,
}

/// The changes applying an acknowledgement makes, worked out before anything is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShipmentPlan {
    Apply {
        /// The shipment as moved to in transit, when it was dispatched.
        in_transit: Option<Box<Shipment>>,
        /// The shipment with its delivery recorded.
        delivered: Box<Shipment>,
        exceptions: Vec<DeliveryException>,
    },
    Leave(ShipmentOutcome),
}

/// Applies `ack` to the shipment with its id inside `transaction`, storing the shipment, its
/// history and its exceptions. Returns `None`, changing nothing, when order to cash has no
/// shipment with that id.
pub fn apply_to_shipment(
    transaction: &Transaction<'_>,
    ack: &SignedAcknowledgement,
) -> Result<Option<ShipmentOutcome>> {
    let Some(record) = store::shipment(transaction, &ack.shipment_id.to_string())? else {
        return Ok(None);
    };
    let outcome = match plan_shipment(&record, ack) {
        ShipmentPlan::Leave(outcome) => {
            tracing::warn!(
                shipment_id = %ack.shipment_id, ack_id = %ack.ack_id, sales_order_id = %record.sales_order_id,
                outcome = outcome.kind.as_str(), reason = %outcome.reason,
                "signed acknowledgement not applied to its shipment"
            );
            outcome
        }
        ShipmentPlan::Apply {
            in_transit,
            delivered,
            exceptions: found,
        } => {
            let sales_order_id = record.sales_order_id.to_string();
            let save = |shipment: &Shipment| {
                store::save_shipment_at(
                    transaction,
                    shipment,
                    &sales_order_id,
                    &record.buyer_id,
                    &ack.signed_by,
                    ack.signed_at,
                )
            };
            if let Some(in_transit) = &in_transit {
                save(in_transit)?;
            }
            save(&delivered)?;
            exceptions::insert_exceptions(transaction, &ack.shipment_id, &found)?;
            let reason = format!(
                "shipment {} moved from {} to {} by acknowledgement {} signed by {} at {}",
                ack.shipment_id, record.shipment.status, delivered.status, ack.ack_id, ack.signed_by, ack.signed_at
            );
            tracing::info!(
                shipment_id = %ack.shipment_id, ack_id = %ack.ack_id, sales_order_id = %record.sales_order_id,
                status = %delivered.status, exceptions = found.len(),
                "applied signed acknowledgement to its shipment"
            );
            ShipmentOutcome {
                kind: AcknowledgementOutcomeKind::Applied,
                reason,
            }
        }
    };
    Ok(Some(outcome))
}

/// Applies the stored signed acknowledgement of `shipment_id` that was skipped because the
/// shipment was still planned, now that staff have moved the shipment to dispatched or in
/// transit inside `transaction`. The new outcome (`applied` or `refused`) replaces `skipped` on
/// the delivery. Returns `None`, changing nothing, when the shipment is in another status or
/// has no skipped acknowledgement.
///
/// A skip is only ever of a planned or a final shipment, and a final shipment never becomes
/// dispatched or in transit again, so a skipped acknowledgement of a shipment in either status
/// was skipped while the shipment was planned.
pub fn apply_after_dispatch(transaction: &Transaction<'_>, shipment_id: &str) -> Result<Option<ShipmentOutcome>> {
    let Some(record) = store::shipment(transaction, shipment_id)? else {
        return Ok(None);
    };
    if !matches!(
        record.shipment.status,
        ShipmentStatus::Dispatched | ShipmentStatus::InTransit
    ) {
        return Ok(None);
    }
    let Some(delivery) = delivery_of_shipment(transaction, shipment_id)? else {
        return Ok(None);
    };
    if delivery.shipment_outcome.as_deref() != Some(AcknowledgementOutcomeKind::Skipped.as_str()) {
        return Ok(None);
    }
    let Some(ack) = SignedAcknowledgement::from_delivery(&delivery)? else {
        return Ok(None);
    };
    let Some(outcome) = apply_to_shipment(transaction, &ack)? else {
        return Ok(None);
    };
    transaction.execute(
        "UPDATE deliveries SET shipment_outcome = ?2, shipment_outcome_reason = ?3 WHERE shipment_id = ?1",
        params![shipment_id, outcome.kind.as_str(), outcome.reason],
    )?;
    tracing::info!(
        shipment_id = %shipment_id, ack_id = %ack.ack_id, outcome = outcome.kind.as_str(),
        "acknowledgement skipped while its shipment was planned was reconsidered after dispatch"
    );
    Ok(Some(outcome))
}

impl SignedAcknowledgement {
    /// Reads the facts of a signed acknowledgement from its stored `deliveries` and
    /// `delivery_lines` rows. Returns `None` when the delivery is unsigned.
    pub fn from_delivery(delivery: &DeliveryRecord) -> Result<Option<SignedAcknowledgement>> {
        let (Some(signed_by), Some(signed_at)) = (&delivery.signed_by, &delivery.signed_at) else {
            return Ok(None);
        };
        let corrupt = |what: &str, value: &str| {
            ServerError::Corrupt(format!(
                "delivery of shipment {}: {what} {value:?} cannot be read",
                delivery.shipment_id
            ))
        };
        let decimal = |what: &str, text: &str| text.parse::<Decimal>().map_err(|_| corrupt(what, text));
        let mut lines = Vec::with_capacity(delivery.lines.len());
        for line in &delivery.lines {
            lines.push(AcknowledgedLine {
                product_id: ProductId::new(line.product_id.as_str())?,
                dispatched: decimal("dispatched quantity", &line.dispatched)?,
                delivered: decimal("delivered quantity", &line.delivered)?,
                short: decimal("short quantity", &line.short)?,
                damaged: decimal("damaged quantity", &line.damaged)?,
                reason: line.reason.clone(),
            });
        }
        Ok(Some(SignedAcknowledgement {
            ack_id: delivery
                .ack_id
                .parse()
                .map_err(|_| corrupt("acknowledgement id", &delivery.ack_id))?,
            shipment_id: delivery
                .shipment_id
                .parse()
                .map_err(|_| corrupt("shipment id", &delivery.shipment_id))?,
            buyer_id: PartyId::new(delivery.buyer_id.as_str())?,
            signed_by: UserId::new(signed_by.as_str())?,
            signed_at: signed_at.parse().map_err(|_| corrupt("sign-off time", signed_at))?,
            lines,
        }))
    }
}

/// Works out what applying `ack` to the stored shipment would change, without storing anything.
pub fn plan_shipment(record: &ShipmentRecord, ack: &SignedAcknowledgement) -> ShipmentPlan {
    let shipment = &record.shipment;
    let leave = |kind, reason: String| ShipmentPlan::Leave(ShipmentOutcome { kind, reason });
    match shipment.status {
        ShipmentStatus::Planned => {
            return leave(
                AcknowledgementOutcomeKind::Skipped,
                format!(
                    "shipment {} is still planned, not dispatched, so acknowledgement {} was not applied; \
                     record its dispatch and delivery over REST",
                    shipment.id, ack.ack_id
                ),
            );
        }
        ShipmentStatus::Delivered | ShipmentStatus::PartlyDelivered | ShipmentStatus::Returned => {
            return leave(
                AcknowledgementOutcomeKind::Skipped,
                format!(
                    "shipment {} was already {} when acknowledgement {} arrived, so it was left unchanged",
                    shipment.id, shipment.status, ack.ack_id
                ),
            );
        }
        ShipmentStatus::Dispatched | ShipmentStatus::InTransit => {}
    }
    if ack.buyer_id != record.buyer_id {
        return leave(
            AcknowledgementOutcomeKind::Refused,
            format!(
                "acknowledgement {} is for buyer {}, but shipment {} goes to buyer {}",
                ack.ack_id, ack.buyer_id, shipment.id, record.buyer_id
            ),
        );
    }
    let (delivered_lines, found) = match match_lines(shipment, ack) {
        Ok(matched) => matched,
        Err(reason) => return leave(AcknowledgementOutcomeKind::Refused, reason),
    };

    let mut moved = shipment.clone();
    let mut in_transit = None;
    if moved.status == ShipmentStatus::Dispatched {
        if let Err(error) = moved.mark_in_transit() {
            return leave(AcknowledgementOutcomeKind::Refused, error.to_string());
        }
        in_transit = Some(Box::new(moved.clone()));
    }
    if let Err(error) = moved.record_delivery(ack.signed_at, &delivered_lines) {
        return leave(AcknowledgementOutcomeKind::Refused, error.to_string());
    }
    ShipmentPlan::Apply {
        in_transit,
        delivered: Box::new(moved),
        exceptions: found,
    }
}

type MatchedLines = (Vec<(u32, Decimal)>, Vec<DeliveryException>);

/// Spreads each acknowledged product over the shipment lines that carry it, in line order:
/// the delivered quantity first, then the short and then the damaged quantity into what each
/// line still lacks. Fails with the reason when the acknowledgement and the shipment disagree.
fn match_lines(shipment: &Shipment, ack: &SignedAcknowledgement) -> std::result::Result<MatchedLines, String> {
    for line in &shipment.lines {
        if !ack.lines.iter().any(|acked| acked.product_id == line.product_id) {
            return Err(format!(
                "shipment {} carries product {} on line {}, but acknowledgement {} does not list it",
                shipment.id, line.product_id, line.line_no, ack.ack_id
            ));
        }
    }

    let mut delivered = Vec::new();
    let mut found = Vec::new();
    for acked in &ack.lines {
        let lines: Vec<_> = shipment
            .lines
            .iter()
            .filter(|line| line.product_id == acked.product_id)
            .collect();
        if lines.is_empty() {
            return Err(format!(
                "acknowledgement {} lists product {}, which shipment {} does not carry",
                ack.ack_id, acked.product_id, shipment.id
            ));
        }
        let shipped: Decimal = lines.iter().map(|line| line.dispatched).sum();
        if acked.delivered > shipped {
            return Err(format!(
                "acknowledgement {} delivers {} of product {}, but shipment {} dispatched only {}",
                ack.ack_id,
                acked.delivered.normalize(),
                acked.product_id,
                shipment.id,
                shipped.normalize()
            ));
        }
        if acked.dispatched != shipped {
            return Err(format!(
                "acknowledgement {} counts {} of product {} dispatched, but shipment {} dispatched {}",
                ack.ack_id,
                acked.dispatched.normalize(),
                acked.product_id,
                shipment.id,
                shipped.normalize()
            ));
        }

        let mut left_delivered = acked.delivered;
        let mut left_short = acked.short;
        let mut left_damaged = acked.damaged;
        for line in lines {
            let line_delivered = left_delivered.min(line.dispatched);
            left_delivered -= line_delivered;
            delivered.push((line.line_no, line_delivered));

            let mut lacking = line.dispatched - line_delivered;
            for (kind, left) in [
                (DeliveryExceptionKind::Short, &mut left_short),
                (DeliveryExceptionKind::Damaged, &mut left_damaged),
            ] {
                let quantity = (*left).min(lacking);
                if quantity > Decimal::ZERO {
                    *left -= quantity;
                    lacking -= quantity;
                    found.push(exception(ack, line, &acked.product_id, kind, quantity, &acked.reason));
                }
            }
        }
    }
    delivered.sort_by_key(|(line_no, _)| *line_no);
    found.sort_by_key(|exception| {
        (
            exception.shipment_line_no,
            exception.kind == DeliveryExceptionKind::Damaged,
        )
    });
    Ok((delivered, found))
}

fn exception(
    ack: &SignedAcknowledgement,
    line: &dms_orders::ShipmentLine,
    product_id: &ProductId,
    kind: DeliveryExceptionKind,
    quantity: Decimal,
    reason: &Option<String>,
) -> DeliveryException {
    DeliveryException {
        shipment_line_no: line.line_no,
        sales_order_id: line.sales_order_id,
        order_line_no: line.order_line_no,
        product_id: product_id.clone(),
        kind,
        quantity: quantity.normalize(),
        reason: reason.clone(),
        ack_id: ack.ack_id,
        recorded_at: ack.signed_at,
        recorded_by: ack.signed_by.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use dms_orders::{SalesOrderId, TransportMode, VehicleNumber, WarehouseId};
    use rust_decimal_macros::dec;

    use super::*;

    fn product(id: &str) -> ProductId {
        ProductId::new(id).unwrap()
    }

    /// Plans and dispatches a road shipment of `(product, dispatched)` lines of one sales order.
    fn dispatched_shipment(lines: &[(&str, Decimal)]) -> (ShipmentRecord, SalesOrderId) {
        let order = SalesOrderId(ulid::Ulid::generate());
        let lines: Vec<_> = lines
            .iter()
            .enumerate()
            .map(|(index, (id, quantity))| (order, index as u32 + 1, product(id), *quantity))
            .collect();
        let mut shipment = Shipment::plan_lines(
            ShipmentId::generate(),
            PartyId::new("acme-dist").unwrap(),
            WarehouseId::new("WH-PUNE").unwrap(),
            time::Date::from_calendar_date(2026, time::Month::May, 5).unwrap(),
            time::Date::from_calendar_date(2026, time::Month::May, 6).unwrap(),
            dms_orders::Transport {
                transporter: None,
                mode: TransportMode::Road,
                vehicle: Some(VehicleNumber::new("MH 12 AB 1234").unwrap()),
                driver: None,
                lorry_receipt: None,
            },
            &lines,
        )
        .unwrap();
        shipment.dispatch("2026-05-05T08:00:00+05:30".parse().unwrap()).unwrap();
        let record = ShipmentRecord {
            sales_order_id: order,
            buyer_id: PartyId::new("kirana-1").unwrap(),
            shipment,
            history: Vec::new(),
            exceptions: Vec::new(),
            comments: Vec::new(),
            delivery_visit: None,
            acknowledgement: None,
        };
        (record, order)
    }

    fn acknowledgement(
        record: &ShipmentRecord,
        lines: &[(&str, Decimal, Decimal, Decimal, Decimal)],
    ) -> SignedAcknowledgement {
        SignedAcknowledgement {
            ack_id: AcknowledgementId::generate(),
            shipment_id: record.shipment.id,
            buyer_id: record.buyer_id.clone(),
            signed_by: UserId::new("drv-1").unwrap(),
            signed_at: "2026-05-06T16:00:00+05:30".parse().unwrap(),
            lines: lines
                .iter()
                .map(|(id, dispatched, delivered, short, damaged)| AcknowledgedLine {
                    product_id: product(id),
                    dispatched: *dispatched,
                    delivered: *delivered,
                    short: *short,
                    damaged: *damaged,
                    reason: Some(format!("reason for {id}")),
                })
                .collect(),
        }
    }

    fn reason_of(plan: ShipmentPlan) -> (AcknowledgementOutcomeKind, String) {
        match plan {
            ShipmentPlan::Leave(outcome) => (outcome.kind, outcome.reason),
            ShipmentPlan::Apply { delivered, .. } => panic!("applied: {delivered:?}"),
        }
    }

    #[test]
    fn one_product_on_two_lines_fills_in_line_order() {
        let (record, order) = dispatched_shipment(&[("DM-001", dec!(5)), ("DM-002", dec!(3)), ("DM-001", dec!(5))]);
        let ack = acknowledgement(
            &record,
            &[
                ("DM-001", dec!(10), dec!(6), dec!(1), dec!(3)),
                ("DM-002", dec!(3), dec!(3), dec!(0), dec!(0)),
            ],
        );

        let ShipmentPlan::Apply {
            in_transit,
            delivered,
            exceptions,
        } = plan_shipment(&record, &ack)
        else {
            panic!("not applied");
        };
        assert_eq!(in_transit.unwrap().status, ShipmentStatus::InTransit);
        assert_eq!(delivered.status, ShipmentStatus::PartlyDelivered);
        let quantities: Vec<Decimal> = delivered.lines.iter().map(|line| line.delivered).collect();
        assert_eq!(quantities, [dec!(5), dec!(3), dec!(1)]);
        let found: Vec<(u32, u32, DeliveryExceptionKind, Decimal)> = exceptions
            .iter()
            .map(|exception| {
                (
                    exception.shipment_line_no,
                    exception.order_line_no,
                    exception.kind,
                    exception.quantity,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (3, 3, DeliveryExceptionKind::Short, dec!(1)),
                (3, 3, DeliveryExceptionKind::Damaged, dec!(3)),
            ]
        );
        assert!(exceptions.iter().all(|exception| exception.sales_order_id == order));
        assert_eq!(exceptions[0].reason.as_deref(), Some("reason for DM-001"));
        assert_eq!(exceptions[0].recorded_by, "drv-1");
    }

    #[test]
    fn in_transit_shipment_is_delivered_in_full() {
        let (mut record, _) = dispatched_shipment(&[("DM-001", dec!(4))]);
        record.shipment.mark_in_transit().unwrap();
        let ack = acknowledgement(&record, &[("DM-001", dec!(4), dec!(4), dec!(0), dec!(0))]);

        let ShipmentPlan::Apply {
            in_transit,
            delivered,
            exceptions,
        } = plan_shipment(&record, &ack)
        else {
            panic!("not applied");
        };
        assert_eq!(in_transit, None);
        assert_eq!(delivered.status, ShipmentStatus::Delivered);
        assert_eq!(delivered.delivered_at, Some(ack.signed_at));
        assert_eq!(delivered.lines[0].delivered, dec!(4));
        assert!(exceptions.is_empty());
    }

    #[test]
    fn planned_or_final_shipment_is_skipped() {
        let (mut record, _) = dispatched_shipment(&[("DM-001", dec!(4))]);
        let ack = acknowledgement(&record, &[("DM-001", dec!(4), dec!(4), dec!(0), dec!(0))]);
        record.shipment.mark_in_transit().unwrap();
        record.shipment.record_delivery(ack.signed_at, &[(1, dec!(3))]).unwrap();

        let (kind, reason) = reason_of(plan_shipment(&record, &ack));
        assert_eq!(kind, AcknowledgementOutcomeKind::Skipped);
        assert!(reason.contains("was already partly_delivered"), "{reason}");
    }

    #[test]
    fn product_not_on_shipment_is_refused() {
        let (record, _) = dispatched_shipment(&[("DM-001", dec!(4))]);
        let ack = acknowledgement(
            &record,
            &[
                ("DM-001", dec!(4), dec!(4), dec!(0), dec!(0)),
                ("DM-009", dec!(2), dec!(2), dec!(0), dec!(0)),
            ],
        );

        let (kind, reason) = reason_of(plan_shipment(&record, &ack));
        assert_eq!(kind, AcknowledgementOutcomeKind::Refused);
        assert!(reason.contains("lists product DM-009, which shipment"), "{reason}");
    }

    #[test]
    fn quantity_above_dispatch_is_refused() {
        let (record, _) = dispatched_shipment(&[("DM-001", dec!(4))]);
        let ack = acknowledgement(&record, &[("DM-001", dec!(6), dec!(5), dec!(1), dec!(0))]);

        let (kind, reason) = reason_of(plan_shipment(&record, &ack));
        assert_eq!(kind, AcknowledgementOutcomeKind::Refused);
        assert!(reason.contains("delivers 5 of product DM-001"), "{reason}");
        assert!(reason.contains("dispatched only 4"), "{reason}");
    }

    #[test]
    fn dispatched_count_mismatch_is_refused() {
        let (record, _) = dispatched_shipment(&[("DM-001", dec!(4))]);
        let ack = acknowledgement(&record, &[("DM-001", dec!(3), dec!(3), dec!(0), dec!(0))]);

        let (kind, reason) = reason_of(plan_shipment(&record, &ack));
        assert_eq!(kind, AcknowledgementOutcomeKind::Refused);
        assert!(reason.contains("counts 3 of product DM-001 dispatched"), "{reason}");
    }

    #[test]
    fn shipment_product_missing_from_acknowledgement_is_refused() {
        let (record, _) = dispatched_shipment(&[("DM-001", dec!(4)), ("DM-002", dec!(1))]);
        let ack = acknowledgement(&record, &[("DM-001", dec!(4), dec!(4), dec!(0), dec!(0))]);

        let (kind, reason) = reason_of(plan_shipment(&record, &ack));
        assert_eq!(kind, AcknowledgementOutcomeKind::Refused);
        assert!(reason.contains("carries product DM-002 on line 2"), "{reason}");
    }

    #[test]
    fn other_buyer_is_refused() {
        let (record, _) = dispatched_shipment(&[("DM-001", dec!(4))]);
        let mut ack = acknowledgement(&record, &[("DM-001", dec!(4), dec!(4), dec!(0), dec!(0))]);
        ack.buyer_id = PartyId::new("kirana-2").unwrap();

        let (kind, reason) = reason_of(plan_shipment(&record, &ack));
        assert_eq!(kind, AcknowledgementOutcomeKind::Refused);
        assert!(reason.contains("is for buyer kirana-2"), "{reason}");
    }
}
