#!/usr/bin/env bash
# scripts/bench-sim.sh [RUNS] [PROFILE]: time whole `jpki-status --sim PROFILE --json`
# processes (release build, in-process simulated card): APDUs per full read,
# median and spread of wall time, peak memory. Prints figures; asserts nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-50}"
profile="${2:-fresh}"
cargo build --release --quiet
bin=target/release/jpki-status
apdus=$("$bin" --sim "$profile" --json --no-input | sed -n 's/^  "apdus": \([0-9]*\),*$/\1/p')
times=()
for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    "$bin" --sim "$profile" --json --no-input >/dev/null || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
pick() { awk -v us="${sorted[$1]}" 'BEGIN { printf "%.2f", us / 1000 }'; }
n=${#sorted[@]}
rss="n/a"
if [[ -x /usr/bin/time ]]; then
    rss="$(/usr/bin/time -f %M "$bin" --sim "$profile" --json --no-input 2>&1 >/dev/null | tail -1) kB"
fi
echo "profile=$profile runs=$n apdus=$apdus median=$(pick $((n / 2))) ms p10=$(pick $((n / 10))) ms p90=$(pick $((n * 9 / 10))) ms max=$(pick $((n - 1))) ms peak_rss=$rss"
