//! Field calls for drivers and sales reps: delivery acknowledgements and visit check-ins,
//! exported on [`DeviceClient`]. Quantities and coordinates are decimal strings, images are
//! bytes, and ids are strings, as everywhere at this boundary.

use std::collections::BTreeMap;

use dms_documents::delivery_ack::{AcknowledgementView, Receiver};
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, PlanId, ProductId, ShipmentId, VisitId};
use rust_decimal::Decimal;

use crate::client::DeviceClient;
use crate::error::DeviceClientError;

type Result<T, E = DeviceClientError> = std::result::Result<T, E>;

/// One dispatched line of a shipment.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DispatchedLineRecord {
    pub product_id: String,
    pub quantity: String,
}

/// One acknowledged line: `delivered + short + damaged = dispatched`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AcknowledgedLineRecord {
    pub product_id: String,
    pub dispatched: String,
    pub delivered: String,
    pub short: String,
    pub damaged: String,
    pub reason: Option<String>,
}

/// An acknowledgement as the driver's device holds it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct AcknowledgementRecord {
    pub ack_id: String,
    pub shipment_id: String,
    pub buyer_id: String,
    pub vehicle_number: String,
    pub lines: Vec<AcknowledgedLineRecord>,
    pub receiver_name: Option<String>,
    pub signature_sha256: Option<String>,
    pub photo_sha256s: Vec<String>,
    /// Who signed and when (RFC 3339), once signed; the record can no longer change.
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub content_sha256: Option<String>,
}

#[uniffi::export]
impl DeviceClient {
    /// Starts the acknowledgement of a shipment this driver delivers; returns its id.
    pub fn start_acknowledgement(
        &self,
        shipment_id: String,
        buyer_id: String,
        vehicle_number: String,
        dispatched: Vec<DispatchedLineRecord>,
    ) -> Result<String> {
        let shipment_id: ShipmentId = shipment_id.parse()?;
        let buyer_id = PartyId::new(buyer_id)?;
        let mut lines = BTreeMap::new();
        for line in dispatched {
            lines.insert(
                ProductId::new(line.product_id)?,
                parse_decimal(&line.quantity, "quantity")?,
            );
        }
        let ack_id = self
            .device
            .start_acknowledgement(shipment_id, buyer_id, &vehicle_number, &lines)?;
        Ok(ack_id.to_string())
    }

    /// Records the short and damaged quantities of one line, and why.
    pub fn record_delivered_line(
        &self,
        ack_id: String,
        product_id: String,
        short: String,
        damaged: String,
        reason: Option<String>,
    ) -> Result<()> {
        let product_id = ProductId::new(product_id)?;
        let short = parse_decimal(&short, "short quantity")?;
        let damaged = parse_decimal(&damaged, "damaged quantity")?;
        Ok(self
            .device
            .record_delivered_line(ack_id.parse()?, &product_id, short, damaged, reason.as_deref())?)
    }

    /// Records the receiver's name and phone number.
    pub fn set_receiver(&self, ack_id: String, name: String, phone: String) -> Result<()> {
        Ok(self.device.set_receiver(ack_id.parse()?, &Receiver { name, phone })?)
    }

    /// Stores the signature image on the device and attaches it; returns its SHA-256.
    pub fn attach_signature(&self, ack_id: String, image: Vec<u8>, media_type: String) -> Result<String> {
        Ok(self.device.attach_signature(ack_id.parse()?, &image, &media_type)?)
    }

    /// Stores a photo on the device and adds it; returns its SHA-256.
    pub fn add_delivery_photo(&self, ack_id: String, image: Vec<u8>, media_type: String) -> Result<String> {
        Ok(self.device.add_delivery_photo(ack_id.parse()?, &image, &media_type)?)
    }

    /// Records the time (now) and place of the delivery; coordinates in decimal degrees,
    /// accuracy in metres.
    pub fn capture_delivery(
        &self,
        ack_id: String,
        latitude: String,
        longitude: String,
        accuracy_m: String,
    ) -> Result<()> {
        let position = GeoPoint::parse(&latitude, &longitude, &accuracy_m)?;
        Ok(self.device.capture_delivery(ack_id.parse()?, position)?)
    }

    /// Signs the acknowledgement off; afterwards every edit is refused.
    pub fn sign_off(&self, ack_id: String) -> Result<AcknowledgementRecord> {
        let ack_id: AcknowledgementId = ack_id.parse()?;
        self.device.sign_off(ack_id)?;
        Ok(self.device.acknowledgement(ack_id)?.into())
    }

    pub fn acknowledgement(&self, ack_id: String) -> Result<AcknowledgementRecord> {
        Ok(self.device.acknowledgement(ack_id.parse()?)?.into())
    }

    /// Checks in to a visit of a synced plan, now, at the given position.
    pub fn check_in(
        &self,
        plan_id: String,
        visit_id: String,
        latitude: String,
        longitude: String,
        accuracy_m: String,
    ) -> Result<()> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        let position = GeoPoint::parse(&latitude, &longitude, &accuracy_m)?;
        Ok(self.device.check_in(plan_id, visit_id, position)?)
    }

    /// Checks out of a visit, now, at the given position.
    pub fn check_out(
        &self,
        plan_id: String,
        visit_id: String,
        latitude: String,
        longitude: String,
        accuracy_m: String,
    ) -> Result<()> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        let position = GeoPoint::parse(&latitude, &longitude, &accuracy_m)?;
        Ok(self.device.check_out(plan_id, visit_id, position)?)
    }

    /// Records a visit's notes and outcome.
    pub fn record_visit_outcome(
        &self,
        plan_id: String,
        visit_id: String,
        notes: String,
        outcome: String,
    ) -> Result<()> {
        let (plan_id, visit_id) = parse_visit(&plan_id, &visit_id)?;
        Ok(self.device.record_visit_outcome(plan_id, visit_id, &notes, &outcome)?)
    }
}

impl From<AcknowledgementView> for AcknowledgementRecord {
    fn from(view: AcknowledgementView) -> Self {
        let text = |value: Decimal| value.normalize().to_string();
        Self {
            ack_id: view.header.ack_id.to_string(),
            shipment_id: view.header.shipment_id.to_string(),
            buyer_id: view.header.buyer_id.to_string(),
            vehicle_number: view.header.vehicle_number,
            lines: view
                .lines
                .into_values()
                .map(|line| AcknowledgedLineRecord {
                    product_id: line.product_id.to_string(),
                    dispatched: text(line.dispatched),
                    delivered: text(line.delivered),
                    short: text(line.short),
                    damaged: text(line.damaged),
                    reason: line.reason,
                })
                .collect(),
            receiver_name: view.receiver.map(|receiver| receiver.name),
            signature_sha256: view.signature.map(|image| image.sha256),
            photo_sha256s: view.photos.into_keys().collect(),
            signed_by: view.sign_off.as_ref().map(|sign_off| sign_off.signed_by.to_string()),
            signed_at: view.sign_off.as_ref().map(|sign_off| sign_off.signed_at.to_string()),
            content_sha256: view.sign_off.map(|sign_off| sign_off.content_sha256),
        }
    }
}

fn parse_decimal(text: &str, what: &str) -> Result<Decimal> {
    Decimal::from_str_exact(text.trim()).map_err(|_| DeviceClientError::InvalidInput {
        message: format!("invalid {what} {text:?}: not a decimal number"),
    })
}

fn parse_visit(plan_id: &str, visit_id: &str) -> Result<(PlanId, VisitId)> {
    Ok((plan_id.parse()?, visit_id.parse()?))
}
