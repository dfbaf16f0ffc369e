"""End-to-end tests of the generated Python bindings, loading the real compiled dms-ffi library.

Two phones of the same partner edit one cart offline, sync through a real dms-server on
loopback, and submit. The server's REST API must then show exactly one order request with
the exact total. Amounts and quantities are compared as decimal strings, never floats.

Run `scripts/generate-bindings.sh` and `cargo build -p dms-server` first; conftest.py
describes the environment variables that point at other builds.
"""

import asyncio
import gc
import json
import socket
import urllib.request
from decimal import Decimal

import pytest

# Catalog prices from sync-server/src/demo/builtin_catalog.csv (selling price per pack).
TOOR_DAL = "DM-001"  # Toor Dal (Arhar), 172.50
GROUNDNUT_OIL = "DM-004"  # Cold Pressed Groundnut Oil, 362.25

# Phone A adds 1.5 then 1 pack of dal; phone B sets 2 packs of oil.
# 172.50 x 2.5 = 431.25 and 362.25 x 2 = 724.50, so the cart totals 1155.75.
DAL_QUANTITY = "2.5"
OIL_QUANTITY = "2"
DAL_LINE_TOTAL = "431.25"
OIL_LINE_TOTAL = "724.50"
CART_TOTAL = "1155.75"
CART_QUANTITY = "4.5"


def sync(phone):
    """Run one sync round; `sync_now` is an async method in the bindings."""
    return asyncio.run(phone.sync_now())


