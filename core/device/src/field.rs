//! Field work on the device: delivery acknowledgements for drivers and visit check-ins for
//! sales reps, all offline. Each call edits a copy of the document, commits the change (and
//! any image it references) to the device store, and only then keeps the copy, exactly as
//! cart edits do; the documents then sync with the server like carts.

use std::collections::BTreeMap;

use automerge::Automerge;
use dms_documents::DocumentId;
use dms_documents::cart::{CART_SCHEMA, DocumentKind, document_kind};
use dms_documents::delivery_ack::{
    self, AcknowledgementHeader, AcknowledgementView, Capture, DELIVERY_ACK_SCHEMA, ImageRef, Receiver, SignOff,
};
use dms_documents::visit_plan::{self, Presence, VISIT_PLAN_SCHEMA, VisitPlanView};
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, PlanId, ProductId, ShipmentId, Timestamp, VisitId};
use rust_decimal::Decimal;

use crate::device::{Device, Inner};
use crate::error::{DeviceError, Result};

impl Device {
    /// Starts the acknowledgement of a shipment this driver delivers, with every dispatched
    /// quantity counted as delivered until recorded otherwise.
    pub fn start_acknowledgement(
        &self,
        shipment_id: ShipmentId,
        buyer_id: PartyId,
        vehicle_number: &str,
        dispatched: &BTreeMap<ProductId, Decimal>,
    ) -> Result<AcknowledgementId> {
        let identity = self.identity();
        let header = AcknowledgementHeader {
            ack_id: AcknowledgementId::generate(),
            tenant_id: identity.tenant_id.clone(),
            shipment_id,
            buyer_id,
            driver_id: identity.user_id.clone(),
            vehicle_number: vehicle_number.trim().to_owned(),
            created_at: Timestamp::now(),
        };
        let mut doc = Automerge::new();
        delivery_ack::create_acknowledgement(&mut doc, &header, dispatched)?;
        self.shared
            .lock()
            .commit_edit(acknowledgement_document(header.ack_id), doc, &[])?;
        tracing::debug!(ack_id = %header.ack_id, shipment_id = %header.shipment_id, "started acknowledgement");
        Ok(header.ack_id)
    }

    pub fn acknowledgement(&self, ack_id: AcknowledgementId) -> Result<AcknowledgementView> {
        let inner = self.shared.lock();
        Ok(AcknowledgementView::read(field_document(
            &inner,
            acknowledgement_document(ack_id),
            DELIVERY_ACK_SCHEMA,
        )?)?)
    }

    /// Records the short and damaged quantities of one line, and why.
    pub fn record_delivered_line(
        &self,
        ack_id: AcknowledgementId,
        product_id: &ProductId,
        short: Decimal,
        damaged: Decimal,
        reason: Option<&str>,
    ) -> Result<()> {
        let now = Timestamp::now();
        self.edit_field_document(acknowledgement_document(ack_id), DELIVERY_ACK_SCHEMA, |doc| {
            delivery_ack::record_line(doc, product_id, short, damaged, reason, &now)
        })
    }

    pub fn set_receiver(&self, ack_id: AcknowledgementId, receiver: &Receiver) -> Result<()> {
        let now = Timestamp::now();
        self.edit_field_document(acknowledgement_document(ack_id), DELIVERY_ACK_SCHEMA, |doc| {
            delivery_ack::set_receiver(doc, receiver, &now)
        })
    }

    /// Stores the receiver's signature image and attaches it by hash; returns the hash.
    pub fn attach_signature(&self, ack_id: AcknowledgementId, bytes: &[u8], media_type: &str) -> Result<String> {
        let image = self.store_image(bytes, media_type)?;
        let now = Timestamp::now();
        self.edit_field_document(acknowledgement_document(ack_id), DELIVERY_ACK_SCHEMA, |doc| {
            delivery_ack::attach_signature(doc, &image, &now)
        })?;
        Ok(image.sha256)
    }

    /// Stores a photo and adds it to the acknowledgement by hash; returns the hash.
    pub fn add_delivery_photo(&self, ack_id: AcknowledgementId, bytes: &[u8], media_type: &str) -> Result<String> {
        let image = self.store_image(bytes, media_type)?;
        let now = Timestamp::now();
        self.edit_field_document(acknowledgement_document(ack_id), DELIVERY_ACK_SCHEMA, |doc| {
            delivery_ack::add_photo(doc, &image, &now)
        })?;
        Ok(image.sha256)
    }

    /// Records the time and place of the delivery.
    pub fn capture_delivery(&self, ack_id: AcknowledgementId, position: GeoPoint) -> Result<()> {
        let capture = Capture {
            at: Timestamp::now(),
            position,
        };
        self.edit_field_document(acknowledgement_document(ack_id), DELIVERY_ACK_SCHEMA, |doc| {
            delivery_ack::capture(doc, &capture)
        })
    }

