"""A driver's delivery acknowledgement through the generated Python bindings: recorded and
signed offline with a signature and a photo, kept across a restart of the app, refused
after sign-off, and synced with its images to a running server."""

import asyncio
import gc
import hashlib
import urllib.request

import pytest

from conftest import PARTNER_PARTY_ID, TENANT_ID, _run_admin

DRIVER_USER_ID = "driver-dev"
SHIPMENT_ID = "01JF0000000000000000000000"


def _get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_driver_signs_offline_and_syncs_images(dms_ffi, server, server_bin, tmp_path):
    data = ["--data-dir", str(server.data_dir), "--tenant", TENANT_ID]
    token = _run_admin(server_bin, "issue-token", *data, "--user", DRIVER_USER_ID, "--role", "delivery_driver").strip()
    store = tmp_path / "driver" / "device.sqlite"

    def open_driver_phone():
        settings = dms_ffi.DeviceSettings(
            server_url=server.url,
            access_token=token,
            tenant_id=TENANT_ID,
            user_id=DRIVER_USER_ID,
            party_id=None,
            device_id="driver-phone",
        )
        return dms_ffi.DeviceClient.open(str(store), settings)

    phone = open_driver_phone()
    asyncio.run(phone.sync_now())

    # Offline at the shop.
    dispatched = [
        dms_ffi.DispatchedLineRecord(product_id="DM-001", quantity="10"),
        dms_ffi.DispatchedLineRecord(product_id="DM-004", quantity="4"),
    ]
    ack = phone.start_acknowledgement(SHIPMENT_ID, PARTNER_PARTY_ID, "MH 12 CD 5678", dispatched)
    phone.record_delivered_line(ack, "DM-001", "1", "2", "torn sacks")
    phone.set_receiver(ack, "Sunil Patil", "+91 98200 12345")
    signature = b"\x89PNG signature strokes"
    photo = b"\xff\xd8 photo of the sacks"
    assert phone.attach_signature(ack, signature, "image/png") == hashlib.sha256(signature).hexdigest()
    assert phone.add_delivery_photo(ack, photo, "image/jpeg") == hashlib.sha256(photo).hexdigest()
    phone.capture_delivery(ack, "18.5204", "73.8567", "6")
    signed = phone.sign_off(ack)
    assert signed.signed_by == DRIVER_USER_ID
    line = next(line for line in signed.lines if line.product_id == "DM-001")
    assert (line.dispatched, line.delivered, line.short, line.damaged) == ("10", "7", "1", "2")

    with pytest.raises(dms_ffi.DeviceClientError.InvalidInput) as refused:
        phone.record_delivered_line(ack, "DM-004", "1", "0", "late")
    assert "can no longer be edited" in str(refused.value)

    # The app is closed before any upload and opened again.
    del phone
    gc.collect()
    phone = open_driver_phone()
    assert phone.acknowledgement(ack) == signed
    assert phone.sync_status().pending_documents == 1

    asyncio.run(phone.sync_now())
    assert phone.sync_status().pending_documents == 0
    for image in (signature, photo):
        digest = hashlib.sha256(image).hexdigest()
        status, body = _get(f"{server.url}/api/v1/orgs/{TENANT_ID}/blobs/{digest}", token)
        assert status == 200
        assert body == image

    status, body = _get(f"{server.url}/api/v1/orgs/{TENANT_ID}/deliveries/{SHIPMENT_ID}/report.html", token)
    assert status == 200
    assert b"torn sacks" in body
