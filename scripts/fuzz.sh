#!/usr/bin/env bash
# scripts/fuzz.sh: the cargo-fuzz targets in fuzz/ (docs/fuzzing.md).
#
#   scripts/fuzz.sh smoke [SECS]     each target SECS seconds (default 20), one
#                                    at a time; what scripts/test.sh runs
#   scripts/fuzz.sh run TARGET ARGS  one libFuzzer campaign, e.g.
#                                    scripts/fuzz.sh run probe -runs=3000000
#
# Needs the pinned nightly toolchain and cargo-fuzz (scripts/lib/versions.sh),
# which `scripts/setup.sh --test` installs. Without them, `smoke` says so and
# runs the stable proptest equivalents (tests/fuzz_equivalents.rs) instead,
# which `cargo test` also runs, unless JPKI_REQUIRE_FUZZ=1 (scripts/test.sh
# sets it): then their absence is a failure, not a quieter test.
# Inputs the fuzzer finds go to fuzz/corpus/TARGET (not committed); the
# committed seeds (fuzz/seeds/TARGET) and regressions (fuzz/regressions/TARGET)
# are read, never written. One job, one worker, niced: the machine is shared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib/versions.sh

TARGETS=(probe report_json site_toml profile_toml)

# The pinned nightly and cargo-fuzz are both there.
have_fuzzer() {
    cargo "+$JPKI_NIGHTLY" --version >/dev/null 2>&1 && cargo fuzz --version >/dev/null 2>&1
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
    (cd fuzz && nice -n 10 cargo "+$JPKI_NIGHTLY" fuzz run --sanitizer none -O "$target" \
        "${dirs[@]}" -- -jobs=1 -workers=1 -max_len=8192 -timeout=10 \
        -rss_limit_mb=1024 -print_final_stats=1 "$@")
}

case "${1:-smoke}" in
smoke)
    secs=${2:-20}
    if ! have_fuzzer; then
        if [[ ${JPKI_REQUIRE_FUZZ:-0} == 1 ]]; then
            echo "fuzz smoke: $JPKI_NIGHTLY or cargo-fuzz is missing (scripts/setup.sh --test installs both)" >&2
            exit 1
        fi
        echo "== fuzz smoke: no $JPKI_NIGHTLY or cargo-fuzz (scripts/setup.sh --test); running the stable proptest equivalents instead"
        cargo test --quiet --test fuzz_equivalents
        exit 0
    fi
    (cd fuzz && nice -n 10 cargo "+$JPKI_NIGHTLY" fuzz build --sanitizer none -O)
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
    have_fuzzer || { echo "scripts/fuzz.sh: needs $JPKI_NIGHTLY and cargo-fuzz (scripts/setup.sh --test installs both)" >&2; exit 2; }
    campaign "$@"
    ;;
*)
    echo "usage: scripts/fuzz.sh smoke [SECS] | run TARGET [libFuzzer options]" >&2
    exit 2
    ;;
esac
