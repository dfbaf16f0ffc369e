#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what is missing (pytest, the
# JavaScript automerge-repo client), builds the workspace, runs the Rust tests (including
# the interop test against the JavaScript client), generates the uniffi bindings, and runs
# the Kotlin and Python tests that drive the real compiled library against a running server.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"

step() { printf '\n==> %s\n' "$*"; }

step "Installing test tools"
if ! python3 -c "import pytest" 2>/dev/null; then
    python3 -m pip install --quiet "pytest>=7"
fi
npm ci --prefix tests/interop/automerge-repo-js --no-audit --no-fund --loglevel=error

step "Checking formatting and lints"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings

step "Rust tests"
cargo test --locked

step "Generating Kotlin, Swift and Python bindings"
scripts/generate-bindings.sh

step "Kotlin wrapper tests on the JVM"
scripts/test-kotlin.sh

step "Python binding test against a running server"
DMS_SERVER_BIN="$target/debug/dms-server" \
DMS_BINDINGS_DIR="$root/mobile-ffi/generated/python" \
    python3 -m pytest tests/python -q
