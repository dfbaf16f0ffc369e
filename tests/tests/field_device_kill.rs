//! A driver signs a delivery acknowledgement offline, the app is killed with SIGKILL before
//! any upload, and a device reopened on the same store sends the acknowledgement and its
//! images to the server intact.
//!
//! The parent test starts this same test binary again as a child process. The child opens
//! the driver's device store, records the acknowledgement with a signature and two photos,
//! signs it off, prints a marker line with the acknowledgement id and signed hash, and waits.
//! The parent kills it with SIGKILL (no destructors, no flush), reopens the store and syncs.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write;

use dms_documents::delivery_ack::Receiver;
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, ProductId, ShipmentId, TenantId, UserId};
use dms_tests::TestServer;
use rust_decimal_macros::dec;
use sha2::{Digest, Sha256};

const ORG: &str = "field-kill";
const DRIVER: &str = "drv-1";
const BUYER: &str = "kirana-1";
const CHILD_STORE: &str = "DMS_FIELD_KILL_STORE";
const CHILD_URL: &str = "DMS_FIELD_KILL_URL";
const CHILD_TOKEN: &str = "DMS_FIELD_KILL_TOKEN";
const CHILD_SHIPMENT: &str = "DMS_FIELD_KILL_SHIPMENT";
const SIGNED_MARKER: &str = "ack-signed";

