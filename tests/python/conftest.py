"""Fixtures for testing the generated Python bindings against a real dms-server.

Paths come from the environment, with defaults for a plain debug build:

- ``DMS_BINDINGS_DIR``: folder with the generated ``dms_ffi.py`` and the compiled library
  (default ``mobile-ffi/generated/python``, written by ``scripts/generate-bindings.sh``).
- ``DMS_SERVER_BIN``: the server binary (default ``$CARGO_TARGET_DIR/debug/dms-server``,
  or ``target/debug/dms-server`` when ``CARGO_TARGET_DIR`` is unset).

A missing file fails the tests with the command that builds it; nothing is skipped.
"""

import dataclasses
import importlib
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

WORKSPACE_ROOT = Path(__file__).resolve().parents[2]
CATALOG_CSV = WORKSPACE_ROOT / "sync-server" / "src" / "demo" / "builtin_catalog.csv"

TENANT_ID = "acme-foods"
PARTNER_USER_ID = "partner-user-1"
PARTNER_PARTY_ID = "retailer-17"

# Seconds to wait for the server to print its address, and for it to stop.
SERVER_START_TIMEOUT = 30
SERVER_STOP_TIMEOUT = 10


def _path_from_env(name, default):
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


def _target_dir():
    return _path_from_env("CARGO_TARGET_DIR", WORKSPACE_ROOT / "target")


@dataclasses.dataclass
class Server:
    """A running dms-server with one tenant, the built-in catalog and a partner's token."""

    url: str
    token: str
    data_dir: Path


@pytest.fixture(scope="session")
def dms_ffi():
    """Import the generated bindings module, which loads the compiled library beside it."""
    bindings_dir = _path_from_env("DMS_BINDINGS_DIR", WORKSPACE_ROOT / "mobile-ffi" / "generated" / "python")
    module_file = bindings_dir / "dms_ffi.py"
    if not module_file.is_file():
        pytest.fail(
            f"generated bindings not found at {module_file}; "
            "run scripts/generate-bindings.sh or set DMS_BINDINGS_DIR",
            pytrace=False,
        )
    if not any(bindings_dir.glob("libdms_ffi.*")):
        pytest.fail(
            f"compiled library libdms_ffi not found in {bindings_dir}; "
            "scripts/generate-bindings.sh copies it there",
            pytrace=False,
        )
    sys.path.insert(0, str(bindings_dir))
    try:
        return importlib.import_module("dms_ffi")
    finally:
        sys.path.remove(str(bindings_dir))


@pytest.fixture(scope="session")
def server_bin():
    path = _path_from_env("DMS_SERVER_BIN", _target_dir() / "debug" / "dms-server")
    if not path.is_file():
        pytest.fail(
            f"server binary not found at {path}; run `cargo build -p dms-server` or set DMS_SERVER_BIN",
            pytrace=False,
        )
    return path


def _run_admin(server_bin, *args):
    """Run one `dms-server admin` command and return its stdout, failing the test on error."""
    command = [str(server_bin), "admin", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def _read_first_line(stream, lines):
    lines.put(stream.readline())


@pytest.fixture(scope="module")
def server(server_bin, tmp_path_factory):
    """Set up a tenant in a fresh data folder and serve it on a free loopback port."""
    data_dir = tmp_path_factory.mktemp("server-data")
    data = ["--data-dir", str(data_dir), "--tenant", TENANT_ID]
    _run_admin(server_bin, "create-tenant", *data, "--name", "Acme Foods")
    _run_admin(server_bin, "import-catalog", *data, str(CATALOG_CSV))
    token = _run_admin(
        server_bin, "issue-token", *data, "--user", PARTNER_USER_ID, "--role", "partner", "--party", PARTNER_PARTY_ID
    ).strip()
    assert token, "issue-token printed no token"

    log_path = data_dir / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(server_bin), "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        # A thread reads the first line, so a server that hangs before printing cannot hang the test.
        lines = queue.Queue()
        threading.Thread(target=_read_first_line, args=(process.stdout, lines), daemon=True).start()
        try:
            first_line = lines.get(timeout=SERVER_START_TIMEOUT)
        except queue.Empty:
            first_line = ""
        prefix = "listening on "
        if not first_line.startswith(prefix):
            pytest.fail(
                f"server did not report its address within {SERVER_START_TIMEOUT} s "
                f"(first line {first_line!r}); log:\n{log_path.read_text()}",
                pytrace=False,
            )
        yield Server(url=first_line[len(prefix) :].strip(), token=token, data_dir=data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture
def open_phone(dms_ffi, server, tmp_path):
    """Return a function that opens a DeviceClient for the partner user on a named phone."""

    def open_phone(name, *, url=None, token=None, store_path=None):
        settings = dms_ffi.DeviceSettings(
            server_url=url or server.url,
            access_token=token or server.token,
            tenant_id=TENANT_ID,
            user_id=PARTNER_USER_ID,
            party_id=PARTNER_PARTY_ID,
            device_id=name,
        )
        path = store_path or tmp_path / name / "device.sqlite"
        return dms_ffi.DeviceClient.open(str(path), settings)

    return open_phone
