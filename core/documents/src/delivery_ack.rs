//! The delivery acknowledgement document: what a driver records at a shop, offline, when a
//! shipment arrives, and what the receiver signs.
//!
//! # Layout
//! ```text
//! { schema: "dms.delivery-ack/1",
//!   header: { ack_id, tenant_id, shipment_id, buyer_id, driver_id, vehicle_number, created_at },
//!   lines: { <product id>: { dispatched, delivered, short, damaged, reason?, updated_at } },
//!   receiver?: { name, phone },
//!   signature?: { sha256, media_type },
//!   photos: { <sha256>: { media_type, taken_at } },
//!   captured?: { at, latitude, longitude, accuracy_m },
//!   sign_off?: { signed_by, signed_at, content_sha256 },
//!   countersign?: { by, at, verdict: "accepted" | "disputed", note } }
//! ```
//! Quantities are decimal text. Images are not in the document: the signature and photos are
//! referenced by the SHA-256 of their bytes, which the device stores and uploads separately,
//! so the document stays small and an image is verified by its hash wherever it lands.
//!
//! # Sign-off
//! Signing computes the SHA-256 of the signed content (header, lines, receiver, signature,
//! photos, capture) in a canonical JSON form and records it with the signer. From then on:
//! - every edit function refuses to change the acknowledgement;
//! - [`AcknowledgementView::read`] recomputes the hash and reports
//!   [`DocumentError::Invalid`] with "altered after sign-off" if any signed field changed,
//!   so a replica (the server) detects an edit made by a device that had not yet seen the
//!   sign-off, or by a tampering client;
//! - only a countersignature may be added, once, by the buyer, within the countersign window.
//!
//! # Merge rules before sign-off
//! Lines are keyed by product and replaced whole when recorded, as cart lines are: two
//! devices recording one line concurrently leave one deterministic winner. Photos are keyed
//! by hash, so photos taken on two devices all survive.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc};
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, ProductId, ShipmentId, TenantId, Timestamp, UserId};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::SCHEMA_KEY;
use crate::error::{DocumentError, Result};
use crate::fields::{Reader, commit};

pub const DELIVERY_ACK_SCHEMA: &str = "dms.delivery-ack/1";
const KIND: &str = "delivery acknowledgement";

/// How long after sign-off the buyer may countersign or dispute: 72 hours.
pub const COUNTERSIGN_WINDOW_SECONDS: i64 = 72 * 3600;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AcknowledgementHeader {
    pub ack_id: AcknowledgementId,
    pub tenant_id: TenantId,
    pub shipment_id: ShipmentId,
    pub buyer_id: PartyId,
    pub driver_id: UserId,
    pub vehicle_number: String,
    pub created_at: Timestamp,
}

/// One product's outcome: `delivered + short + damaged = dispatched`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AcknowledgedLine {
    pub product_id: ProductId,
    pub dispatched: Decimal,
    pub delivered: Decimal,
    pub short: Decimal,
    pub damaged: Decimal,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Receiver {
    pub name: String,
    pub phone: String,
}

