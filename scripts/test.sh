#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, exactly what CI runs (.ci/run).
#
# Installs missing system packages (scripts/setup.sh --test), checks formatting,
# lints and docs, then runs every test: unit, property, profile, transcript,
# CLI and the end-to-end tests through real pcscd + vpcd + the virtual card
# (those start and stop their own stack; see docs/testing.md), then builds and
# checks what ships (scripts/package.sh: library, Windows zip, .deb).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh --test
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -D warnings"
cargo clippy --quiet --all-targets -- -D warnings
echo "== cargo doc (warnings are errors)"
RUSTDOCFLAGS=-Dwarnings cargo doc --quiet --no-deps
echo "== cargo test"
cargo test --all-targets --no-fail-fast
cargo test --doc --quiet
echo "== packaging: library, Windows zip, Debian package installed in a clean chroot"
scripts/package.sh all
