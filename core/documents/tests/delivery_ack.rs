//! Delivery acknowledgements: recording, sign-off, refusal of later edits, detection of
//! altered signed records, and countersigning.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use automerge::Automerge;
use common::{device, sync};
use dms_documents::DocumentError;
use dms_documents::delivery_ack::{
    self, AcknowledgementHeader, AcknowledgementView, Capture, Countersign, ImageRef, Receiver, Verdict,
};
use dms_domain::{AcknowledgementId, GeoPoint, PartyId, ProductId, ShipmentId, TenantId, Timestamp, UserId};
use rust_decimal_macros::dec;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn image(byte: char) -> ImageRef {
    ImageRef {
        sha256: byte.to_string().repeat(64),
        media_type: "image/png".to_owned(),
    }
}

/// An acknowledgement for 10 × DM-001 and 4 × DM-004, on the driver's phone ("dddd").
fn started() -> Automerge {
    let mut driver = device("dddd");
    let header = AcknowledgementHeader {
        ack_id: AcknowledgementId::generate(),
        tenant_id: TenantId::new("acme-dist").unwrap(),
        shipment_id: ShipmentId::generate(),
        buyer_id: PartyId::new("kirana-12").unwrap(),
        driver_id: UserId::new("driver-dev").unwrap(),
        vehicle_number: "MH-12-CD-5678".to_owned(),
        created_at: at("2026-12-09T08:00:00+05:30"),
    };
    let dispatched = BTreeMap::from([(product("DM-001"), dec!(10)), (product("DM-004"), dec!(4))]);
    delivery_ack::create_acknowledgement(&mut driver, &header, &dispatched).unwrap();
    driver
}

/// Records a short and a damaged quantity, the receiver, signature, photo and place.
fn recorded() -> Automerge {
    let mut driver = started();
    let now = at("2026-12-09T11:20:00+05:30");
    delivery_ack::record_line(
        &mut driver,
        &product("DM-001"),
        dec!(1),
        dec!(2),
        Some("torn sacks"),
        &now,
    )
    .unwrap();
    delivery_ack::set_receiver(
        &mut driver,
        &Receiver {
            name: "Sunil Patil".to_owned(),
            phone: "+91 98200 12345".to_owned(),
        },
        &now,
    )
    .unwrap();
    delivery_ack::attach_signature(&mut driver, &image('a'), &now).unwrap();
    delivery_ack::add_photo(&mut driver, &image('b'), &now).unwrap();
    delivery_ack::capture(
        &mut driver,
        &Capture {
            at: now,
            position: GeoPoint::parse("18.5204", "73.8567", "6").unwrap(),
        },
    )
    .unwrap();
    driver
}

#[test]
fn short_and_damaged_quantities_balance_the_line() {
    let driver = recorded();
    let view = AcknowledgementView::read(&driver).unwrap();
    let line = &view.lines[&product("DM-001")];
    assert_eq!(
        (line.dispatched, line.delivered, line.short, line.damaged),
        (dec!(10), dec!(7), dec!(1), dec!(2))
    );
    assert_eq!(line.reason.as_deref(), Some("torn sacks"));
    assert_eq!(view.totals(), (dec!(14), dec!(11), dec!(1), dec!(2)));
}

#[test]
fn impossible_quantities_and_missing_reasons_are_refused() {
    let mut driver = started();
    let now = at("2026-12-09T11:20:00+05:30");
    let too_many = delivery_ack::record_line(&mut driver, &product("DM-001"), dec!(8), dec!(3), Some("x"), &now);
    assert!(
        too_many
            .unwrap_err()
            .to_string()
            .contains("short 8 + damaged 3 of DM-001 exceed the dispatched 10")
    );
    let negative = delivery_ack::record_line(&mut driver, &product("DM-001"), dec!(-1), dec!(0), Some("x"), &now);
    assert!(negative.unwrap_err().to_string().contains("must not be negative"));
    let silent = delivery_ack::record_line(&mut driver, &product("DM-001"), dec!(1), dec!(0), None, &now);
    assert!(silent.unwrap_err().to_string().contains("give a reason"));
    let unknown = delivery_ack::record_line(&mut driver, &product("DM-099"), dec!(1), dec!(0), Some("x"), &now);
    assert!(unknown.unwrap_err().to_string().contains("not on this shipment"));
    let bad_phone = delivery_ack::set_receiver(
        &mut driver,
        &Receiver {
            name: "Sunil".to_owned(),
            phone: "12345".to_owned(),
        },
        &now,
    );
    assert!(bad_phone.unwrap_err().to_string().contains("must have 10 to 13 digits"));
}

