//! The tenant tables of the field documents: reconciled visits, deliveries and business plan
//! goals, the blobs acknowledgements reference, and reports of refused alterations of signed
//! acknowledgements.
//!
//! [`write_field_records`] runs inside the transaction that stores a document's accepted
//! changes, so the tables never disagree with the documents. Each write replaces every row of
//! the one document it reconciles: a document is small, and replacing is simpler to get right
//! than tracking which visit or line changed.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::error::{Result, ServerError};
use crate::orders::acknowledgement::{SignedAcknowledgement, apply_to_shipment};
use crate::reports::achievement::OrderedLine;
use crate::tenant::store::TenantStore;

/// Rows that reconciling one field document writes.
#[derive(Clone, Debug)]
pub enum FieldRecords {
    Visits {
        plan_id: String,
        visits: Vec<VisitRow>,
    },
    Delivery {
        record: Box<DeliveryRecord>,
        /// The acknowledgement's facts when it is signed, to apply to its order-to-cash shipment.
        signed: Option<Box<SignedAcknowledgement>>,
    },
    Goals {
        plan_id: String,
        distributor_id: String,
        goals: Vec<GoalRow>,
    },
}

/// Time and place of a check-in or check-out, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PresenceRow {
    pub at: String,
    pub latitude: String,
    pub longitude: String,
    pub accuracy_m: String,
}

/// One row of `visits`: planned against actual.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VisitRow {
    pub plan_id: String,
    pub visit_id: String,
    pub rep_id: String,
    pub party_id: String,
    /// The date of `window_from` in IST, `YYYY-MM-DD`.
    pub visit_date: String,
    pub window_from: String,
    pub window_to: String,
    pub unplanned: bool,
    pub objectives: Vec<String>,
    pub vehicle_number: Option<String>,
    pub vehicle_kind: Option<String>,
    pub check_in: Option<PresenceRow>,
    pub check_out: Option<PresenceRow>,
    pub outcome: Option<String>,
    /// planned, in_progress, completed or cancelled.
    pub status: String,
}

/// One product line of a delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryLineRow {
    pub product_id: String,
    pub product_name: String,
    pub dispatched: String,
    pub delivered: String,
    pub short: String,
    pub damaged: String,
    pub reason: Option<String>,
}

/// An image an acknowledgement references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryImage {
    pub sha256: String,
    /// signature or photo.
    pub role: String,
    pub media_type: String,
}

/// A delivery as reconciled from its acknowledgement, keyed by shipment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    pub shipment_id: String,
    pub ack_id: String,
    pub buyer_id: String,
    pub driver_id: String,
    pub vehicle_number: String,
    /// unsigned, delivered or partly_delivered.
    pub status: String,
    pub dispatched: String,
    pub delivered: String,
    pub short: String,
    pub damaged: String,
    pub receiver_name: Option<String>,
    pub receiver_phone: Option<String>,
    pub signature_sha256: Option<String>,
    pub captured_at: Option<String>,
    pub captured_latitude: Option<String>,
    pub captured_longitude: Option<String>,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub content_sha256: Option<String>,
    pub countersigned_by: Option<String>,
    pub countersigned_at: Option<String>,
    pub countersign_verdict: Option<String>,
    pub countersign_note: Option<String>,
    /// The result of applying the signed acknowledgement to the order-to-cash shipment:
    /// applied, skipped (planned or already final) or refused (it disagrees with the
    /// shipment). `None` while unsigned, or when order to cash has no shipment with this id.
    pub shipment_outcome: Option<String>,
    /// Why, in a sentence for staff.
    pub shipment_outcome_reason: Option<String>,
    pub lines: Vec<DeliveryLineRow>,
    pub images: Vec<DeliveryImage>,
}

/// One goal of a business plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalRow {
    pub goal_id: String,
    /// category or product.
    pub scope: String,
    pub target: String,
    pub period_from: String,
    pub period_to: String,
    pub quantity: Option<String>,
    pub value: Option<String>,
}

/// A refused change that would have altered a signed acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alteration {
    pub document_id: String,
    pub ack_id: String,
    pub shipment_id: String,
    pub signed_by: String,
    pub signed_at: String,
    pub signed_sha256: String,
    pub altered_sha256: Option<String>,
    pub received_from: String,
    pub reason: String,
}

/// A stored blob's facts, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlobInfo {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub uploaded_by: String,
}

