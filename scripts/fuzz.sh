#!/usr/bin/env bash
# scripts/fuzz.sh: the cargo-fuzz targets in fuzz/ (docs/fuzzing.md).
#
#   scripts/fuzz.sh smoke [SECS]     each target SECS seconds (default 20), one
#                                    at a time; what scripts/test.sh runs
#   scripts/fuzz.sh run TARGET ARGS  one libFuzzer campaign, e.g.
#                                    scripts/fuzz.sh run probe -runs=3000000
#
# Needs the nightly toolchain (`cargo +nightly`) and cargo-fuzz; a missing
# cargo-fuzz is installed from crates.io (`cargo install --locked cargo-fuzz`).
# Without nightly, `smoke` says so and runs the stable proptest equivalents
# (tests/fuzz_equivalents.rs) instead, which `cargo test` also runs.
# Inputs the fuzzer finds go to fuzz/corpus/TARGET (not committed); the
# committed seeds (fuzz/seeds/TARGET) and regressions (fuzz/regressions/TARGET)
# are read, never written. One job, one worker, niced: the machine is shared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGETS=(probe report_json site_toml profile_toml)

have_nightly() {
    cargo +nightly --version >/dev/null 2>&1
}

ensure_cargo_fuzz() {
    if ! cargo fuzz --version >/dev/null 2>&1; then
        echo "== installing cargo-fuzz (cargo install --locked cargo-fuzz)"
        cargo install --locked --quiet cargo-fuzz
    fi
}

# One campaign: TARGET, then libFuzzer options. Paths are relative to fuzz/.
campaign() {
    local target=$1
    shift
    mkdir -p "fuzz/corpus/$target"
    local dirs=("corpus/$target" "seeds/$target")
    if [ -d "fuzz/regressions/$target" ]; then
        dirs+=("regressions/$target")
    fi
    # --sanitizer none: the crate is #![forbid(unsafe_code)]; what the
    # fuzzer hunts is panics, hangs and broken properties (asserts), and
    # without ASan it runs several times more inputs per second.
    (cd fuzz && nice -n 10 cargo +nightly fuzz run --sanitizer none -O "$target" \
        "${dirs[@]}" -- -jobs=1 -workers=1 -max_len=8192 -timeout=10 \
        -rss_limit_mb=1024 -print_final_stats=1 "$@")
}

case "${1:-smoke}" in
smoke)
    secs=${2:-20}
    if ! have_nightly; then
        echo "== fuzz smoke: no nightly toolchain; running the stable proptest equivalents instead"
        cargo test --quiet --test fuzz_equivalents
        exit 0
    fi
    ensure_cargo_fuzz
    (cd fuzz && nice -n 10 cargo +nightly fuzz build --sanitizer none -O)
    for t in "${TARGETS[@]}"; do
        echo "== fuzz smoke: $t, ${secs}s"
        log=$(mktemp)
        status=0
        campaign "$t" -max_total_time="$secs" >"$log" 2>&1 || status=$?
        # libFuzzer's chatter stays in the log; its figures and any crash show.
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)|panicked|SUMMARY|ERROR' "$log" || true
        if [ "$status" -ne 0 ]; then
            tail -n 40 "$log" >&2
            rm -f "$log"
            echo "fuzz smoke: $t failed (exit $status); the input is in fuzz/artifacts/$t/" >&2
            exit 1
        fi
        rm -f "$log"
    done
    ;;
run)
    shift
    [ $# -ge 1 ] || { echo "usage: scripts/fuzz.sh run TARGET [libFuzzer options]" >&2; exit 2; }
    have_nightly || { echo "scripts/fuzz.sh: needs the nightly toolchain (rustup toolchain install nightly)" >&2; exit 2; }
    ensure_cargo_fuzz
    campaign "$@"
    ;;
*)
    echo "usage: scripts/fuzz.sh smoke [SECS] | run TARGET [libFuzzer options]" >&2
    exit 2
    ;;
esac
