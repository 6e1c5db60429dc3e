#!/usr/bin/env bash
# scripts/bench.sh: how long a full `jpki-status --json` reading takes through
# the real PC/SC stack (pcscd + vsmartcard-vpcd + jpki-virtual-card), and the
# same figures for OpenSC's `pkcs15-tool --list-pins` on the same card in the
# same run. Results go to stdout; docs/performance.md records them.
#
# Owns: the measurement method (APDUs from the virtual card's own log, wall
# time per run, peak RSS from /usr/bin/time). Must not: leave pcscd or the card
# running (an EXIT trap stops what it started). The stack runs in a private
# namespace (scripts/virtual-reader.sh), so another pcscd does not matter.
#
# Usage: scripts/bench.sh [RUNS]      (default 30; env BENCH_RUNS, BENCH_PROFILE)
#   BENCH_BASELINE=/path/to/older/jpki-status adds that binary as a third
#   tool in the same interleaved runs (before/after figures on one card).
#   BENCH_MYNA=/path/to/myna adds the fastest peer, jpki/myna's `myna pin
#   status` (built outside this repository: git clone
#   https://github.com/jpki/myna && cargo build --release; it is Rust since
#   2026, the Go version is in its history), to the same interleaved runs.
#   BENCH_PCSCD=quiet runs pcscd without --debug --apdu, as a desktop runs
#   it (default: with them, as the tests do). The debug log costs every call
#   to pcscd a few writes, so a tool that makes more calls pays more for it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-${BENCH_RUNS:-30}}"
profile="${BENCH_PROFILE:-fresh}"
reader="Virtual PCD 00 00"
export JPKI_RUN_DIR="${JPKI_RUN_DIR:-$(mktemp -d /tmp/jpki-bench.XXXXXX)}"
vr="$repo/scripts/virtual-reader.sh"

command -v /usr/bin/time >/dev/null 2>&1 || [[ -x /usr/bin/time ]] || {
    [[ "$(id -u)" == 0 ]] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
    apt-get install -y -qq --no-install-recommends time >&2 || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends time >&2; }
}

(cd "$repo" && cargo build --release --quiet --bins --features virtual-card)
target="${CARGO_TARGET_DIR:-$repo/target}"
status_bin="$target/release/jpki-status"
export JPKI_VIRTUAL_CARD="$target/release/jpki-virtual-card"

case "${BENCH_PCSCD:-debug}" in
    quiet) export JPKI_PCSCD_QUIET=1; pcscd_mode="pcscd without --debug --apdu (as a desktop runs it)" ;;
    debug) pcscd_mode="pcscd with --debug --apdu" ;;
    *) echo "bench: BENCH_PCSCD is quiet or debug, not '$BENCH_PCSCD'" >&2; exit 2 ;;
esac
"$vr" start
trap '"$vr" stop' EXIT
# The clients must run in the stack's namespace: the rest of this script
# enters it once (nsenter), so no timed run pays for entering it.
if [[ -z "${JPKI_BENCH_INSIDE:-}" ]]; then
    JPKI_BENCH_INSIDE=1 "$vr" run bash "$0" "$@"
    exit
fi
"$vr" card "$profile" 35963
# Placed once pcscd shows it (without its log, which a quiet pcscd lacks);
# never time runs against an empty reader.
card_shown() { "$status_bin" readers --json 2>/dev/null | grep -q '"card_present": true'; }
for _ in $(seq 1 500); do
    card_shown && break
    sleep 0.01
done
card_shown || { echo "bench: pcscd does not show the card on $reader after 5 s" >&2; exit 1; }

# The card's own log has a "> " line per command it received.
card_log="$JPKI_RUN_DIR/card-35963.log"
apdus_in_log() { grep -c '^> ' "$card_log" || true; }

jpki() { "$status_bin" --json --no-input --reader "$reader" >/dev/null; }
baseline_bin="${BENCH_BASELINE:-}"
base() { "$baseline_bin" --json --no-input --reader "$reader" >/dev/null; }
myna_bin="${BENCH_MYNA:-}"
# myna reads the first reader holding a card: the only one here.
myna() { "$myna_bin" pin status >/dev/null; }
# pkcs15-tool's --reader takes an index; 0 is "Virtual PCD 00 00".
opensc() { pkcs15-tool --reader 0 --list-pins >/dev/null; }

# APDUs of one run, counted by the card (independent of every tool).
count_apdus() {
    local before after
    before="$(apdus_in_log)"
    "$1" || true
    after="$(apdus_in_log)"
    echo $((after - before))
}

now_us() { echo $(($(date +%s%N) / 1000)); }