/// An image referenced by the SHA-256 (lower-case hex) of its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    pub sha256: String,
    pub media_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Capture {
    pub at: Timestamp,
    pub position: GeoPoint,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignOff {
    pub signed_by: UserId,
    pub signed_at: Timestamp,
    pub content_sha256: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    Disputed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Countersign {
    pub by: UserId,
    pub at: Timestamp,
    pub verdict: Verdict,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AcknowledgementView {
    pub header: AcknowledgementHeader,
    pub lines: BTreeMap<ProductId, AcknowledgedLine>,
    pub receiver: Option<Receiver>,
    pub signature: Option<ImageRef>,
    /// Photos by hash, with the time each was taken.
    pub photos: BTreeMap<String, (ImageRef, Timestamp)>,
    pub captured: Option<Capture>,
    pub sign_off: Option<SignOff>,
    pub countersign: Option<Countersign>,
}

/// The fields a signature covers, in a fixed order for hashing.
#[derive(Serialize)]
struct SignedContent<'a> {
    header: &'a AcknowledgementHeader,
    lines: &'a BTreeMap<ProductId, AcknowledgedLine>,
    receiver: &'a Option<Receiver>,
    signature: &'a Option<ImageRef>,
    photos: &'a BTreeMap<String, (ImageRef, Timestamp)>,
    captured: &'a Option<Capture>,
}

impl AcknowledgementView {
    /// Reads and validates the document, including the sign-off hash when signed.
    pub fn read(doc: &Automerge) -> Result<AcknowledgementView> {
        let view = read_unverified(doc)?;
        if let Some(sign_off) = &view.sign_off {
            let actual = view.content_sha256();
            if actual != sign_off.content_sha256 {
                return Err(invalid(format!(
                    "acknowledgement {} was altered after sign-off by {} at {}: its content hash is {actual}, \
                     the signed hash is {}",
                    view.header.ack_id, sign_off.signed_by, sign_off.signed_at, sign_off.content_sha256
                )));
            }
        }
        Ok(view)
    }

    /// Reads the document without checking the sign-off hash, so a replica can tell which
    /// signed acknowledgement was altered and by how much. Every other field is validated as
    /// in [`AcknowledgementView::read`]; compare [`AcknowledgementView::content_sha256`] with
    /// the sign-off's hash before trusting the content.
    pub fn read_unverified(doc: &Automerge) -> Result<AcknowledgementView> {
        read_unverified(doc)
    }

    /// Whether the acknowledgement is signed and its content no longer matches the signed hash.
    pub fn is_altered_after_sign_off(&self) -> bool {
        self.sign_off
            .as_ref()
            .is_some_and(|sign_off| sign_off.content_sha256 != self.content_sha256())
    }

    /// SHA-256 (hex) of the signed content as it is now.
    pub fn content_sha256(&self) -> String {
        let content = SignedContent {
            header: &self.header,
            lines: &self.lines,
            receiver: &self.receiver,
            signature: &self.signature,
            photos: &self.photos,
            captured: &self.captured,
        };
        // Serializing these plain structs and BTreeMaps cannot fail, and the output is
        // canonical: struct fields in declaration order, map keys sorted.
        let json = serde_json::to_vec(&content).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }

    pub fn is_signed(&self) -> bool {
        self.sign_off.is_some()
    }

    /// Total quantities across lines: (dispatched, delivered, short, damaged).
    pub fn totals(&self) -> (Decimal, Decimal, Decimal, Decimal) {
        self.lines.values().fold(Default::default(), |(a, b, c, d), line| {
            (
                a + line.dispatched,
                b + line.delivered,
                c + line.short,
                d + line.damaged,
            )
        })
    }
}

fn read_unverified(doc: &Automerge) -> Result<AcknowledgementView> {
    let reader = Reader::new(doc, KIND);
    if reader.optional_text(&ROOT, SCHEMA_KEY, SCHEMA_KEY)?.as_deref() != Some(DELIVERY_ACK_SCHEMA) {
        return Err(reader.invalid("root field schema is not dms.delivery-ack/1"));
    }

    let header_obj = reader.object(&ROOT, "header", "header")?;
    let text = |name: &str| reader.text(&header_obj, name, &format!("header.{name}"));
    let header = AcknowledgementHeader {
        ack_id: text("ack_id")?.parse()?,
        tenant_id: TenantId::new(text("tenant_id")?)?,
        shipment_id: text("shipment_id")?.parse()?,
        buyer_id: PartyId::new(text("buyer_id")?)?,
        driver_id: UserId::new(text("driver_id")?)?,
        vehicle_number: text("vehicle_number")?,
        created_at: text("created_at")?.parse()?,
    };

    let lines_obj = reader.object(&ROOT, "lines", "lines")?;
    let mut lines = BTreeMap::new();
    for key in doc.keys(&lines_obj) {
        let product_id = ProductId::new(key.clone())?;
        let obj = reader.object(&lines_obj, &key, &format!("lines.{key}"))?;
        let line = read_line(reader, &obj, product_id)?;
        lines.insert(line.product_id.clone(), line);
    }

    let receiver = match reader.optional_object(&ROOT, "receiver", "receiver")? {
        Some(obj) => Some(Receiver {
            name: reader.text(&obj, "name", "receiver.name")?,
            phone: reader.text(&obj, "phone", "receiver.phone")?,
        }),
        None => None,
    };
    let signature = match reader.optional_object(&ROOT, "signature", "signature")? {
        Some(obj) => Some(read_image(reader, &obj, "signature")?),
        None => None,
    };

    let mut photos = BTreeMap::new();
    if let Some(photos_obj) = reader.optional_object(&ROOT, "photos", "photos")? {
        for key in doc.keys(&photos_obj) {
            let obj = reader.object(&photos_obj, &key, &format!("photos.{key}"))?;
            let image = ImageRef {
                sha256: key.clone(),
                media_type: reader.text(&obj, "media_type", &format!("photos.{key}.media_type"))?,
            };
            check_sha256(&image.sha256)?;
            let taken_at: Timestamp = reader
                .text(&obj, "taken_at", &format!("photos.{key}.taken_at"))?
                .parse()?;
            photos.insert(key, (image, taken_at));
        }
    }

    let captured = match reader.optional_object(&ROOT, "captured", "captured")? {
        Some(obj) => {
            let text = |name: &str| reader.text(&obj, name, &format!("captured.{name}"));
            Some(Capture {
                at: text("at")?.parse()?,
                position: GeoPoint::parse(&text("latitude")?, &text("longitude")?, &text("accuracy_m")?)?,
            })
        }
        None => None,
    };

    let sign_off = match reader.optional_object(&ROOT, "sign_off", "sign_off")? {
        Some(obj) => Some(SignOff {
            signed_by: UserId::new(reader.text(&obj, "signed_by", "sign_off.signed_by")?)?,
            signed_at: reader.text(&obj, "signed_at", "sign_off.signed_at")?.parse()?,
            content_sha256: reader.text(&obj, "content_sha256", "sign_off.content_sha256")?,
        }),
        None => None,
    };

    let countersign = match reader.optional_object(&ROOT, "countersign", "countersign")? {
        Some(obj) => Some(Countersign {
            by: UserId::new(reader.text(&obj, "by", "countersign.by")?)?,
            at: reader.text(&obj, "at", "countersign.at")?.parse()?,
            verdict: match reader.text(&obj, "verdict", "countersign.verdict")?.as_str() {
                "accepted" => Verdict::Accepted,
                "disputed" => Verdict::Disputed,
                other => {
                    return Err(invalid(format!(
                        "countersign.verdict {other:?} is neither accepted nor disputed"
                    )));
                }
            },
            note: reader.optional_text(&obj, "note", "countersign.note")?,
        }),
        None => None,
    };

    Ok(AcknowledgementView {
        header,
        lines,
        receiver,
        signature,
        photos,
        captured,
        sign_off,
        countersign,
    })
}

fn read_line(reader: Reader<'_>, obj: &ObjId, product_id: ProductId) -> Result<AcknowledgedLine> {
    let quantity = |name: &str| -> Result<Decimal> {
        let path = format!("lines.{product_id}.{name}");
        let text = reader.text(obj, name, &path)?;
        parse_count(&text).map_err(|reason| invalid(format!("field {path} {text:?}: {reason}")))
    };
    let line = AcknowledgedLine {
        dispatched: quantity("dispatched")?,
        delivered: quantity("delivered")?,
        short: quantity("short")?,
        damaged: quantity("damaged")?,
        reason: reader.optional_text(obj, "reason", &format!("lines.{product_id}.reason"))?,
        product_id,
    };
    check_line(&line)?;
    Ok(line)
}

fn read_image(reader: Reader<'_>, obj: &ObjId, path: &str) -> Result<ImageRef> {
    let image = ImageRef {
        sha256: reader.text(obj, "sha256", &format!("{path}.sha256"))?,
        media_type: reader.text(obj, "media_type", &format!("{path}.media_type"))?,
    };
    check_sha256(&image.sha256)?;
    Ok(image)
}

/// Starts an acknowledgement for a shipment with the dispatched quantities, all delivered.
pub fn create_acknowledgement(
    doc: &mut Automerge,
    header: &AcknowledgementHeader,
    dispatched: &BTreeMap<ProductId, Decimal>,
) -> Result<()> {
    if !doc.get_heads().is_empty() {
        return Err(invalid("an acknowledgement can only be created in an empty document"));
    }
    if dispatched.is_empty() {
        return Err(invalid("a shipment needs at least one line"));
    }
    for (product_id, quantity) in dispatched {
        if *quantity <= Decimal::ZERO {
            return Err(invalid(format!(
                "dispatched quantity of {product_id} must be greater than zero"
            )));
        }
    }
    commit(doc, &header.created_at, "create delivery acknowledgement", |tx| {
        tx.put(ROOT, SCHEMA_KEY, DELIVERY_ACK_SCHEMA)?;
        let header_obj = tx.put_object(ROOT, "header", ObjType::Map)?;
        tx.put(&header_obj, "ack_id", header.ack_id.to_string())?;
        tx.put(&header_obj, "tenant_id", header.tenant_id.as_str())?;
        tx.put(&header_obj, "shipment_id", header.shipment_id.to_string())?;
        tx.put(&header_obj, "buyer_id", header.buyer_id.as_str())?;
        tx.put(&header_obj, "driver_id", header.driver_id.as_str())?;
        tx.put(&header_obj, "vehicle_number", header.vehicle_number.as_str())?;
        tx.put(&header_obj, "created_at", header.created_at.to_string())?;
        let lines = tx.put_object(ROOT, "lines", ObjType::Map)?;
        for (product_id, quantity) in dispatched {
            let line = tx.put_object(&lines, product_id.as_str(), ObjType::Map)?;
            tx.put(&line, "dispatched", quantity.normalize().to_string())?;
            tx.put(&line, "delivered", quantity.normalize().to_string())?;
            tx.put(&line, "short", "0")?;
            tx.put(&line, "damaged", "0")?;
        }
        tx.put_object(ROOT, "photos", ObjType::Map)?;
        Ok(())
    })
}

/// Records what arrived of one line: short and damaged quantities, and why.
pub fn record_line(
    doc: &mut Automerge,
    product_id: &ProductId,
    short: Decimal,
    damaged: Decimal,
    reason: Option<&str>,
    at: &Timestamp,
) -> Result<()> {
    let view = unsigned(doc)?;
    let existing = view
        .lines
        .get(product_id)
        .ok_or_else(|| invalid(format!("product {product_id} is not on this shipment")))?;
    if short + damaged > existing.dispatched {
        return Err(invalid(format!(
            "short {short} + damaged {damaged} of {product_id} exceed the dispatched {}",
            existing.dispatched
        )));
    }
    let line = AcknowledgedLine {
        product_id: product_id.clone(),
        dispatched: existing.dispatched,
        delivered: existing.dispatched - short - damaged,
        short,
        damaged,
        reason: reason.map(str::to_owned),
    };
    check_line(&line)?;
    if (short > Decimal::ZERO || damaged > Decimal::ZERO) && line.reason.as_deref().is_none_or(str::is_empty) {
        return Err(invalid(format!(
            "give a reason for the short or damaged quantity of {product_id}"
        )));
    }

    let lines_obj = Reader::new(doc, KIND).object(&ROOT, "lines", "lines")?;
    commit(doc, at, "record delivered line", |tx| {
        let obj = tx.put_object(&lines_obj, product_id.as_str(), ObjType::Map)?;
        tx.put(&obj, "dispatched", line.dispatched.normalize().to_string())?;
        tx.put(&obj, "delivered", line.delivered.normalize().to_string())?;
        tx.put(&obj, "short", line.short.normalize().to_string())?;
        tx.put(&obj, "damaged", line.damaged.normalize().to_string())?;
        if let Some(reason) = &line.reason {
            tx.put(&obj, "reason", reason.as_str())?;
        }
        tx.put(&obj, "updated_at", at.to_string())?;
        Ok(())
    })
}

/// Records who received the goods.
pub fn set_receiver(doc: &mut Automerge, receiver: &Receiver, at: &Timestamp) -> Result<()> {
    unsigned(doc)?;
    if receiver.name.trim().is_empty() {
        return Err(invalid("the receiver's name must not be empty"));
    }
    let digits = receiver.phone.chars().filter(char::is_ascii_digit).count();
    if !(10..=13).contains(&digits) {
        return Err(invalid(format!(
            "phone number {:?} must have 10 to 13 digits",
            receiver.phone
        )));
    }
    commit(doc, at, "set receiver", |tx| {
        let obj = tx.put_object(ROOT, "receiver", ObjType::Map)?;
        tx.put(&obj, "name", receiver.name.trim())?;
        tx.put(&obj, "phone", receiver.phone.trim())?;
        Ok(())
    })
}

/// Attaches the receiver's signature image by the hash of its bytes.
pub fn attach_signature(doc: &mut Automerge, image: &ImageRef, at: &Timestamp) -> Result<()> {
    unsigned(doc)?;
    check_sha256(&image.sha256)?;
    commit(doc, at, "attach signature", |tx| {
        let obj = tx.put_object(ROOT, "signature", ObjType::Map)?;
        tx.put(&obj, "sha256", image.sha256.as_str())?;
        tx.put(&obj, "media_type", image.media_type.as_str())?;
        Ok(())
    })
}

/// Adds a photo by the hash of its bytes.
pub fn add_photo(doc: &mut Automerge, image: &ImageRef, taken_at: &Timestamp) -> Result<()> {
    unsigned(doc)?;
    check_sha256(&image.sha256)?;
    let photos = Reader::new(doc, KIND).object(&ROOT, "photos", "photos")?;
    commit(doc, taken_at, "add photo", |tx| {
        let obj = tx.put_object(&photos, image.sha256.as_str(), ObjType::Map)?;
        tx.put(&obj, "media_type", image.media_type.as_str())?;
        tx.put(&obj, "taken_at", taken_at.to_string())?;
        Ok(())
    })
}

/// Records when and where the delivery was captured.
pub fn capture(doc: &mut Automerge, capture: &Capture) -> Result<()> {
    unsigned(doc)?;
    commit(doc, &capture.at, "capture time and place", |tx| {
        let obj = tx.put_object(ROOT, "captured", ObjType::Map)?;
        tx.put(&obj, "at", capture.at.to_string())?;
        tx.put(&obj, "latitude", capture.position.latitude.to_string())?;
        tx.put(&obj, "longitude", capture.position.longitude.to_string())?;
        tx.put(&obj, "accuracy_m", capture.position.accuracy_m.to_string())?;
        Ok(())
    })
}

/// Freezes the acknowledgement: records the hash of its content and who signed it.
/// Refused until the receiver, the signature and the time and place are recorded.
pub fn sign_off(doc: &mut Automerge, signed_by: &UserId, at: &Timestamp) -> Result<SignOff> {
    let view = unsigned(doc)?;
    if view.receiver.is_none() {
        return Err(invalid("record the receiver before signing off"));
    }
    if view.signature.is_none() {
        return Err(invalid("attach the receiver's signature before signing off"));
    }
    if view.captured.is_none() {
        return Err(invalid("capture the time and place before signing off"));
    }
    let sign_off = SignOff {
        signed_by: signed_by.clone(),
        signed_at: *at,
        content_sha256: view.content_sha256(),
    };
    commit(doc, at, "sign off", |tx| {
        let obj = tx.put_object(ROOT, "sign_off", ObjType::Map)?;
        tx.put(&obj, "signed_by", sign_off.signed_by.as_str())?;
        tx.put(&obj, "signed_at", sign_off.signed_at.to_string())?;
        tx.put(&obj, "content_sha256", sign_off.content_sha256.as_str())?;
        Ok(())
    })?;
    Ok(sign_off)
}

/// Records the buyer's acceptance or dispute of a signed acknowledgement, once, within the window.
pub fn countersign(doc: &mut Automerge, countersign: &Countersign) -> Result<()> {
    let view = AcknowledgementView::read(doc)?;
    let Some(sign_off) = &view.sign_off else {
        return Err(invalid("only a signed acknowledgement can be countersigned"));
    };
    if view.countersign.is_some() {
        return Err(invalid(format!(
            "acknowledgement {} is already countersigned",
            view.header.ack_id
        )));
    }
    let elapsed = countersign.at.unix_millis() - sign_off.signed_at.unix_millis();
    if !(0..=COUNTERSIGN_WINDOW_SECONDS * 1000).contains(&elapsed) {
        return Err(invalid(format!(
            "the countersign window of 72 hours after sign-off at {} has passed",
            sign_off.signed_at
        )));
    }
    commit(doc, &countersign.at, "countersign", |tx| {
        let obj = tx.put_object(ROOT, "countersign", ObjType::Map)?;
        tx.put(&obj, "by", countersign.by.as_str())?;
        tx.put(&obj, "at", countersign.at.to_string())?;
        let verdict = match countersign.verdict {
            Verdict::Accepted => "accepted",
            Verdict::Disputed => "disputed",
        };
        tx.put(&obj, "verdict", verdict)?;
        if let Some(note) = &countersign.note {
            tx.put(&obj, "note", note.as_str())?;
        }
        Ok(())
    })
}

/// Checks a change to an acknowledgement whose stored copy is `before`: once signed, only a
/// countersignature may be added. Returns the reason for a refusal.
pub fn check_transition(before: &AcknowledgementView, after: &AcknowledgementView) -> Result<(), String> {
    if before.header != after.header {
        return Err(format!(
            "the header of acknowledgement {} cannot change",
            before.header.ack_id
        ));
    }
    let Some(signed) = &before.sign_off else {
        return Ok(());
    };
    if after.sign_off.as_ref() != Some(signed) || after.content_sha256() != signed.content_sha256 {
        return Err(format!(
            "acknowledgement {} was signed by {} at {}; edits after sign-off are refused",
            before.header.ack_id, signed.signed_by, signed.signed_at
        ));
    }
    if before.countersign.is_some() && after.countersign != before.countersign {
        return Err(format!(
            "acknowledgement {} is already countersigned",
            before.header.ack_id
        ));
    }
    Ok(())
}

/// Reads the acknowledgement and refuses edits once it is signed.
fn unsigned(doc: &Automerge) -> Result<AcknowledgementView> {
    let view = AcknowledgementView::read(doc)?;
    if let Some(sign_off) = &view.sign_off {
        return Err(DocumentError::Signed {
            ack_id: view.header.ack_id.to_string(),
            signed_by: sign_off.signed_by.to_string(),
            signed_at: sign_off.signed_at.to_string(),
        });
    }
    Ok(view)
}

fn check_line(line: &AcknowledgedLine) -> Result<()> {
    let product_id = &line.product_id;
    for (name, value) in [
        ("delivered", line.delivered),
        ("short", line.short),
        ("damaged", line.damaged),
    ] {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(invalid(format!("{name} quantity of {product_id} must not be negative")));
        }
    }
    if line.delivered + line.short + line.damaged != line.dispatched {
        return Err(invalid(format!(
            "delivered {} + short {} + damaged {} of {product_id} must equal the dispatched {}",
            line.delivered, line.short, line.damaged, line.dispatched
        )));
    }
    Ok(())
}

/// Parses a non-negative decimal count with at most three decimal places.
fn parse_count(text: &str) -> Result<Decimal, &'static str> {
    let value = Decimal::from_str_exact(text.trim()).map_err(|_| "not a decimal number")?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err("must not be negative");
    }
    if value.normalize().scale() > 3 {
        return Err("must have at most 3 decimal places");
    }
    Ok(value.normalize())
}

fn check_sha256(hash: &str) -> Result<()> {
    let valid = hash.len() == 64 && hash.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return Err(invalid(format!("{hash:?} is not a lower-case hex SHA-256")));
    }
    Ok(())
}

fn invalid(reason: impl Into<String>) -> DocumentError {
    DocumentError::Invalid {
        kind: KIND,
        reason: reason.into(),
    }
}
