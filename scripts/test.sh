#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, exactly what CI runs (.ci/run).
#
# First installs everything it uses (scripts/setup.sh --test: system
# packages, rustup targets, the fuzzers' nightly, cargo tools; one line per
# group), then checks formatting, lints and docs, checks
# that everything (tests included) builds for Windows and macOS, then runs
# every test: unit, property, profile, transcript, CLI and the end-to-end
# tests through real pcscd + vpcd + the virtual card, each in a private
# namespace of its own (see docs/testing.md), then builds and checks what
# ships (scripts/package.sh: library, Windows zip, .deb in a clean chroot).
#
# The end-to-end tests are required here: one that cannot start its stack
# fails, and at the end every e2e test must have reported that it ran
# through pcscd. `JPKI_E2E=0 scripts/test.sh` skips them on purpose, and
# says so loudly (CI never does: .ci/run sets JPKI_E2E=1).
# `JPKI_CROSS=0` skips the Windows/macOS checks, as loudly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$SECONDS

# Tests in the e2e files that never start a stack (pure parsers, the
# simulated desk's screenshots): every other test there must appear in the
# ledger as run through pcscd.
no_stack=(e2e_pcsc::apdu_log_witness_parser desk_browser::desk_screenshots)
e2e_files=(desk_browser) # the desk page in Chromium, on the same stack
for f in tests/e2e_*.rs; do e2e_files+=("$(basename "$f" .rs)"); done
cross_targets=(x86_64-pc-windows-gnu aarch64-apple-darwin)

loud() {
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    printf '!!! %s\n' "$@"
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
}

if [[ "${JPKI_E2E:-1}" == 0 ]]; then
    e2e=skip
else
    e2e=required
    export JPKI_E2E=1
fi
ledger="$(mktemp -t jpki-e2e-ledger.XXXXXX)"
finish() {
    local rc=$?
    rm -f "$ledger"
    local t=$((SECONDS - started))
    echo "scripts/test.sh: exit $rc, wall time $((t / 60)) min $((t % 60)) s on $(nproc) cores"
    exit "$rc"
}
trap finish EXIT
export JPKI_E2E_LEDGER="$ledger"
# The fuzz smoke below must really fuzz: setup installs the nightly and cargo-fuzz.
export JPKI_REQUIRE_FUZZ=1
# The desk page's browser tests must run: setup installs chromium and chromium-driver.
export JPKI_REQUIRE_BROWSER=1

echo "== installing what the tests use (scripts/setup.sh --test)"
scripts/setup.sh --test
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets --all-features -D warnings"
cargo clippy --quiet --all-targets --all-features -- -D warnings
echo "== cargo doc (warnings are errors)"
RUSTDOCFLAGS=-Dwarnings cargo doc --quiet --no-deps

if [[ "${JPKI_CROSS:-1}" == 0 ]]; then
    loud "JPKI_CROSS=0: the Windows and macOS build checks were SKIPPED"
else
    for t in "${cross_targets[@]}"; do
        # clippy checks without linking: the platform's PC/SC library
        # (winscard, PCSC.framework) is only needed at link time.
        echo "== cargo clippy --all-targets --target $t -D warnings"
        cargo clippy --quiet --all-targets --target "$t" -- -D warnings
    done
fi

echo "== cargo test"
rc=0
cargo test --all-targets --no-fail-fast || rc=$?
cargo test --doc --quiet || rc=$?
echo "== packaging: library, Windows zip, Debian package installed in a clean chroot"
scripts/package.sh all || rc=$?
echo "== fuzz smoke: each cargo-fuzz target 20 s under libFuzzer (docs/fuzzing.md)"
scripts/fuzz.sh smoke 20 || rc=$?

echo "== end-to-end tests through pcscd"
if [[ "$e2e" == skip ]]; then
    loud "JPKI_E2E=0: the end-to-end tests were SKIPPED; nothing ran through pcscd." \
        "This run says nothing about the real PC/SC path. Run scripts/test.sh without JPKI_E2E=0."
    grep -h '^E2E SKIPPED' "$ledger" | sed 's/^/    /' || true
    exit "$rc"
fi
expected="$(for f in "${e2e_files[@]}"; do
    cargo test --quiet --test "$f" -- --list --format terse 2>/dev/null |
        sed -n "s/^\(.*\): test\$/$f::\1/p"
done | { grep -vxF -f <(printf '%s\n' "${no_stack[@]}") || true; } | sort -u)"
ran="$(sed -n 's/^E2E ran through pcscd: \([^ ]*\) .*/\1/p' "$ledger" | sort -u)"
mapfile -t missing < <(comm -23 <(printf '%s\n' "$expected") <(printf '%s\n' "$ran") | grep . || true)
mapfile -t skipped < <(grep -h '^E2E SKIPPED' "$ledger" || true)
echo "$(grep -c . <<<"$ran") of $(grep -c . <<<"$expected") e2e tests ran through pcscd, each in a private namespace:"
grep -h '^E2E ran through pcscd' "$ledger" | sed 's/^E2E ran through pcscd: /    /' || true
if [[ -z "$expected" ]] || ((${#missing[@]} + ${#skipped[@]} > 0)); then
    loud "end-to-end tests that did NOT run through pcscd (a failure here):" \
        "${missing[@]}" "${skipped[@]}"
    exit 1
fi
exit "$rc"