    /// Signs the acknowledgement off as this driver; from then on it cannot change.
    pub fn sign_off(&self, ack_id: AcknowledgementId) -> Result<SignOff> {
        let signer = self.identity().user_id.clone();
        let now = Timestamp::now();
        let mut signed = None;
        self.edit_field_document(acknowledgement_document(ack_id), DELIVERY_ACK_SCHEMA, |doc| {
            signed = Some(delivery_ack::sign_off(doc, &signer, &now)?);
            Ok(())
        })?;
        signed.ok_or_else(|| DeviceError::Corrupt(format!("sign-off of {ack_id} produced no record")))
    }

    /// The bytes of an image held on this device.
    pub fn image(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.shared.lock().store.blob(sha256)
    }

    // ---- visits ----

    /// A visit plan synced to this device.
    pub fn visit_plan(&self, plan_id: PlanId) -> Result<VisitPlanView> {
        let inner = self.shared.lock();
        Ok(VisitPlanView::read(field_document(
            &inner,
            plan_document(plan_id),
            VISIT_PLAN_SCHEMA,
        )?)?)
    }

    /// Checks in to a visit at `position`, now.
    pub fn check_in(&self, plan_id: PlanId, visit_id: VisitId, position: GeoPoint) -> Result<()> {
        let presence = Presence {
            at: Timestamp::now(),
            position,
        };
        self.edit_field_document(plan_document(plan_id), VISIT_PLAN_SCHEMA, |doc| {
            visit_plan::check_in(doc, visit_id, &presence)
        })
    }

    /// Checks out of a visit at `position`, now.
    pub fn check_out(&self, plan_id: PlanId, visit_id: VisitId, position: GeoPoint) -> Result<()> {
        let presence = Presence {
            at: Timestamp::now(),
            position,
        };
        self.edit_field_document(plan_document(plan_id), VISIT_PLAN_SCHEMA, |doc| {
            visit_plan::check_out(doc, visit_id, &presence)
        })
    }

    /// Records a visit's notes and outcome.
    pub fn record_visit_outcome(&self, plan_id: PlanId, visit_id: VisitId, notes: &str, outcome: &str) -> Result<()> {
        let now = Timestamp::now();
        self.edit_field_document(plan_document(plan_id), VISIT_PLAN_SCHEMA, |doc| {
            visit_plan::record_outcome(doc, visit_id, notes, outcome, &now)
        })
    }

    fn store_image(&self, bytes: &[u8], media_type: &str) -> Result<ImageRef> {
        let sha256 = self.shared.lock().store.put_blob(bytes, media_type)?;
        Ok(ImageRef {
            sha256,
            media_type: media_type.to_owned(),
        })
    }

    /// Applies `edit` to a copy of a field document, stores the change, then keeps the copy.
    /// An edit the document refuses (a second check-in, a check-out before check-in) is an
    /// input error and changes nothing.
    fn edit_field_document(
        &self,
        document_id: DocumentId,
        schema: &str,
        edit: impl FnOnce(&mut Automerge) -> dms_documents::Result<()>,
    ) -> Result<()> {
        let mut inner = self.shared.lock();
        let mut doc = field_document(&inner, document_id, schema)?.clone();
        let before = doc.get_heads();
        crate::field_plans::as_input(edit(&mut doc))?;
        inner.commit_edit(document_id, doc, &before)
    }
}

/// Document id of an acknowledgement: its ULID's 16 bytes.
pub fn acknowledgement_document(ack_id: AcknowledgementId) -> DocumentId {
    DocumentId::from_bytes(ack_id.to_bytes())
}

/// Document id of a visit plan: its ULID's 16 bytes.
pub fn plan_document(plan_id: PlanId) -> DocumentId {
    DocumentId::from_bytes(plan_id.to_bytes())
}

/// Returns the field document `document_id` when it is of the `schema` kind. A document of
/// another kind (a visit plan's id given for a business plan, say) is refused by name.
pub(crate) fn field_document<'a>(inner: &'a Inner, document_id: DocumentId, schema: &str) -> Result<&'a Automerge> {
    let doc = inner
        .documents
        .get(&document_id)
        .ok_or_else(|| DeviceError::DocumentNotFound(document_id.to_string()))?;
    match document_kind(doc)? {
        DocumentKind::Other(found) if found == schema => Ok(doc),
        DocumentKind::Other(found) => Err(DeviceError::WrongDocumentKind {
            document: document_id.to_string(),
            expected: schema.to_owned(),
            found,
        }),
        DocumentKind::Cart => Err(DeviceError::WrongDocumentKind {
            document: document_id.to_string(),
            expected: schema.to_owned(),
            found: CART_SCHEMA.to_owned(),
        }),
        DocumentKind::Untyped => Err(DeviceError::WrongDocumentKind {
            document: document_id.to_string(),
            expected: schema.to_owned(),
            found: "no schema".to_owned(),
        }),
    }
}