/// Writes the reconciled rows of one document, replacing its earlier rows.
pub fn write_field_records(
    transaction: &Transaction<'_>,
    records: &FieldRecords,
    document_id: &str,
    now: &str,
) -> Result<()> {
    match records {
        FieldRecords::Visits { plan_id, visits } => write_visits(transaction, plan_id, visits, document_id, now),
        FieldRecords::Delivery { record, signed } => {
            write_delivery(transaction, record, signed.as_deref(), document_id, now)
        }
        FieldRecords::Goals {
            plan_id,
            distributor_id,
            goals,
        } => {
            transaction.execute("DELETE FROM business_plan_goals WHERE plan_id = ?1", [plan_id])?;
            let mut insert = transaction.prepare(
                "INSERT INTO business_plan_goals
                   (plan_id, goal_id, document_id, distributor_id, scope, target, period_from, period_to,
                    quantity, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for goal in goals {
                insert.execute(params![
                    plan_id,
                    goal.goal_id,
                    document_id,
                    distributor_id,
                    goal.scope,
                    goal.target,
                    goal.period_from,
                    goal.period_to,
                    goal.quantity,
                    goal.value
                ])?;
            }
            Ok(())
        }
    }
}

fn write_visits(
    transaction: &Transaction<'_>,
    plan_id: &str,
    visits: &[VisitRow],
    document_id: &str,
    now: &str,
) -> Result<()> {
    transaction.execute("DELETE FROM visits WHERE plan_id = ?1", [plan_id])?;
    let mut insert = transaction.prepare(
        "INSERT INTO visits
           (plan_id, visit_id, document_id, rep_id, party_id, visit_date, window_from, window_to, unplanned,
            objectives, vehicle_number, vehicle_kind,
            check_in_at, check_in_latitude, check_in_longitude, check_in_accuracy_m,
            check_out_at, check_out_latitude, check_out_longitude, check_out_accuracy_m,
            outcome, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23)",
    )?;
    for visit in visits {
        let objectives = serde_json::to_string(&visit.objectives).unwrap_or_else(|_| "[]".to_owned());
        let check_in = visit.check_in.as_ref();
        let check_out = visit.check_out.as_ref();
        insert.execute(params![
            plan_id,
            visit.visit_id,
            document_id,
            visit.rep_id,
            visit.party_id,
            visit.visit_date,
            visit.window_from,
            visit.window_to,
            visit.unplanned,
            objectives,
            visit.vehicle_number,
            visit.vehicle_kind,
            check_in.map(|presence| &presence.at),
            check_in.map(|presence| &presence.latitude),
            check_in.map(|presence| &presence.longitude),
            check_in.map(|presence| &presence.accuracy_m),
            check_out.map(|presence| &presence.at),
            check_out.map(|presence| &presence.latitude),
            check_out.map(|presence| &presence.longitude),
            check_out.map(|presence| &presence.accuracy_m),
            visit.outcome,
            visit.status,
            now
        ])?;
    }
    Ok(())
}

/// Replaces the delivery rows of one acknowledgement and, the first time it is reconciled
/// signed, applies it to its order-to-cash shipment. The outcome stored then is kept on every
/// later reconciliation, so the acknowledgement is applied at most once.
fn write_delivery(
    transaction: &Transaction<'_>,
    delivery: &DeliveryRecord,
    signed: Option<&SignedAcknowledgement>,
    document_id: &str,
    now: &str,
) -> Result<()> {
    let shipment = delivery.shipment_id.as_str();
    let earlier_outcome: Option<(Option<String>, Option<String>)> = transaction
        .query_row(
            "SELECT shipment_outcome, shipment_outcome_reason FROM deliveries WHERE shipment_id = ?1",
            [shipment],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (outcome, outcome_reason) = earlier_outcome.unwrap_or_default();
    transaction.execute("DELETE FROM delivery_lines WHERE shipment_id = ?1", [shipment])?;
    transaction.execute("DELETE FROM delivery_images WHERE shipment_id = ?1", [shipment])?;
    transaction.execute("DELETE FROM deliveries WHERE shipment_id = ?1", [shipment])?;
    transaction.execute(
        "INSERT INTO deliveries
           (shipment_id, ack_id, document_id, buyer_id, driver_id, vehicle_number, status,
            dispatched, delivered, short, damaged, receiver_name, receiver_phone, signature_sha256,
            captured_at, captured_latitude, captured_longitude, signed_by, signed_at, content_sha256,
            countersigned_by, countersigned_at, countersign_verdict, countersign_note, updated_at,
            shipment_outcome, shipment_outcome_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
        params![
            shipment,
            delivery.ack_id,
            document_id,
            delivery.buyer_id,
            delivery.driver_id,
            delivery.vehicle_number,
            delivery.status,
            delivery.dispatched,
            delivery.delivered,
            delivery.short,
            delivery.damaged,
            delivery.receiver_name,
            delivery.receiver_phone,
            delivery.signature_sha256,
            delivery.captured_at,
            delivery.captured_latitude,
            delivery.captured_longitude,
            delivery.signed_by,
            delivery.signed_at,
            delivery.content_sha256,
            delivery.countersigned_by,
            delivery.countersigned_at,
            delivery.countersign_verdict,
            delivery.countersign_note,
            now,
            outcome,
            outcome_reason
        ],
    )?;
    let mut insert_line = transaction.prepare(
        "INSERT INTO delivery_lines
           (shipment_id, product_id, product_name, dispatched, delivered, short, damaged, reason)
         VALUES (?1, ?2, COALESCE((SELECT name FROM catalog_products WHERE product_id = ?2), ?2),
                 ?3, ?4, ?5, ?6, ?7)",
    )?;
    for line in &delivery.lines {
        insert_line.execute(params![
            shipment,
            line.product_id,
            line.dispatched,
            line.delivered,
            line.short,
            line.damaged,
            line.reason
        ])?;
    }
    let mut insert_image = transaction.prepare(
        "INSERT OR IGNORE INTO delivery_images (shipment_id, sha256, role, media_type) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for image in &delivery.images {
        insert_image.execute(params![shipment, image.sha256, image.role, image.media_type])?;
    }

    if outcome.is_none()
        && let Some(signed) = signed
        && let Some(applied) = apply_to_shipment(transaction, signed)?
    {
        transaction.execute(
            "UPDATE deliveries SET shipment_outcome = ?2, shipment_outcome_reason = ?3 WHERE shipment_id = ?1",
            params![shipment, applied.kind.as_str(), applied.reason],
        )?;
    }
    Ok(())
}

/// Reads the delivery of a shipment, with its lines and images, inside `connection`, which may
/// be an open transaction.
pub fn delivery_of_shipment(connection: &Connection, shipment_id: &str) -> Result<Option<DeliveryRecord>> {
    read_delivery(connection, shipment_id)
}

impl TenantStore {
    /// Visits, by rep and date when given, ordered by planned start.
    pub fn visits(&self, rep: Option<&str>, date: Option<&str>) -> Result<Vec<VisitRow>> {
        read_visits(self.connection(), rep, date)
    }

    /// The delivery of a shipment, with its lines and images.
    pub fn delivery(&self, shipment_id: &str) -> Result<Option<DeliveryRecord>> {
        read_delivery(self.connection(), shipment_id)
    }

    /// The acknowledgement already recorded for a shipment, if any.
    pub fn delivery_ack_id(&self, shipment_id: &str) -> Result<Option<String>> {
        Ok(self
            .connection()
            .query_row(
                "SELECT ack_id FROM deliveries WHERE shipment_id = ?1",
                [shipment_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn goals(&self, plan_id: &str) -> Result<Vec<GoalRow>> {
        let mut statement = self.connection().prepare(
            "SELECT goal_id, scope, target, period_from, period_to, quantity, value
             FROM business_plan_goals WHERE plan_id = ?1 ORDER BY goal_id",
        )?;
        let rows = statement.query_map([plan_id], |row| {
            Ok(GoalRow {
                goal_id: row.get(0)?,
                scope: row.get(1)?,
                target: row.get(2)?,
                period_from: row.get(3)?,
                period_to: row.get(4)?,
                quantity: row.get(5)?,
                value: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The distributor of the business plan stored under `document_id`, if there is one.
    pub fn business_plan_distributor(&self, document_id: &str) -> Result<Option<String>> {
        Ok(self
            .connection()
            .query_row(
                "SELECT buyer_id FROM documents WHERE kind = 'business_plan' AND document_id = ?1",
                [document_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Lines of every order request of `buyer`, with each product's catalog category (empty
    /// when the product has left the catalog).
    pub fn ordered_lines(&self, buyer: &str) -> Result<Vec<OrderedLine>> {
        let mut statement = self.connection().prepare(
            "SELECT r.submitted_at, l.product_id, COALESCE(c.category, ''), l.quantity, l.line_total
             FROM order_requests r
             JOIN order_request_lines l ON l.order_request_id = r.order_request_id
             LEFT JOIN catalog_products c ON c.product_id = l.product_id
             WHERE r.buyer_id = ?1",
        )?;
        let rows = statement.query_map([buyer], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?;
        let mut lines = Vec::new();
        for row in rows {
            let (submitted_at, product_id, category, quantity, line_total) = row?;
            let corrupt = |what: &str| ServerError::Corrupt(format!("order request line of {product_id}: {what}"));
            lines.push(OrderedLine {
                submitted_at: submitted_at.parse().map_err(|_| corrupt("submitted_at"))?,
                quantity: quantity.parse().map_err(|_| corrupt("quantity"))?,
                line_total: line_total.parse().map_err(|_| corrupt("line_total"))?,
                product_id,
                category,
            });
        }
        Ok(lines)
    }

    /// Stores a report of a refused alteration of a signed acknowledgement, on its own.
    pub fn record_alteration(&mut self, alteration: &Alteration) -> Result<()> {
        self.connection().execute(
            "INSERT INTO signed_record_alterations
               (document_id, ack_id, shipment_id, signed_by, signed_at, signed_sha256, altered_sha256,
                received_from, received_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                alteration.document_id,
                alteration.ack_id,
                alteration.shipment_id,
                alteration.signed_by,
                alteration.signed_at,
                alteration.signed_sha256,
                alteration.altered_sha256,
                alteration.received_from,
                dms_domain::Timestamp::now().to_string(),
                alteration.reason
            ],
        )?;
        Ok(())
    }

    pub fn alterations(&self) -> Result<Vec<Alteration>> {
        let mut statement = self.connection().prepare(
            "SELECT document_id, ack_id, shipment_id, signed_by, signed_at, signed_sha256, altered_sha256,
                    received_from, reason
             FROM signed_record_alterations ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Alteration {
                document_id: row.get(0)?,
                ack_id: row.get(1)?,
                shipment_id: row.get(2)?,
                signed_by: row.get(3)?,
                signed_at: row.get(4)?,
                signed_sha256: row.get(5)?,
                altered_sha256: row.get(6)?,
                received_from: row.get(7)?,
                reason: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores a blob unless one with this hash exists; returns whether it was new. The commit
    /// is durable (`synchronous=FULL`) before this returns.
    pub fn put_blob(&mut self, sha256: &str, bytes: &[u8], media_type: &str, uploaded_by: &str) -> Result<bool> {
        let inserted = self.connection().execute(
            "INSERT OR IGNORE INTO blobs (sha256, bytes, size, media_type, uploaded_by, uploaded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sha256,
                bytes,
                bytes.len() as i64,
                media_type,
                uploaded_by,
                dms_domain::Timestamp::now().to_string()
            ],
        )?;
        Ok(inserted == 1)
    }

    pub fn blob_info(&self, sha256: &str) -> Result<Option<BlobInfo>> {
        Ok(self
            .connection()
            .query_row(
                "SELECT sha256, size, media_type, uploaded_by FROM blobs WHERE sha256 = ?1",
                [sha256],
                |row| {
                    Ok(BlobInfo {
                        sha256: row.get(0)?,
                        size: row.get(1)?,
                        media_type: row.get(2)?,
                        uploaded_by: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn blob_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .connection()
            .query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha256], |row| row.get(0))
            .optional()?)
    }

    /// (buyer, driver) of every delivery whose acknowledgement references the image.
    pub fn blob_references(&self, sha256: &str) -> Result<Vec<(String, String)>> {
        let mut statement = self.connection().prepare(
            "SELECT DISTINCT d.buyer_id, d.driver_id FROM delivery_images i
             JOIN deliveries d ON d.shipment_id = i.shipment_id WHERE i.sha256 = ?1",
        )?;
        let rows = statement.query_map([sha256], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn delivery_counts(&self) -> Result<(i64, i64)> {
        Ok(self.connection().query_row(
            "SELECT COUNT(*), COALESCE(SUM(signed_by IS NOT NULL), 0) FROM deliveries",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    pub fn alteration_count(&self) -> Result<i64> {
        Ok(self
            .connection()
            .query_row("SELECT COUNT(*) FROM signed_record_alterations", [], |row| row.get(0))?)
    }
}

fn read_visits(connection: &Connection, rep: Option<&str>, date: Option<&str>) -> Result<Vec<VisitRow>> {
    let mut statement = connection.prepare(
        "SELECT plan_id, visit_id, rep_id, party_id, visit_date, window_from, window_to, unplanned, objectives,
                vehicle_number, vehicle_kind,
                check_in_at, check_in_latitude, check_in_longitude, check_in_accuracy_m,
                check_out_at, check_out_latitude, check_out_longitude, check_out_accuracy_m,
                outcome, status
         FROM visits
         WHERE (?1 IS NULL OR rep_id = ?1) AND (?2 IS NULL OR visit_date = ?2)
         ORDER BY window_from, visit_id",
    )?;
    let rows = statement.query_map(params![rep, date], |row| {
        let presence = |first: usize| -> rusqlite::Result<Option<PresenceRow>> {
            let at: Option<String> = row.get(first)?;
            Ok(match at {
                Some(at) => Some(PresenceRow {
                    at,
                    latitude: row.get(first + 1)?,
                    longitude: row.get(first + 2)?,
                    accuracy_m: row.get(first + 3)?,
                }),
                None => None,
            })
        };
        let objectives: String = row.get(8)?;
        Ok(VisitRow {
            plan_id: row.get(0)?,
            visit_id: row.get(1)?,
            rep_id: row.get(2)?,
            party_id: row.get(3)?,
            visit_date: row.get(4)?,
            window_from: row.get(5)?,
            window_to: row.get(6)?,
            unplanned: row.get(7)?,
            objectives: serde_json::from_str(&objectives).unwrap_or_default(),
            vehicle_number: row.get(9)?,
            vehicle_kind: row.get(10)?,
            check_in: presence(11)?,
            check_out: presence(15)?,
            outcome: row.get(19)?,
            status: row.get(20)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn read_delivery(connection: &Connection, shipment_id: &str) -> Result<Option<DeliveryRecord>> {
    let delivery = connection
        .query_row(
            "SELECT shipment_id, ack_id, buyer_id, driver_id, vehicle_number, status, dispatched, delivered,
                    short, damaged, receiver_name, receiver_phone, signature_sha256, captured_at,
                    captured_latitude, captured_longitude, signed_by, signed_at, content_sha256,
                    countersigned_by, countersigned_at, countersign_verdict, countersign_note,
                    shipment_outcome, shipment_outcome_reason
             FROM deliveries WHERE shipment_id = ?1",
            [shipment_id],
            |row| {
                Ok(DeliveryRecord {
                    shipment_id: row.get(0)?,
                    ack_id: row.get(1)?,
                    buyer_id: row.get(2)?,
                    driver_id: row.get(3)?,
                    vehicle_number: row.get(4)?,
                    status: row.get(5)?,
                    dispatched: row.get(6)?,
                    delivered: row.get(7)?,
                    short: row.get(8)?,
                    damaged: row.get(9)?,
                    receiver_name: row.get(10)?,
                    receiver_phone: row.get(11)?,
                    signature_sha256: row.get(12)?,
                    captured_at: row.get(13)?,
                    captured_latitude: row.get(14)?,
                    captured_longitude: row.get(15)?,
                    signed_by: row.get(16)?,
                    signed_at: row.get(17)?,
                    content_sha256: row.get(18)?,
                    countersigned_by: row.get(19)?,
                    countersigned_at: row.get(20)?,
                    countersign_verdict: row.get(21)?,
                    countersign_note: row.get(22)?,
                    shipment_outcome: row.get(23)?,
                    shipment_outcome_reason: row.get(24)?,
                    lines: Vec::new(),
                    images: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut delivery) = delivery else {
        return Ok(None);
    };

    let mut statement = connection.prepare(
        "SELECT product_id, product_name, dispatched, delivered, short, damaged, reason
         FROM delivery_lines WHERE shipment_id = ?1 ORDER BY product_id",
    )?;
    let lines = statement.query_map([shipment_id], |row| {
        Ok(DeliveryLineRow {
            product_id: row.get(0)?,
            product_name: row.get(1)?,
            dispatched: row.get(2)?,
            delivered: row.get(3)?,
            short: row.get(4)?,
            damaged: row.get(5)?,
            reason: row.get(6)?,
        })
    })?;
    delivery.lines = lines.collect::<rusqlite::Result<_>>()?;

    let mut statement = connection
        .prepare("SELECT sha256, role, media_type FROM delivery_images WHERE shipment_id = ?1 ORDER BY role, sha256")?;
    let images = statement.query_map([shipment_id], |row| {
        Ok(DeliveryImage {
            sha256: row.get(0)?,
            role: row.get(1)?,
            media_type: row.get(2)?,
        })
    })?;
    delivery.images = images.collect::<rusqlite::Result<_>>()?;
    Ok(Some(delivery))
}