# Warm-up (page cache, pcscd threads), then interleaved timed runs so both
# tools meet the same machine state.
jpki >/dev/null 2>&1 || true
opensc >/dev/null 2>&1 || true
jpki_apdus="$(count_apdus jpki)"
opensc_apdus="$(count_apdus opensc)"
[[ -n "$baseline_bin" ]] && base_apdus="$(count_apdus base)"
[[ -n "$myna_bin" ]] && { myna >/dev/null 2>&1 || true; myna_apdus="$(count_apdus myna)"; }
: >"$JPKI_RUN_DIR/jpki.times"
: >"$JPKI_RUN_DIR/opensc.times"
: >"$JPKI_RUN_DIR/base.times"
: >"$JPKI_RUN_DIR/myna.times"
for ((i = 0; i < runs; i++)); do
    t0="$(now_us)"; jpki; t1="$(now_us)"
    echo $((t1 - t0)) >>"$JPKI_RUN_DIR/jpki.times"
    t0="$(now_us)"; opensc; t1="$(now_us)"
    echo $((t1 - t0)) >>"$JPKI_RUN_DIR/opensc.times"
    if [[ -n "$baseline_bin" ]]; then
        t0="$(now_us)"; base; t1="$(now_us)"
        echo $((t1 - t0)) >>"$JPKI_RUN_DIR/base.times"
    fi
    if [[ -n "$myna_bin" ]]; then
        t0="$(now_us)"; myna; t1="$(now_us)"
        echo $((t1 - t0)) >>"$JPKI_RUN_DIR/myna.times"
    fi
done

# Peak RSS (kB) in separate runs: /usr/bin/time's own fork is kept out of the
# wall-time figures above.
peak_kb() {
    local max=0 kb
    for _ in 1 2 3 4 5; do
        kb="$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1)"
        ((kb > max)) && max="$kb"
    done
    echo "$max"
}
jpki_kb="$(peak_kb "$status_bin" --json --no-input --reader "$reader")"
opensc_kb="$(peak_kb pkcs15-tool --reader 0 --list-pins)"

stats() { # file -> "median p10 p90 min max" in ms
    sort -n "$1" | awk '{a[NR]=$1} END {
        m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
        p10 = a[int((NR-1)*0.1)+1]; p90 = a[int((NR-1)*0.9)+1];
        printf "%.2f %.2f %.2f %.2f %.2f", m/1000, p10/1000, p90/1000, a[1]/1000, a[NR]/1000 }'
}
read -r jm jp10 jp90 jmin jmax <<<"$(stats "$JPKI_RUN_DIR/jpki.times")"
read -r om op10 op90 omin omax <<<"$(stats "$JPKI_RUN_DIR/opensc.times")"
ratio="$(awk -v a="$om" -v b="$jm" 'BEGIN { printf "%.1f", a / b }')"
share="$(awk -v a="$om" -v b="$jm" 'BEGIN { printf "%.2f", b / a }')"

echo "profile: $profile; runs: $runs each, interleaved; $pcscd_mode; release build"
printf '%-36s %6s %10s %16s %16s %10s\n' tool APDUs "median ms" "p10-p90 ms" "min-max ms" "peak RSS"
printf '%-36s %6s %10s %16s %16s %7s kB\n' "jpki-status --json" "$jpki_apdus" "$jm" "$jp10-$jp90" "$jmin-$jmax" "$jpki_kb"
printf '%-36s %6s %10s %16s %16s %7s kB\n' "pkcs15-tool --list-pins" "$opensc_apdus" "$om" "$op10-$op90" "$omin-$omax" "$opensc_kb"
if [[ -n "$baseline_bin" ]]; then
    read -r bm bp10 bp90 bmin bmax <<<"$(stats "$JPKI_RUN_DIR/base.times")"
    base_kb="$(peak_kb "$baseline_bin" --json --no-input --reader "$reader")"
    printf '%-36s %6s %10s %16s %16s %7s kB\n' "baseline jpki-status --json" "$base_apdus" "$bm" "$bp10-$bp90" "$bmin-$bmax" "$base_kb"
    echo "baseline: $baseline_bin"
fi
if [[ -n "$myna_bin" ]]; then
    read -r mm mp10 mp90 mmin mmax <<<"$(stats "$JPKI_RUN_DIR/myna.times")"
    myna_kb="$(peak_kb "$myna_bin" pin status)"
    printf '%-36s %6s %10s %16s %16s %7s kB\n' "myna pin status (peer)" "$myna_apdus" "$mm" "$mp10-$mp90" "$mmin-$mmax" "$myna_kb"
    echo "myna: $myna_bin; jpki-status median / myna median: $(awk -v a="$jm" -v b="$mm" 'BEGIN { printf "%.2f", a / b }') (target <= 1.00)"
fi
echo "ratio (OpenSC median / jpki-status median): $ratio; jpki-status takes ${share}x OpenSC's time (target <= 0.4)"
