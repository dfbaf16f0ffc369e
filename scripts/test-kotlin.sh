#!/usr/bin/env bash
# Compiles the generated Kotlin bindings with the field app's wrapper (android/) and its
# tests, and runs the tests on the JVM against the compiled libdms_ffi and a dms-server on
# loopback. Prints one line per test and a closing "N passed, N failed" line.
#
# Installs what is missing, into android/.tools/ (ignored by git):
# - kotlinc from the npm package kotlin-compiler, pinned below;
# - JNA, kotlinx-coroutines, JUnit 5 and kotlinx-serialization-json, pinned in
#   android/dependencies.pom.xml and copied there by Maven;
# - a JDK and Maven with apt-get, only if java or mvn is missing.
# A second run reuses the tools and, when no source changed, the compiled classes.
#
# Needs scripts/generate-bindings.sh and `cargo build -p dms-server` first. Uses
# $CARGO_TARGET_DIR when set, otherwise target/.
# Usage: scripts/test-kotlin.sh

set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"

kotlin_compiler_version="2.4.20"
tools="$root/android/.tools"
kotlin_home="$tools/node_modules/kotlin-compiler"
jars="$tools/lib"
classes="$root/android/build/classes"

generated="$root/mobile-ffi/generated/kotlin/uniffi/dms_ffi/dms_ffi.kt"
library_dir="$target/debug"
server_bin="$target/debug/dms-server"

if [[ ! -f "$generated" || ! -f "$library_dir/libdms_ffi.so" ]]; then
    echo "error: generated Kotlin bindings or libdms_ffi.so missing; run scripts/generate-bindings.sh" >&2
    exit 1
fi
if [[ ! -x "$server_bin" ]]; then
    echo "error: $server_bin is missing; run cargo build -p dms-server" >&2
    exit 1
fi

# ---- tools ----

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    echo "==> installing a JDK and Maven with apt-get"
    apt-get update -qq
    apt-get install -y -qq default-jdk-headless maven >/dev/null
fi

if [[ "$(cat "$kotlin_home/build.txt" 2>/dev/null)" != "$kotlin_compiler_version" ]]; then
    echo "==> installing kotlinc $kotlin_compiler_version (npm package kotlin-compiler) into $tools"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
        "kotlin-compiler@$kotlin_compiler_version"
fi

# The stamp contains the hash of the pom the jars were copied for, so editing a pinned version
# copies the jars again.
pom="$root/android/dependencies.pom.xml"
pom_hash="$(sha256sum "$pom" | cut -d' ' -f1)"
if [[ "$(cat "$jars/.pom-sha256" 2>/dev/null)" != "$pom_hash" ]]; then
    echo "==> copying the JVM libraries pinned in android/dependencies.pom.xml into $jars"
    rm -rf "$jars"
    mkdir -p "$tools"
    if ! mvn --batch-mode -f "$pom" dependency:copy-dependencies -DoutputDirectory="$jars" \
        >"$tools/maven.log" 2>&1; then
        cat "$tools/maven.log" >&2
        echo "error: Maven could not copy the JVM libraries; its log is above" >&2
        exit 1
    fi
    echo "$pom_hash" >"$jars/.pom-sha256"
fi

classpath="$(find "$jars" -name '*.jar' | sort | tr '\n' ':')$kotlin_home/lib/kotlin-stdlib.jar"

# ---- compile ----

# The bindings are regenerated on every run, so the classes are reused only when the
# compiler, the jars and every source file hash the same as last time.
sources=("$generated" "$root/android/src/main/kotlin" "$root/android/src/test/kotlin")
inputs_hash="$(
    {
        echo "$kotlin_compiler_version $classpath"
        find "${sources[@]}" -type f -name '*.kt' -print0 | sort -z | xargs -0 sha256sum
    } | sha256sum | cut -d' ' -f1
)"
if [[ "$(cat "$classes/.inputs-sha256" 2>/dev/null)" != "$inputs_hash" ]]; then
    echo "==> compiling the bindings, the wrapper and its tests with kotlinc $kotlin_compiler_version"
    rm -rf "$classes"
    mkdir -p "$classes"
    "$kotlin_home/bin/kotlinc" -classpath "$classpath" -d "$classes" "${sources[@]}"
    echo "$inputs_hash" >"$classes/.inputs-sha256"
else
    echo "==> sources unchanged since the last compile; reusing $classes"
fi

# ---- run ----

echo "==> running the Kotlin tests on the JVM"
java -classpath "$classes:$classpath" \
    -Djna.library.path="$library_dir" \
    -Ddms.server.bin="$server_bin" \
    -Ddms.workspace="$root" \
    dms.fieldapp.RunTestsKt
