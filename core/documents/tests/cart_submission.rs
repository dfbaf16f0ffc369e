//! What a submission records: the device's grand total and applied schemes, read back
//! exactly, and carts submitted without them (by older devices) still readable. Also the
//! cart→order conversion the device and the server share.

#![allow(clippy::unwrap_used)]

use automerge::Automerge;
use dms_documents::cart::{self, CartHeader, CartView, EditContext, PricesSeen};
use dms_documents::cart_order::{cart_order, ist_date};
use dms_domain::{CartId, Money, PartyId, ProductId, TenantId, Timestamp, UserId};
use dms_pricing::gst::StateCode;
use rust_decimal_macros::dec;

fn draft_cart() -> (Automerge, EditContext) {
    let header = CartHeader {
        cart_id: CartId::generate(),
        tenant_id: TenantId::new("acme-dist").unwrap(),
        buyer_id: PartyId::new("kirana-12").unwrap(),
        created_by: UserId::new("asha").unwrap(),
        created_at: "2026-03-31T20:00:00+05:30".parse().unwrap(),
    };
    let context = EditContext {
        user_id: UserId::new("asha").unwrap(),
        device_id: "phone-a".to_owned(),
        // 19:00 UTC on 31 March is 00:30 IST on 1 April.
        at: "2026-03-31T19:00:00Z".parse().unwrap(),
    };
    let mut doc = Automerge::new();
    cart::create_cart(&mut doc, &header).unwrap();
    let price = Money::parse_price("172.50").unwrap();
    cart::set_line(
        &mut doc,
        &ProductId::new("DM-001").unwrap(),
        "2".parse().unwrap(),
        Some(price),
        &context,
    )
    .unwrap();
    (doc, context)
}

#[test]
fn submission_records_total_and_schemes_seen() {
    let (mut doc, context) = draft_cart();
    let seen = PricesSeen {
        total: Money::parse_price("326.00").unwrap(),
        scheme_ids: vec!["BGF3".to_owned(), "PCT10".to_owned()],
    };
    cart::submit_priced(&mut doc, &context, &seen).unwrap();

    let view = CartView::read(&doc).unwrap();
    let submission = view.submission.clone().unwrap();
    assert_eq!(submission.total_seen, Some(seen.total));
    assert_eq!(submission.schemes_seen, Some(seen.scheme_ids));
    assert_eq!(view.total_seen().rupees(), dec!(326.00));
}

#[test]
fn submission_without_seen_figures_stays_readable() {
    let (mut doc, context) = draft_cart();
    cart::submit(&mut doc, &context).unwrap();

    let view = CartView::read(&doc).unwrap();
    let submission = view.submission.clone().unwrap();
    assert_eq!(submission.total_seen, None);
    assert_eq!(submission.schemes_seen, None);
    // Older carts: quantity times the price seen on each line.
    assert_eq!(view.total_seen().rupees(), dec!(345.00));
}

#[test]
fn cart_order_uses_ist_date_tenant_and_buyer_state() {
    let (doc, context) = draft_cart();
    let view = CartView::read(&doc).unwrap();
    let supplier = StateCode::new("27".to_owned()).unwrap();

    let order = cart_order(&view, supplier.clone(), None, Vec::new(), None, context.at).unwrap();
    assert_eq!(order.date, ist_date(context.at));
    assert_eq!(order.date.to_string(), "2026-04-01");
    assert_eq!(order.id, view.header.cart_id.to_string());
    assert_eq!(order.parties.distributor_id.as_str(), "acme-dist");
    assert_eq!(order.parties.partner_id.as_ref().unwrap().as_str(), "kirana-12");
    assert_eq!(order.supply.bill_to_state, supplier);
    assert_eq!(order.lines.len(), 1);
    assert_eq!(order.lines[0].line_id, "DM-001");
    assert_eq!(order.lines[0].unit, None);
    assert_eq!(order.parties.territory, None);

    let gujarat = StateCode::new("24".to_owned()).unwrap();
    let groups = vec!["grp-north".to_owned()];
    let territory = Some("pune-east".to_owned());
    let order = cart_order(
        &view,
        supplier,
        Some(gujarat.clone()),
        groups.clone(),
        territory,
        Timestamp::now(),
    )
    .unwrap();
    assert_eq!(order.supply.bill_to_state, gujarat);
    assert_eq!(order.supply.ship_to_state, gujarat);
    assert_eq!(order.parties.partner_group_ids, groups);
    assert_eq!(order.parties.territory.as_deref(), Some("pune-east"));
}
