//! Concurrent offline edits of one cart on two devices, merged through the automerge sync
//! protocol in memory, asserting the merge rules written in `cart.rs`.

// Helpers in test files fail loudly by design.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::Automerge;
use common::{device, sync};
use dms_documents::DocumentError;
use dms_documents::cart::{self, CartHeader, CartStatus, CartView, EditContext};
use dms_domain::{CartId, Money, PartyId, ProductId, Quantity, TenantId, Timestamp, UserId};
use rust_decimal_macros::dec;

fn context(user: &str, device_id: &str) -> EditContext {
    EditContext {
        user_id: UserId::new(user).unwrap(),
        device_id: device_id.to_owned(),
        at: "2026-12-04T10:00:00+05:30".parse::<Timestamp>().unwrap(),
    }
}

fn product(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

/// A cart created on device "aaaa" and synced to device "bbbb", both holding it.
fn shared_cart() -> (Automerge, Automerge) {
    let mut a = device("aaaa");
    let header = CartHeader {
        cart_id: CartId::generate(),
        tenant_id: TenantId::new("acme").unwrap(),
        buyer_id: PartyId::new("partner-7").unwrap(),
        created_by: UserId::new("ravi").unwrap(),
        created_at: "2026-12-04T09:00:00+05:30".parse().unwrap(),
    };
    cart::create_cart(&mut a, &header).unwrap();
    let mut b = device("bbbb");
    sync(&mut a, &mut b);
    (a, b)
}

#[test]
fn different_products_added_offline_both_survive() {
    let (mut a, mut b) = shared_cart();
    cart::set_line(
        &mut a,
        &product("101"),
        quantity("2"),
        None,
        &context("ravi", "phone-a"),
    )
    .unwrap();
    cart::set_line(
        &mut b,
        &product("202"),
        quantity("5"),
        None,
        &context("meena", "phone-b"),
    )
    .unwrap();

    sync(&mut a, &mut b);

    for doc in [&a, &b] {
        let view = CartView::read(doc).unwrap();
        assert_eq!(view.lines.len(), 2);
        assert_eq!(view.lines[&product("101")].quantity.value(), dec!(2));
        assert_eq!(view.lines[&product("202")].quantity.value(), dec!(5));
    }
}

#[test]
fn concurrent_quantity_sets_pick_one_winner_everywhere() {
    let (mut a, mut b) = shared_cart();
    cart::set_line(
        &mut a,
        &product("101"),
        quantity("3"),
        None,
        &context("ravi", "phone-a"),
    )
    .unwrap();
    cart::set_line(
        &mut b,
        &product("101"),
        quantity("5"),
        None,
        &context("meena", "phone-b"),
    )
    .unwrap();

    sync(&mut a, &mut b);

    // Both sets have the same Lamport counter, so the greater actor id ("bbbb") wins.
    for doc in [&a, &b] {
        let line = &CartView::read(doc).unwrap().lines[&product("101")];
        assert_eq!(line.quantity.value(), dec!(5));
        assert_eq!(line.updated_by.as_str(), "meena");
        assert_eq!(line.conflicting_quantities, vec![quantity("3")]);
    }
}

#[test]
fn later_set_after_seeing_the_other_wins_without_conflict() {
    let (mut a, mut b) = shared_cart();
    cart::set_line(
        &mut b,
        &product("101"),
        quantity("5"),
        None,
        &context("meena", "phone-b"),
    )
    .unwrap();
    sync(&mut a, &mut b);
    cart::set_line(
        &mut a,
        &product("101"),
        quantity("3"),
        None,
        &context("ravi", "phone-a"),
    )
    .unwrap();

    sync(&mut a, &mut b);

    let line = &CartView::read(&b).unwrap().lines[&product("101")];
    assert_eq!(line.quantity.value(), dec!(3));
    assert!(line.conflicting_quantities.is_empty());
}

#[test]
fn change_beats_concurrent_removal() {
    let (mut a, mut b) = shared_cart();
    cart::set_line(
        &mut a,
        &product("101"),
        quantity("2"),
        None,
        &context("ravi", "phone-a"),
    )
    .unwrap();
    sync(&mut a, &mut b);

    cart::remove_line(&mut a, &product("101"), &context("ravi", "phone-a")).unwrap();
    cart::set_line(
        &mut b,
        &product("101"),
        quantity("7"),
        None,
        &context("meena", "phone-b"),
    )
    .unwrap();
    sync(&mut a, &mut b);

    for doc in [&a, &b] {
        let view = CartView::read(doc).unwrap();
        assert_eq!(view.lines[&product("101")].quantity.value(), dec!(7));
    }
}

#[test]
fn removal_after_seeing_the_change_removes_the_line() {
    let (mut a, mut b) = shared_cart();
    cart::set_line(
        &mut b,
        &product("101"),
        quantity("7"),
        None,
        &context("meena", "phone-b"),
    )
    .unwrap();
    sync(&mut a, &mut b);
    cart::remove_line(&mut a, &product("101"), &context("ravi", "phone-a")).unwrap();

    sync(&mut a, &mut b);

    assert!(CartView::read(&b).unwrap().lines.is_empty());
}

#[test]
fn submitted_cart_refuses_further_edits() {
    let (mut a, _b) = shared_cart();
    let price = Money::parse_price("52.50").unwrap();
    cart::set_line(
        &mut a,
        &product("101"),
        quantity("2"),
        Some(price),
        &context("ravi", "phone-a"),
    )
    .unwrap();
    cart::submit(&mut a, &context("ravi", "phone-a")).unwrap();

    let view = CartView::read(&a).unwrap();
    assert_eq!(view.status, CartStatus::Submitted);
    assert_eq!(view.total_seen().rupees(), dec!(105.00));
    assert_eq!(view.submission.unwrap().device_id, "phone-a");

    let error = cart::set_line(
        &mut a,
        &product("202"),
        quantity("1"),
        None,
        &context("ravi", "phone-a"),
    );
    assert!(matches!(error, Err(DocumentError::CartSubmitted { .. })));
    let error = cart::submit(&mut a, &context("ravi", "phone-a"));
    assert!(matches!(error, Err(DocumentError::CartSubmitted { .. })));
}

#[test]
fn empty_cart_cannot_be_submitted() {
    let (mut a, _b) = shared_cart();
    let error = cart::submit(&mut a, &context("ravi", "phone-a")).unwrap_err();
    assert!(matches!(error, DocumentError::EmptyCart { .. }));
}

#[test]
fn removing_a_missing_line_is_an_error() {
    let (mut a, _b) = shared_cart();
    let error = cart::remove_line(&mut a, &product("999"), &context("ravi", "phone-a")).unwrap_err();
    assert!(error.to_string().contains("no line for product 999"), "{error}");
}

#[test]
fn float_quantity_written_by_a_foreign_client_is_invalid() {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT, ReadDoc};

    let (mut a, _b) = shared_cart();
    let (_, lines) = a.get(ROOT, "lines").unwrap().unwrap();
    let mut tx = a.transaction();
    let line = tx.put_object(&lines, "101", ObjType::Map).unwrap();
    tx.put(&line, "quantity", 2.5f64).unwrap();
    tx.put(&line, "updated_by", "x").unwrap();
    tx.put(&line, "updated_at", "2026-12-04T10:00:00Z").unwrap();
    tx.commit();

    let error = CartView::read(&a).unwrap_err().to_string();
    assert!(error.contains("lines.101.quantity must be text"), "{error}");
}
