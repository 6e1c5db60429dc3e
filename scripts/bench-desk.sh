#!/usr/bin/env bash
# scripts/bench-desk.sh: the desk page's figures (issue 17, "Speed and size"),
# printed, never judged (no thresholds): (a) card placed -> decision visible
# in the browser, median and p90, with 1 and with 8 readers; (b) the server's
# CPU time while idle with the page open; (c) its resident memory with 8
# readers and the page open. docs/performance.md records a run.
#
# The stack: a private pcscd with vsmartcard-vpcd readers and the project's
# jpki-virtual-card as the cards (as scripts/bench-watch.sh: N/2 copies of
# the vpcd driver, each a separate instance with 2 slots, "Virtual PCD K 00
# 0S"; with 1 reader, one entry is configured, so 2 slots exist and the
# second stays empty), the release `jpki-status desk --no-open`, and
# Debian's headless Chromium driven by chromedriver over WebDriver (curl +
# jq). Everything runs in a mount+network+PID namespace of its own (the
# script re-executes itself through `unshare` as root): its own /run/pcscd,
# its own loopback, so no system pcscd or other engineer's stack is touched.
#
# How the latency is measured (the simplest honest method found):
# - one clock: the machine's wall clock. The script notes the time
#   (`date +%s%N`) just before it starts the jpki-virtual-card processes of a
#   round: that is "placed". Inside the page, every timestamp is
#   `performance.timeOrigin + performance.now()` (the same wall clock, in
#   ms with sub-ms resolution).
# - a small script injected once through WebDriver (execute) watches the
#   page's own panels with a MutationObserver; when a reader's panel turns
#   to state `report` with its `.route-label` (the decision line) present,
#   it records the time of the first animation frame after that DOM change
#   (the frame that paints it): "visible". Before the page loads, a script
#   added through the DevTools protocol (chromedriver's goog/cdp/execute,
#   Page.addScriptToEvaluateOnNewDocument) wraps EventSource so that the
#   page's own event stream also records when the `watch` event
#   `card_inserted` of that reader arrives: "seen" (what pcscd reported),
#   on the same connection, so always before the panel it announces.
#   (A second EventSource of our own was tried first: under load its
#   events came up to 20 ms after the page's own, giving negative times.)
# - so each card gives placed->seen (mostly vpcd's ~400 ms polling of its
#   socket: a property of the virtual reader, not of the desk; a real USB
#   reader reports an insertion at once), seen->visible (the desk's own
#   part: reading the card, the advice, the event, the page's update and
#   paint), and placed->visible (everything). All three are printed.
# - a round places one card on each reader in use at the same moment (1, or
#   8 together: the desk's workers read in parallel), waits until each
#   decision is visible, removes the cards (kills their processes), waits
#   until each panel has left `report` and vpcd has seen the removal, and
#   starts the next round.
# Idle CPU: utime+stime of the server (/proc/PID/stat, in clock ticks)
# over 10 s with the page open and nothing happening: once with no card,
# once with a card read and shown on each of the 8 readers. Memory:
# VmHWM and VmRSS (/proc/PID/status) after the 8-reader rounds, page open.
#
# Owns: the namespace, the pcscd and its reader configuration (a temporary
# folder), the desk server, chromedriver and its Chromium, the cards; all
# are stopped at exit (EXIT trap, and the namespace's PID 1 takes the rest
# with it). Must not: touch /etc/reader.conf.d, the system's /run/pcscd or
# another pcscd; judge the figures.
#
# Usage: scripts/bench-desk.sh [--quick] [PLACEMENTS]
#   PLACEMENTS      cards placed per configuration (default 40; --quick: 8);
#                   with 8 readers, rounds of 8 (at least 2 rounds)
#   BENCH_BIN=PATH  the jpki-status to measure (default: the release build)
#   BENCH_PROFILE   the card profile (default sign-1-left: an open question)
# Needs: root (unshare), pcscd, vsmartcard-vpcd, chromium, chromium-driver,
# curl, jq, iproute2 (scripts/setup.sh --test installs them).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
self="$repo/scripts/bench-desk.sh"

