#!/usr/bin/env bash
# scripts/bench-watch.sh: watch mode with N virtual readers and N cards placed
# at the same moment: how long after its own `card_inserted` each card's
# `report` comes. With parallel readings every report comes about one
# reading's time after its card; read one after another, the last card waits
# for all the others. Results go to stdout; docs/performance.md records them.
#
# How 8 readers fit in one pcscd: one vpcd reader entry gives 2 slots, and a
# second entry for the *same* driver file corrupts the first
# (docs/virtual-reader.md). A copy of libifdvpcd.so under another
# path is loaded as a separate driver instance (its own static state), so
# N/2 entries, each with its own copy and CHANNELID (ports 35963, 35965, ...;
# each entry also takes the next port), give N readers "Virtual PCD K 00 0S".
#
# Owns: that private pcscd (reader configuration and driver copies in a
# temporary folder), the watcher and the cards, and stopping all of them
# (EXIT trap). Must not: run next to another pcscd in the same namespace (it
# refuses when /run/pcscd/pcscd.comm exists), or touch /etc/reader.conf.d.
# Run it in a private namespace, as root, e.g.:
#   unshare --mount --net --pid --fork --mount-proc bash -c \
#     'mount -t tmpfs tmpfs /run/pcscd && ip link set lo up && scripts/bench-watch.sh'
#
# Usage: scripts/bench-watch.sh [READERS]   (default 8, even)
#   BENCH_SLOW_MS=MS  each card answers every APDU after MS ms (default 50,
#                     so one reading takes about 1 s and order is visible;
#                     0 = as fast as the virtual card goes)
#   BENCH_HUNG=1      the card on the first reader never answers
#   BENCH_BIN=PATH    the jpki-status to measure (default: release build)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-8}"
((n >= 2 && n % 2 == 0)) || { echo "bench-watch: READERS must be even and >= 2" >&2; exit 2; }
slow="${BENCH_SLOW_MS:-50}"
bin="${BENCH_BIN:-$repo/target/release/jpki-status}"
card_bin="$repo/target/release/jpki-virtual-card"
driver=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
now_arg=(--now 2026-11-22T10:00:00+09:00)

[[ -S /run/pcscd/pcscd.comm ]] && { echo "bench-watch: a pcscd already runs in this namespace; run in a private one (see the header)" >&2; exit 1; }
[[ -e "$driver" ]] || { echo "bench-watch: needs vsmartcard-vpcd (scripts/setup.sh --test)" >&2; exit 1; }
(cd "$repo" && cargo build --release --quiet --bins)

run="$(mktemp -d /tmp/jpki-bench-watch.XXXXXX)"
mkdir -p "$run/conf" "$run/drv"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

ports=()
for ((k = 0; k < n / 2; k++)); do
    port=$((35963 + 2 * k))
    cp "$driver" "$run/drv/libifdvpcd-$k.so"
    printf 'FRIENDLYNAME "Virtual PCD %d"\nDEVICENAME /dev/null:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n\n' \
        "$k" "$port" "$run/drv/libifdvpcd-$k.so" "$port" >>"$run/conf/vpcd"
    ports+=("$port" $((port + 1)))
done
pcscd --foreground -c "$run/conf" >"$run/pcscd.log" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 1 500); do
    [[ -S /run/pcscd/pcscd.comm ]] && (($(ss -Hltn | grep -c ':359[6-9][0-9]') >= n)) && break
    sleep 0.01
done

count() { local c; c="$(grep -c -E "$1" "$2" 2>/dev/null)"; echo "${c:-0}"; }
# An older binary (BENCH_BIN, for before/after) may lack the limit options.
limit_args=()
"$bin" --help 2>/dev/null | grep -q -- --command-timeout && limit_args=(--command-timeout 5)
stamp() { while IFS= read -r line; do printf '%s %s\n' "$(date +%s%N)" "$line"; done; }
"$bin" --watch --json --no-input "${now_arg[@]}" "${limit_args[@]}" 2>"$run/watch.err" \
    > >(stamp >"$run/watch.lines") &
watcher=$!
pids+=("$watcher")
for _ in $(seq 1 500); do
    (($(count '"reader_added"' "$run/watch.lines") >= n)) && break
    sleep 0.01
done
(($(count '"reader_added"' "$run/watch.lines") >= n)) || { echo "bench-watch: only $(count '"reader_added"' "$run/watch.lines") readers seen" >&2; exit 1; }

fault_of() { # index -> --fault arguments
    if [[ "${BENCH_HUNG:-}" == 1 && "$1" == 0 ]]; then echo "--fault mute@7"
    elif ((slow > 0)); then echo "--fault slow:$slow"
    fi
}
t_place="$(date +%s%N)"
for ((i = 0; i < n; i++)); do
    # shellcheck disable=SC2046
    "$card_bin" --port "${ports[$i]}" --profile fresh $(fault_of "$i") >"$run/card$i.err" 2>&1 </dev/null &
    pids+=($!)
done
for _ in $(seq 1 3000); do
    (($(count '"type":"(report|error)"' "$run/watch.lines") >= n)) && break
    sleep 0.01
done

# Per reader: placed -> card_inserted -> report (or error), in ms.
echo "readers: $n (vpcd driver copies: $((n / 2))); cards placed together; per-APDU delay: ${slow} ms; hung first card: ${BENCH_HUNG:-0}; binary: $bin"
printf '%-22s %12s %14s %14s %s\n' reader "placed→seen" "seen→result" "placed→result" result
awk -v t0="$t_place" '
    { t = $1; line = substr($0, length($1) + 2)
      match(line, /"type":"[a-z_]+"/); type = substr(line, RSTART + 8, RLENGTH - 9)
      match(line, /"reader":"[^"]*"/); reader = substr(line, RSTART + 10, RLENGTH - 11)
      if (type == "card_inserted") seen[reader] = t
      if ((type == "report" || type == "error") && (reader in seen) && !(reader in done)) { done[reader] = t; kind[reader] = type; order[++k] = reader } }
    END {
      for (i = 1; i <= k; i++) { r = order[i]; d = (done[r] - seen[r]) / 1e6
        printf "%-22s %12.0f %14.0f %14.0f %s\n", r, (seen[r] - t0) / 1e6, d, (done[r] - t0) / 1e6, kind[r]
        if (kind[r] == "report") print d > durations } }
' durations="$run/durations" "$run/watch.lines"
sort -n "$run/durations" 2>/dev/null | awk '{ a[NR] = $1 } END {
    if (NR > 0) printf "reports: %d; seen→report median %.0f ms, max %.0f ms\n", NR, a[int((NR + 1) / 2)], a[NR] }'
kill -INT "$watcher" 2>/dev/null || true
echo "logs: $run"