def unused_port():
    """Return a loopback port that had no listener a moment ago, so connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_order_requests(server):
    request = urllib.request.Request(
        f"{server.url}/api/v1/order-requests",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def lines_by_product(phone, cart_id):
    return {line.product_id: line for line in phone.cart_lines(cart_id)}


def assert_cart_has_both_lines(dms_ffi, phone, cart_id):
    lines = lines_by_product(phone, cart_id)
    assert sorted(lines) == [TOOR_DAL, GROUNDNUT_OIL]
    assert lines[TOOR_DAL].quantity == DAL_QUANTITY
    assert lines[TOOR_DAL].unit_price == "172.50"
    assert lines[TOOR_DAL].line_total == DAL_LINE_TOTAL
    assert lines[GROUNDNUT_OIL].quantity == OIL_QUANTITY
    assert lines[GROUNDNUT_OIL].unit_price == "362.25"
    assert lines[GROUNDNUT_OIL].line_total == OIL_LINE_TOTAL

    totals = phone.cart_totals(cart_id)
    assert totals.line_count == 2
    assert totals.total_quantity == CART_QUANTITY
    assert totals.total == CART_TOTAL
    # The built-in catalog has no HSN codes or GST rates, so the phone prices at selling
    # price, as the server does, and says why.
    assert totals.pricing_method == dms_ffi.PricingMethodRecord.SELLING_PRICE
    assert "without pricing data" in totals.fallback_reason
    assert totals.tax is None
    assert totals.scheme_ids == []
    assert lines[TOOR_DAL].gross_amount == DAL_LINE_TOTAL
    assert lines[TOOR_DAL].discount == "0.00"
    assert lines[TOOR_DAL].schemes == []


def test_two_phones_merge_cart_and_submit(dms_ffi, server, open_phone, tmp_path):
    phone_a = open_phone("phone-a")
    phone_b_path = tmp_path / "phone-b" / "device.sqlite"
    phone_b = open_phone("phone-b", store_path=phone_b_path)

    # Both phones download the catalog.
    for phone in (phone_a, phone_b):
        report = sync(phone)
        assert report.catalog_updated
        assert phone.sync_status().catalog_products == 24
        found = phone.search_catalog("dal", 10)
        assert TOOR_DAL in [product.product_id for product in found]
    dal = phone_a.product(TOOR_DAL)
    assert dal is not None
    assert dal.name == "Toor Dal (Arhar)"
    assert dal.selling_price == "172.50"
    assert phone_a.product("DM-999") is None

    # Phone A creates the cart; phone B gets it from the server.
    cart_id = phone_a.create_cart(None)
    assert phone_a.sync_status().pending_documents == 1
    sync(phone_a)
    assert phone_a.sync_status().pending_documents == 0
    report_b = sync(phone_b)
    assert report_b.documents_received == 1
    carts_b = phone_b.carts()
    assert [cart.cart_id for cart in carts_b] == [cart_id]
    assert carts_b[0].buyer_id == "retailer-17"
    assert carts_b[0].status == dms_ffi.CartStatus.DRAFT
    assert carts_b[0].line_count == 0

    # Offline, each phone adds a different product.
    assert phone_a.add_line(cart_id, TOOR_DAL, "1.5") == "1.5"
    assert phone_a.add_line(cart_id, TOOR_DAL, "1") == DAL_QUANTITY
    phone_b.set_line(cart_id, GROUNDNUT_OIL, OIL_QUANTITY)
    assert phone_a.sync_status().pending_documents == 1
    assert phone_b.sync_status().pending_documents == 1
    assert phone_a.carts()[0].has_unsynced_edits

    # Two rounds each bring both phones to the same cart.
    for _ in range(2):
        sync(phone_a)
        sync(phone_b)
    for phone in (phone_a, phone_b):
        assert_cart_has_both_lines(dms_ffi, phone, cart_id)
        status = phone.sync_status()
        assert status.pending_documents == 0
        assert status.last_sync_error is None
        assert status.last_sync_at is not None

    # Phone A submits; after syncing, the server has exactly one order request.
    phone_a.submit(cart_id)
    sync(phone_a)
    orders = fetch_order_requests(server)
    assert len(orders) == 1
    order = orders[0]
    assert order["cart_id"] == cart_id
    assert order["buyer_id"] == "retailer-17"
    assert order["submitted_from_device"] == "phone-a"
    assert order["total"] == CART_TOTAL
    order_lines = {line["product_id"]: line for line in order["lines"]}
    assert order_lines[TOOR_DAL]["quantity"] == DAL_QUANTITY
    assert order_lines[GROUNDNUT_OIL]["quantity"] == OIL_QUANTITY
    # The server's JSON normalizes amounts ("724.5"), so line totals are compared as decimals.
    assert Decimal(order_lines[TOOR_DAL]["line_total"]) == Decimal(DAL_LINE_TOTAL)
    assert Decimal(order_lines[GROUNDNUT_OIL]["line_total"]) == Decimal(OIL_LINE_TOTAL)

    # Neither phone may edit the submitted cart.
    sync(phone_b)
    assert phone_b.carts()[0].status == dms_ffi.CartStatus.SUBMITTED
    with pytest.raises(dms_ffi.DeviceClientError.CartSubmitted):
        phone_a.add_line(cart_id, TOOR_DAL, "1")
    with pytest.raises(dms_ffi.DeviceClientError.CartSubmitted):
        phone_b.remove_line(cart_id, GROUNDNUT_OIL)
    with pytest.raises(dms_ffi.DeviceClientError.CartSubmitted):
        phone_b.submit(cart_id)
    sync(phone_b)
    assert len(fetch_order_requests(server)) == 1

    # Phone B closes and reopens its store: the cart is still there, from disk.
    del phone_b
    gc.collect()
    reopened_b = open_phone("phone-b", store_path=phone_b_path)
    carts = reopened_b.carts()
    assert [cart.cart_id for cart in carts] == [cart_id]
    assert carts[0].status == dms_ffi.CartStatus.SUBMITTED
    assert carts[0].line_count == 2
    assert not carts[0].has_unsynced_edits
    assert_cart_has_both_lines(dms_ffi, reopened_b, cart_id)
    assert reopened_b.sync_status().pending_documents == 0


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ("-3", "must be greater than zero"),
        ("0", "must be greater than zero"),
        ("abc", "not a decimal number"),
        ("1.2345", "at most 3 decimal places"),
    ],
)
def test_bad_quantity_raises_invalid_input(dms_ffi, open_phone, quantity, reason):
    phone = open_phone("phone-quantities")
    cart_id = phone.create_cart(None)

    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as raised:
        phone.add_line(cart_id, TOOR_DAL, quantity)
    assert f'invalid quantity "{quantity}"' in raised.value.message
    assert reason in raised.value.message

    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput):
        phone.set_line(cart_id, TOOR_DAL, quantity)
    assert phone.cart_lines(cart_id) == []


def test_unknown_product_raises_not_found(dms_ffi, open_phone):
    phone = open_phone("phone-unknown-product")
    sync(phone)
    cart_id = phone.create_cart(None)

    with pytest.raises(dms_ffi.DeviceClientError.NotFound) as raised:
        phone.add_line(cart_id, "DM-999", "1")
    assert "DM-999" in raised.value.message
    with pytest.raises(dms_ffi.DeviceClientError.NotFound):
        phone.remove_line(cart_id, TOOR_DAL)


def test_malformed_ids_raise_invalid_input(dms_ffi, open_phone):
    phone = open_phone("phone-bad-ids")
    cart_id = phone.create_cart(None)

    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as raised:
        phone.add_line(cart_id, "DM 001/../x", "1")
    assert "invalid product id" in raised.value.message
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as raised:
        phone.cart_lines("not-a-cart-id")
    assert "invalid cart id" in raised.value.message
    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput):
        phone.create_cart("another-party")


def test_unknown_cart_raises_not_found(dms_ffi, open_phone):
    phone = open_phone("phone-unknown-cart")
    missing_cart = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

    with pytest.raises(dms_ffi.DeviceClientError.NotFound) as raised:
        phone.cart_totals(missing_cart)
    assert missing_cart in raised.value.message


def test_empty_cart_submit_raises_invalid_input(dms_ffi, open_phone):
    phone = open_phone("phone-empty-cart")
    cart_id = phone.create_cart(None)

    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as raised:
        phone.submit(cart_id)
    assert "has no lines" in raised.value.message


def test_unreachable_server_raises_network(dms_ffi, open_phone):
    phone = open_phone("phone-offline", url=f"http://127.0.0.1:{unused_port()}")

    with pytest.raises(dms_ffi.DeviceClientError.Network):
        sync(phone)
    status = phone.sync_status()
    assert status.last_sync_error
    assert status.last_sync_at is None


def test_rejected_token_raises_refused(dms_ffi, open_phone):
    phone = open_phone("phone-bad-token", token="not-a-valid-token")

    with pytest.raises(dms_ffi.DeviceClientError.Refused) as raised:
        sync(phone)
    assert "401" in raised.value.message
