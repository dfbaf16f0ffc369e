//! A driver records and signs a delivery acknowledgement offline on the device, the app is
//! closed before any upload, and on reopening the acknowledgement and its images sync to the
//! server intact.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use dms_documents::delivery_ack::{AcknowledgementView, Receiver};
use dms_domain::{GeoPoint, PartyId, ProductId, ShipmentId};
use dms_tests::TestServer;
use rust_decimal_macros::dec;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_acknowledgement_and_images_survive_restart_and_sync() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog("field-dist");
    let (_, _buyer_token) = server.partner_token(&tenant, "owner-k1", "kirana-1");
    let (driver, driver_token) = server.token_for(&tenant, "drv-1", "delivery_driver", None);
    let devices = server.folder.path().join("devices");
    let phone = dms_tests::open_device(&devices, "driver-phone", &server.url, &driver, &driver_token);
    phone.sync_now().await.unwrap();

    // Offline at the shop.
    let dispatched = BTreeMap::from([
        (ProductId::new("DM-001").unwrap(), dec!(10)),
        (ProductId::new("DM-004").unwrap(), dec!(4)),
    ]);
    let ack = phone
        .start_acknowledgement(
            ShipmentId::generate(),
            PartyId::new("kirana-1").unwrap(),
            "MH 12 CD 5678",
            &dispatched,
        )
        .unwrap();
    phone
        .record_delivered_line(
            ack,
            &ProductId::new("DM-001").unwrap(),
            dec!(1),
            dec!(2),
            Some("torn sacks"),
        )
        .unwrap();
    let receiver = Receiver {
        name: "Sunil Patil".to_owned(),
        phone: "+91 98200 12345".to_owned(),
    };
    phone.set_receiver(ack, &receiver).unwrap();
    let signature_bytes = b"\x89PNG signature strokes".to_vec();
    let photo_bytes = b"\xff\xd8 photo of the sacks".to_vec();
    let signature = phone.attach_signature(ack, &signature_bytes, "image/png").unwrap();
    let photo = phone.add_delivery_photo(ack, &photo_bytes, "image/jpeg").unwrap();
    phone
        .capture_delivery(ack, GeoPoint::parse("18.5204", "73.8567", "6").unwrap())
        .unwrap();
    let sign_off = phone.sign_off(ack).unwrap();

    // An edit after sign-off is refused on the device and changes nothing.
    let late = phone.record_delivered_line(ack, &ProductId::new("DM-004").unwrap(), dec!(1), dec!(0), Some("late"));
    let late = late.unwrap_err().to_string();
    assert!(
        late.contains("signed by drv-1") && late.contains("can no longer be edited"),
        "{late}"
    );

    // The app is closed before any upload and opened again.
    drop(phone);
    let phone = dms_tests::open_device(&devices, "driver-phone", &server.url, &driver, &driver_token);
    let view = phone.acknowledgement(ack).unwrap();
    assert_eq!(view.sign_off.as_ref(), Some(&sign_off));
    assert_eq!(phone.image(&signature).unwrap(), Some(signature_bytes.clone()));
    assert_eq!(phone.image(&photo).unwrap(), Some(photo_bytes.clone()));
    assert_eq!(phone.sync_status().unwrap().pending_documents, 1);

    // Connected again: the signed acknowledgement and both images reach the server intact.
    let report = phone.sync_now().await.unwrap();
    assert_eq!(report.blobs_uploaded, 2);
    assert_eq!(phone.sync_status().unwrap().pending_documents, 0);
    let handle = server.state.hub.tenant(&tenant).unwrap();
    let document_id = dms_device::field::acknowledgement_document(ack);
    let on_server = AcknowledgementView::read(handle.lock().document(&document_id).unwrap()).unwrap();
    assert_eq!(on_server, view);
    assert_eq!(on_server.totals(), (dec!(14), dec!(11), dec!(1), dec!(2)));

    for (hash, bytes) in [(&signature, &signature_bytes), (&photo, &photo_bytes)] {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/orgs/field-dist/blobs/{hash}", server.url))
            .bearer_auth(&driver_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(&response.bytes().await.unwrap().to_vec(), bytes);
    }

    // Nothing is uploaded twice.
    assert_eq!(phone.sync_now().await.unwrap().blobs_uploaded, 0);
}