#[test]
fn sign_off_needs_receiver_signature_and_place() {
    let mut driver = started();
    let error = delivery_ack::sign_off(
        &mut driver,
        &UserId::new("driver-dev").unwrap(),
        &at("2026-12-09T11:30:00+05:30"),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("record the receiver before signing off"),
        "{error}"
    );
}

#[test]
fn edits_after_sign_off_are_refused() {
    let mut driver = recorded();
    let signed_at = at("2026-12-09T11:30:00+05:30");
    let sign_off = delivery_ack::sign_off(&mut driver, &UserId::new("driver-dev").unwrap(), &signed_at).unwrap();
    let view = AcknowledgementView::read(&driver).unwrap();
    assert_eq!(view.sign_off.as_ref(), Some(&sign_off));
    assert_eq!(sign_off.content_sha256, view.content_sha256());

    let heads = driver.get_heads();
    let edit = delivery_ack::record_line(
        &mut driver,
        &product("DM-004"),
        dec!(1),
        dec!(0),
        Some("late"),
        &signed_at,
    );
    match edit {
        Err(DocumentError::Signed { signed_by, .. }) => assert_eq!(signed_by, "driver-dev"),
        other => panic!("expected a signed error, got {other:?}"),
    }
    assert_eq!(driver.get_heads(), heads, "a refused edit changes nothing");
}

#[test]
fn offline_edit_concurrent_with_sign_off_is_detected() {
    let mut driver = recorded();
    let mut helper = device("hhhh");
    sync(&mut driver, &mut helper);

    delivery_ack::sign_off(
        &mut driver,
        &UserId::new("driver-dev").unwrap(),
        &at("2026-12-09T11:30:00+05:30"),
    )
    .unwrap();
    let before = AcknowledgementView::read(&driver).unwrap();
    delivery_ack::record_line(
        &mut helper,
        &product("DM-004"),
        dec!(0),
        dec!(1),
        Some("dented"),
        &at("2026-12-09T11:31:00+05:30"),
    )
    .unwrap();
    sync(&mut driver, &mut helper);

    // Both replicas now hold the merged copy, and both detect the altered signed record.
    for doc in [&driver, &helper] {
        let error = AcknowledgementView::read(doc).unwrap_err().to_string();
        assert!(error.contains("was altered after sign-off by driver-dev"), "{error}");
    }
    assert_eq!(before.lines[&product("DM-004")].damaged, dec!(0));
}

#[test]
fn buyer_countersigns_once_within_the_window() {
    let mut driver = recorded();
    let signed_at = at("2026-12-09T11:30:00+05:30");
    delivery_ack::sign_off(&mut driver, &UserId::new("driver-dev").unwrap(), &signed_at).unwrap();
    let before = AcknowledgementView::read(&driver).unwrap();

    let late = Countersign {
        by: UserId::new("sunil").unwrap(),
        at: at("2026-12-12T11:31:00+05:30"),
        verdict: Verdict::Disputed,
        note: Some("two sacks missing".to_owned()),
    };
    let error = delivery_ack::countersign(&mut driver, &late).unwrap_err();
    assert!(error.to_string().contains("countersign window of 72 hours"), "{error}");

    let in_time = Countersign {
        at: at("2026-12-10T09:00:00+05:30"),
        ..late
    };
    delivery_ack::countersign(&mut driver, &in_time).unwrap();
    let after = AcknowledgementView::read(&driver).unwrap();
    assert_eq!(after.countersign.as_ref().unwrap().verdict, Verdict::Disputed);
    assert_eq!(delivery_ack::check_transition(&before, &after), Ok(()));

    let twice = delivery_ack::countersign(&mut driver, &in_time).unwrap_err();
    assert!(twice.to_string().contains("already countersigned"), "{twice}");
}

#[test]
fn unverified_read_shows_the_altered_content() {
    let mut driver = recorded();
    let mut helper = device("hhhh");
    sync(&mut driver, &mut helper);
    delivery_ack::sign_off(
        &mut driver,
        &UserId::new("driver-dev").unwrap(),
        &at("2026-12-09T11:30:00+05:30"),
    )
    .unwrap();
    assert!(!AcknowledgementView::read(&driver).unwrap().is_altered_after_sign_off());

    delivery_ack::record_line(
        &mut helper,
        &product("DM-004"),
        dec!(0),
        dec!(1),
        Some("dented"),
        &at("2026-12-09T11:31:00+05:30"),
    )
    .unwrap();
    sync(&mut driver, &mut helper);

    let altered = AcknowledgementView::read_unverified(&driver).unwrap();
    assert!(altered.is_altered_after_sign_off());
    assert_eq!(altered.lines[&product("DM-004")].damaged, dec!(1));
    assert_eq!(altered.sign_off.unwrap().signed_by.as_str(), "driver-dev");
}