if [[ -z "${BENCH_DESK_INSIDE:-}" ]]; then
    [[ "$(id -u)" == 0 ]] || { echo "bench-desk: run as root (it makes a private namespace with unshare)" >&2; exit 1; }
    for tool in pcscd chromium chromedriver curl jq ss unshare; do
        command -v "$tool" >/dev/null || { echo "bench-desk: needs $tool (scripts/setup.sh --test; chromedriver: apt-get install -y chromium-driver)" >&2; exit 1; }
    done
    [[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || { echo "bench-desk: needs vsmartcard-vpcd (scripts/setup.sh --test)" >&2; exit 1; }
    target="${CARGO_TARGET_DIR:-$repo/target}"
    if [[ -z "${BENCH_BIN:-}" ]]; then
        (cd "$repo" && cargo build --release --quiet --bins --features virtual-card)
    fi
    export BENCH_DESK_INSIDE=1 BENCH_TARGET="$target"
    mkdir -p /run/pcscd
    exec unshare --mount --net --pid --fork --mount-proc \
        bash -c 'mount -t tmpfs tmpfs /run/pcscd && ip link set lo up && exec bash "$0" "$@"' "$self" "$@"
fi

# ---- inside the private namespace -------------------------------------
quick=0
placements=""
for a in "$@"; do
    case "$a" in
        --quick) quick=1 ;;
        *[!0-9]* | "") echo "bench-desk: usage: scripts/bench-desk.sh [--quick] [PLACEMENTS]" >&2; exit 2 ;;
        *) placements="$a" ;;
    esac
done
[[ -n "$placements" ]] || placements=$((quick ? 8 : 40))
bin="${BENCH_BIN:-$BENCH_TARGET/release/jpki-status}"
card_bin="${BENCH_CARD_BIN:-$BENCH_TARGET/release/jpki-virtual-card}"
[[ -x "$card_bin" ]] || card_bin="$BENCH_TARGET/debug/jpki-virtual-card"
profile="${BENCH_PROFILE:-sign-1-left}"
driver=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
hz="$(getconf CLK_TCK)"

run="$(mktemp -d /tmp/jpki-bench-desk.XXXXXX)"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }
die() { printf 'bench-desk: %s (logs: %s)\n' "$*" >&2 "$run"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000)) | awk '{ printf "%.3f", $1 / 1000 }'; }

# ---- WebDriver over curl -----------------------------------------------
wd_port=9515
chromedriver --port="$wd_port" --log-path="$run/chromedriver.log" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 500); do
    curl -fs "http://127.0.0.1:$wd_port/status" >/dev/null 2>&1 && break
    sleep 0.01
done
wd() { # METHOD PATH [JSON] -> the response's .value
    local out
    out="$(curl -s --max-time 60 -X "$1" -H 'content-type: application/json' \
        ${3:+--data-binary "$3"} "http://127.0.0.1:$wd_port$2")" || die "WebDriver $1 $2 failed"
    jq -e 'has("value")' <<<"$out" >/dev/null 2>&1 || die "WebDriver $1 $2: $out"
    jq -c '.value' <<<"$out"
}
session=""
js() { # SCRIPT -> its return value (JSON)
    wd POST "/session/$session/execute/sync" "$(jq -nc --arg s "$1" '{script: $s, args: []}')"
}