/// The images the child writes: a PNG signature and two JPEG photos, with their roles.
const IMAGES: [(&str, &[u8], &str); 3] = [
    (
        "signature",
        b"\x89PNG\r\n\x1a\n receiver signature strokes",
        "image/png",
    ),
    ("photo", b"\xff\xd8\xff\xe0 photo of the torn sacks", "image/jpeg"),
    ("photo", b"\xff\xd8\xff\xe0 photo of the unloaded van", "image/jpeg"),
];

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgement_signed_before_sigkill_reaches_server_intact() {
    let server = TestServer::start().await;
    let tenant = server.tenant_with_catalog(ORG);
    let (_, _buyer_token) = server.partner_token(&tenant, "owner-k1", BUYER);
    let (driver, driver_token) = server.token_for(&tenant, DRIVER, "delivery_driver", None);
    let devices = server.folder.path().join("devices");

    // Online once for the catalog, then closed.
    let phone = dms_tests::open_device(&devices, "driver-phone", &server.url, &driver, &driver_token);
    phone.sync_now().await.unwrap();
    drop(phone);

    // The child records and signs offline, then is killed before any sync.
    let shipment = ShipmentId::generate();
    let store = dms_tests::device_path(&devices, "driver-phone");
    let shipment_text = shipment.to_string();
    let mut child = dms_tests::spawn_child_test(
        "child_signs_acknowledgement_until_killed",
        &[
            (CHILD_STORE, store.as_os_str()),
            (CHILD_URL, server.url.as_ref()),
            (CHILD_TOKEN, driver_token.as_ref()),
            (CHILD_SHIPMENT, shipment_text.as_ref()),
        ],
    );
    let markers = dms_tests::read_markers(&mut child, SIGNED_MARKER, 1);
    dms_tests::kill_child(child);
    assert_eq!(markers.len(), 1, "the child never signed the acknowledgement off");
    let (ack, signed_sha256) = markers[0].split_once(' ').unwrap();
    let ack: AcknowledgementId = ack.parse().unwrap();

    // Reopened: the signed acknowledgement and its images are there, not yet uploaded.
    let phone = dms_tests::open_device(&devices, "driver-phone", &server.url, &driver, &driver_token);
    let view = phone.acknowledgement(ack).unwrap();
    let sign_off = view.sign_off.clone().unwrap();
    assert_eq!(sign_off.content_sha256, signed_sha256);
    assert_eq!(view.content_sha256(), signed_sha256);
    for (_, bytes, _) in IMAGES {
        assert_eq!(phone.image(&sha256_hex(bytes)).unwrap(), Some(bytes.to_vec()));
    }
    assert_eq!(phone.sync_status().unwrap().pending_documents, 1);

    // Synced to the real server: the document, then the three images.
    let report = phone.sync_now().await.unwrap();
    assert_eq!(report.blobs_uploaded, 3);
    assert_eq!(phone.sync_status().unwrap().pending_documents, 0);

    let delivery = {
        let handle = server.state.hub.tenant(&tenant).unwrap();
        let guard = handle.lock();
        guard.store().delivery(&shipment_text).unwrap().unwrap()
    };
    assert_eq!(delivery.ack_id, ack.to_string());
    assert_eq!(delivery.buyer_id, BUYER);
    assert_eq!(delivery.driver_id, DRIVER);
    assert_eq!(delivery.vehicle_number, "MH 12 CD 5678");
    assert_eq!(delivery.status, "partly_delivered");
    assert_eq!(delivery.receiver_name.as_deref(), Some("Sunil Patil"));
    assert_eq!(delivery.receiver_phone.as_deref(), Some("+91 98200 12345"));
    assert_eq!(delivery.signed_by.as_deref(), Some(DRIVER));
    assert_eq!(delivery.signed_at, Some(sign_off.signed_at.to_string()));
    assert_eq!(delivery.content_sha256.as_deref(), Some(signed_sha256));
    assert_eq!(delivery.signature_sha256, Some(sha256_hex(IMAGES[0].1)));
    // Order to cash has no shipment with this id, so no shipment outcome is recorded.
    assert_eq!(delivery.shipment_outcome, None);
    let lines: Vec<_> = delivery
        .lines
        .iter()
        .map(|line| {
            (
                line.product_id.as_str(),
                line.dispatched.as_str(),
                line.delivered.as_str(),
                line.short.as_str(),
                line.damaged.as_str(),
                line.reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("DM-001", "10", "7", "1", "2", Some("torn sacks")),
            ("DM-004", "4", "4", "0", "0", None),
        ]
    );

    // Each image on the server has exactly the child's bytes, under their SHA-256.
    let mut expected_images: Vec<(String, String, String)> = IMAGES
        .iter()
        .map(|(role, bytes, media_type)| (role.to_string(), sha256_hex(bytes), media_type.to_string()))
        .collect();
    expected_images.sort();
    let mut images: Vec<(String, String, String)> = delivery
        .images
        .iter()
        .map(|image| (image.role.clone(), image.sha256.clone(), image.media_type.clone()))
        .collect();
    images.sort();
    assert_eq!(images, expected_images);
    for (_, bytes, media_type) in IMAGES {
        let hash = sha256_hex(bytes);
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/orgs/{ORG}/blobs/{hash}", server.url))
            .bearer_auth(&driver_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "blob {hash}");
        let served = response.bytes().await.unwrap().to_vec();
        assert_eq!(served, bytes);
        assert_eq!(sha256_hex(&served), hash);
        let info = {
            let handle = server.state.hub.tenant(&tenant).unwrap();
            let guard = handle.lock();
            guard.store().blob_info(&hash).unwrap().unwrap()
        };
        assert_eq!(info.size, bytes.len() as i64);
        assert_eq!(info.media_type, media_type);
        assert_eq!(info.uploaded_by, DRIVER);
    }

    // Nothing is uploaded twice.
    assert_eq!(phone.sync_now().await.unwrap().blobs_uploaded, 0);
}

/// Runs only as the child process of the test above.
#[test]
#[ignore = "runs as a child process of acknowledgement_signed_before_sigkill_reaches_server_intact"]
fn child_signs_acknowledgement_until_killed() {
    let store = std::path::PathBuf::from(std::env::var(CHILD_STORE).expect("started by the parent test"));
    let url = std::env::var(CHILD_URL).unwrap();
    let token = std::env::var(CHILD_TOKEN).unwrap();
    let shipment: ShipmentId = std::env::var(CHILD_SHIPMENT).unwrap().parse().unwrap();
    let phone = dms_tests::open_device_as(
        store.parent().unwrap(),
        "driver-phone",
        &url,
        &TenantId::new(ORG).unwrap(),
        &UserId::new(DRIVER).unwrap(),
        None,
        &token,
    );

    let dispatched = BTreeMap::from([(product("DM-001"), dec!(10)), (product("DM-004"), dec!(4))]);
    let ack = phone
        .start_acknowledgement(shipment, PartyId::new(BUYER).unwrap(), "MH 12 CD 5678", &dispatched)
        .unwrap();
    phone
        .record_delivered_line(ack, &product("DM-001"), dec!(1), dec!(2), Some("torn sacks"))
        .unwrap();
    let receiver = Receiver {
        name: "Sunil Patil".to_owned(),
        phone: "+91 98200 12345".to_owned(),
    };
    phone.set_receiver(ack, &receiver).unwrap();
    let [signature, first_photo, second_photo] = IMAGES;
    phone.attach_signature(ack, signature.1, signature.2).unwrap();
    phone.add_delivery_photo(ack, first_photo.1, first_photo.2).unwrap();
    phone.add_delivery_photo(ack, second_photo.1, second_photo.2).unwrap();
    phone
        .capture_delivery(ack, GeoPoint::parse("18.5204", "73.8567", "6").unwrap())
        .unwrap();
    let sign_off = phone.sign_off(ack).unwrap();

    let mut stdout = std::io::stdout();
    writeln!(stdout, "{SIGNED_MARKER} {ack} {}", sign_off.content_sha256).unwrap();
    stdout.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(60));
}
