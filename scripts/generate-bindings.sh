#!/usr/bin/env bash
# Generates Kotlin, Swift and Python bindings for the dms-ffi library.
#
# Builds dms-ffi (debug, so the library keeps the uniffi metadata symbols that library mode
# reads) and the workspace's uniffi-bindgen, which is pinned to the library's uniffi version.
# Then it writes one folder per language under mobile-ffi/generated/ and copies the library
# next to the Python module, which loads it from its own folder.
#
# Uses $CARGO_TARGET_DIR when set, otherwise target/ at the workspace root.
# Usage: scripts/generate-bindings.sh

set -euo pipefail

workspace_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$workspace_root"

target_dir="$(realpath -m "${CARGO_TARGET_DIR:-$workspace_root/target}")"
export CARGO_TARGET_DIR="$target_dir"
generated_dir="$workspace_root/mobile-ffi/generated"

case "$(uname -s)" in
    Darwin) library_file="libdms_ffi.dylib" ;;
    *) library_file="libdms_ffi.so" ;;
esac
library="$target_dir/debug/$library_file"
bindgen="$target_dir/debug/uniffi-bindgen"

# Two separate builds on purpose: building both packages in one command would unify
# uniffi's features and compile the bindgen's CLI code into the library.
echo "==> building dms-ffi (debug, unstripped)"
cargo build -p dms-ffi
echo "==> building uniffi-bindgen (dms-ffi-bindgen)"
cargo build -p dms-ffi-bindgen

for required in "$library" "$bindgen"; do
    if [[ ! -f "$required" ]]; then
        echo "error: $required is missing after the build; check the cargo output above" >&2
        exit 1
    fi
done

for language in kotlin swift python; do
    out_dir="$generated_dir/$language"
    rm -rf "$out_dir"
    mkdir -p "$out_dir"
    echo "==> generating $language bindings"
    "$bindgen" generate "$library" --no-format --language "$language" --out-dir "$out_dir"
done

cp "$library" "$generated_dir/python/"

echo
printf '%-8s %s\n' "library" "$library"
for language in kotlin swift python; do
    printf '%-8s %s\n' "$language" "$generated_dir/$language"
    find "$generated_dir/$language" -type f | sort | sed 's/^/    /'
done
echo
echo "Python test: python3 -m pytest tests/python (needs dms-server; see mobile-ffi/README.md)"