# Installed once per page: records, per reader, when the decision became
# visible and when `card_inserted` arrived (see the header).
recorder='
if (!window.__bench) {
  const b = window.__bench = { visible: {}, dom: {}, seen: window.__benchSeen, shown: {} };
  const now = () => performance.timeOrigin + performance.now();
  const push = (m, r, t) => { (m[r] = m[r] || []).push(t); };
  const scan = () => {
    const t = now();
    for (const el of document.querySelectorAll("section.panel")) {
      const r = el.dataset.reader;
      const shown = el.dataset.state === "report" && el.querySelector(".route-label") !== null;
      if (shown && !b.shown[r]) {
        b.shown[r] = true;
        push(b.dom, r, t);
        requestAnimationFrame(() => push(b.visible, r, now()));
      } else if (!shown) {
        b.shown[r] = false;
      }
    }
  };
  new MutationObserver(scan).observe(document.getElementById("panels"),
    { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
  scan();
}
return window.__benchSeen !== undefined;'
# Runs before the page's own script: the page's EventSource also notes
# when each `card_inserted` arrives.
wrapper='
window.__benchSeen = {};
window.EventSource = class extends window.EventSource {
  constructor(url, init) {
    super(url, init);
    this.addEventListener("watch", (e) => {
      const d = JSON.parse(e.data);
      if (d.type === "card_inserted") {
        (window.__benchSeen[d.reader] = window.__benchSeen[d.reader] || []).push(performance.timeOrigin + performance.now());
      }
    });
  }
};'


# ---- one configuration: R readers --------------------------------------
desk_pid=""
start_stack() { # READERS
    local r="$1" entries k port
    entries=$(((r + 1) / 2))
    mkdir -p "$run/r$r/conf" "$run/r$r/drv"
    ports=()
    for ((k = 0; k < entries; k++)); do
        port=$((35963 + 2 * k))
        cp "$driver" "$run/r$r/drv/libifdvpcd-$k.so"
        printf 'FRIENDLYNAME "Virtual PCD %d"\nDEVICENAME /dev/null:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n\n' \
            "$k" "$port" "$run/r$r/drv/libifdvpcd-$k.so" "$port" >>"$run/r$r/conf/vpcd"
        ports+=("$port" $((port + 1)))
    done
    pcscd --foreground -c "$run/r$r/conf" >"$run/r$r/pcscd.log" 2>&1 </dev/null &
    pcscd_pid=$!
    pids+=("$pcscd_pid")
    for _ in $(seq 1 500); do
        [[ -S /run/pcscd/pcscd.comm ]] && (($(ss -Hltn | grep -c ':359[6-9][0-9]') >= 2 * entries)) && break
        sleep 0.01
    done
    "$bin" desk --no-open --clear-after 1 --lang ja >"$run/r$r/desk.out" 2>"$run/r$r/desk.err" &
    desk_pid=$!
    pids+=("$desk_pid")
    for _ in $(seq 1 1000); do
        [[ -s "$run/r$r/desk.out" ]] && break
        sleep 0.01
    done
    url="$(head -n1 "$run/r$r/desk.out")"
    [[ "$url" == http://127.0.0.1:* ]] || die "no URL from jpki-status desk: $(cat "$run/r$r/desk.err")"
    session="$(wd POST /session "$(jq -nc '{capabilities: {alwaysMatch: {browserName: "chrome",
        "goog:chromeOptions": {binary: "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox",
        "--disable-gpu", "--window-size=1280,1600", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-extensions", "--disable-dev-shm-usage"]}}}}')" | jq -r '.sessionId')"
    [[ -n "$session" && "$session" != null ]] || die "no WebDriver session"
    wd POST "/session/$session/goog/cdp/execute" \
        "$(jq -nc --arg s "$wrapper" '{cmd: "Page.addScriptToEvaluateOnNewDocument", params: {source: $s}}')" >/dev/null
    wd POST "/session/$session/url" "$(jq -nc --arg u "$url" '{url: $u}')" >/dev/null
    [[ "$(js "$recorder")" == true ]] || die "the EventSource wrapper did not run before the page"
    # Every slot's panel is there before the first card.
    for _ in $(seq 1 500); do
        (($(js 'return document.querySelectorAll("section.panel").length') >= 2 * entries)) && break
        sleep 0.02
    done
}

stop_stack() {
    wd DELETE "/session/$session" >/dev/null || true
    kill -TERM "$desk_pid" 2>/dev/null || true
    wait "$desk_pid" 2>/dev/null || true
    kill -TERM "$pcscd_pid" 2>/dev/null || true
    wait "$pcscd_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do [[ -S /run/pcscd/pcscd.comm ]] || break; sleep 0.01; done
}

reader_of() { # SLOT INDEX -> the reader's name
    echo "Virtual PCD $(($1 / 2)) 00 0$(($1 % 2))"
}

count_of() { # MAP READER -> how many times recorded
    js "return ((window.__bench.$1)[$(jq -nc --arg r "$2" '$r')] || []).length"
}

cards=()
place_round() { # READERS ROUND -> appends "placed seen dom visible" lines to $run/rR/samples
    local r="$1" i reader t0 before=() deadline
    for ((i = 0; i < r; i++)); do before+=("$(count_of visible "$(reader_of "$i")")"); done
    t0="$(now_ms)"
    cards=()
    for ((i = 0; i < r; i++)); do
        "$card_bin" --port "${ports[$i]}" --profile "$profile" >"$run/r$r/card$i.err" 2>&1 </dev/null &
        cards+=($!)
    done
    pids+=("${cards[@]}")
    deadline=$((SECONDS + 30))
    for ((i = 0; i < r; i++)); do
        reader="$(reader_of "$i")"
        until (($(count_of visible "$reader") > ${before[$i]})); do
            ((SECONDS < deadline)) || die "round $2: no decision on $reader within 30 s"
            sleep 0.05
        done
    done
    for ((i = 0; i < r; i++)); do
        reader="$(reader_of "$i")"
        js "const b = window.__bench, r = $(jq -nc --arg r "$reader" '$r');
            const last = (m) => (m[r] || [])[(m[r] || []).length - 1];
            return [last(b.seen), last(b.dom), last(b.visible)]" |
            jq -r --arg t0 "$t0" '"\($t0) \(.[0]) \(.[1]) \(.[2])"' >>"$run/r$r/samples"
    done
}

remove_round() { # READERS
    local r="$1" i
    for i in "${cards[@]}"; do kill -TERM "$i" 2>/dev/null || true; done
    for i in "${cards[@]}"; do wait "$i" 2>/dev/null || true; done
    local deadline=$((SECONDS + 30))
    until (($(js 'return [...document.querySelectorAll("section.panel")].filter(e => e.dataset.state === "report" || e.dataset.state === "reading").length') == 0)); do
        ((SECONDS < deadline)) || die "the panels did not leave the decision after the cards left"
        sleep 0.05
    done
    # vpcd sees a change only at its ~400 ms poll (docs/virtual-reader.md);
    # a random part so that placements fall anywhere in vpcd's poll cycle
    # (a fixed pause would place every card at the same phase of it).
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 0.6 + (r % 400) / 1000 }')"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Every thread's time on a CPU in ns (/proc/PID/task/*/schedstat, first
# field): finer than the 10 ms ticks of utime+stime.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'; }
idle_cpu() { # -> "CPU over 10 s" from both sources
    local a b an bn
    a="$(cpu_ticks "$desk_pid")"; an="$(cpu_ns "$desk_pid")"
    sleep 10
    b="$(cpu_ticks "$desk_pid")"; bn="$(cpu_ns "$desk_pid")"
    awk -v t=$((b - a)) -v hz="$hz" -v ns=$((bn - an)) \
        'BEGIN { printf "%.2f ms (schedstat); utime+stime %d ms (%d ticks of %d ms)", ns / 1e6, t * 1000 / hz, t, 1000 / hz }'
}

stats() { # FILE -> the three figures, median and p90
    awk '{ print $2 - $1, $4 - $2, $4 - $1 }' "$1" >"$1.ms"
    local col name
    for col in 1 2 3; do
        name=("" "placed→seen (vpcd poll + pcscd)" "seen→visible (the desk + page)" "placed→visible (total)")
        sort -n -k"$col","$col" "$1.ms" | awk -v c="$col" -v n="${name[$col]}" '
            { v[NR] = $c } END {
              m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.999)]; if (p == "") p = v[NR]
              printf "  %-34s median %6.0f ms   p90 %6.0f ms   min %6.0f   max %6.0f   (n=%d)\n", n, m, p, v[1], v[NR], NR }'
    done
}

say "jpki-status desk benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'); binary: $bin ($(stat -c %s "$bin") bytes)"
say "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(chromium --version 2>/dev/null | head -n1); card profile: $profile"

for r in 1 8; do
    start_stack "$r"
    rounds=$(((placements + r - 1) / r))
    ((rounds >= 2)) || rounds=2
    # One round not counted: the first page load and first reading warm up.
    place_round "$r" warmup
    remove_round "$r"
    : >"$run/r$r/samples"
    for ((n = 1; n <= rounds; n++)); do
        place_round "$r" "$n"
        remove_round "$r"
    done
    say ""
    say "== $r reader(s) in use ($(js 'return document.querySelectorAll("section.panel").length') panels on the page), $rounds rounds, $r card(s) placed together per round"
    stats "$run/r$r/samples"
    if ((r == 8)); then
        say ""
        say "== idle server, page open, 8 readers"
        say "  CPU over 10 s, no card:                 $(idle_cpu)"
        place_round "$r" idle
        say "  CPU over 10 s, 8 cards read and shown:  $(idle_cpu)"
        say "  memory: $(grep -E '^(VmHWM|VmRSS)' "/proc/$desk_pid/status" | tr -s ' \t' ' ' | paste -sd ';' -)"
        say "  (for scale: the server's CPU over its whole 8-reader run: $(($(cpu_ticks "$desk_pid") * 1000 / hz)) ms, $(awk -v n="$(cpu_ns "$desk_pid")" 'BEGIN { printf "%.0f", n / 1e6 }') ms by schedstat)"
        remove_round "$r"
    fi
    stop_stack
done
say ""
say "logs and samples (placed seen dom visible, epoch ms): $run"
