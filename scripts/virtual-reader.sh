#!/usr/bin/env bash
# scripts/virtual-reader.sh: a real PC/SC stack with a virtual reader, for
# tests, CI and demos: pcscd (pcsc-lite) with the vsmartcard-vpcd reader
# driver, and jpki-virtual-card as the card.
#
# Owns: installing the Debian packages it needs, a private reader
# configuration, starting pcscd in the foreground with its APDU log, the PID
# files, and stopping exactly the processes it started.
# Must not: touch a pcscd it did not start, read or write /etc/reader.conf.d,
# or connect to vpcd's port to see whether it listens (a TCP connect to vpcd
# is a card insertion; docs/virtual-reader.md), so `ss -ltn` is used.
#
# Usage:
#   scripts/virtual-reader.sh start       start pcscd in the background (idempotent)
#   scripts/virtual-reader.sh stop        stop the cards and pcscd it started (idempotent)
#   scripts/virtual-reader.sh status      exit 0 if our pcscd runs, 3 if not
#   scripts/virtual-reader.sh card [PROFILE] [PORT]
#                                         place a jpki-virtual-card (background)
#   scripts/virtual-reader.sh foreground  set up, then exec pcscd in the foreground
#                                         (for a parent that waits on it: the e2e tests)
#   scripts/virtual-reader.sh install     only install missing packages
#
# Environment:
#   JPKI_RUN_DIR      state directory (default: <repo>/.run, gitignored)
#   JPKI_NO_INSTALL=1 never run apt-get; fail if something is missing
#   JPKI_VIRTUAL_CARD path of the jpki-virtual-card binary
#                     (default: <repo>/target/debug/jpki-virtual-card)
#
# Files in the state directory: conf/vpcd (the reader configuration, alone in
# its folder because pcscd parses every file there), pcscd.log (pcscd's
# --debug --apdu log: a witness of every APDU), pcscd.pid, card-PORT.pid,
# card-PORT.log (the card's exchange log), card-PORT.err.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_dir="${JPKI_RUN_DIR:-$repo/.run}"
conf_dir="$run_dir/conf"
pid_file="$run_dir/pcscd.pid"
log_file="$run_dir/pcscd.log"
# Fixed by pcsc-lite 1.9.9 (compiled in; the daemon has no option for it).
sys_dir=/run/pcscd
sock="$sys_dir/pcscd.comm"
# CHANNELID 0x8C7B = 35963: slot 00 00; the driver adds slot 00 01 on 35964.
port0=35963
port1=35964

say() { printf 'virtual-reader: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# A PID counts as running only if it exists and is not a zombie. Orphans are
# reparented to PID 1, which does not reap them on every machine (the
# firecracker init on ours does not), so a stopped pcscd can linger as a
# zombie: it is gone for every purpose that matters here.
alive() {
    local pid="$1" state
    [[ -r "/proc/$pid/stat" ]] || return 1
    state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$state" != "Z" && "$state" != "X" ]]
}

# The PID in FILE if it names a live process whose command is NAME.
pid_of() {
    local file="$1" name="$2" pid
    [[ -s "$file" ]] || return 1
    pid="$(tr -dc 0-9 <"$file")"
    [[ -n "$pid" ]] && alive "$pid" || return 1
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name"* ]] || return 1
    printf '%s\n' "$pid"
}

# Every live pcscd on the machine (any owner), zombies excluded.
other_pcscd() {
    local d pid
    for d in /proc/[0-9]*; do
        pid="${d#/proc/}"
        [[ "$(cat "$d/comm" 2>/dev/null)" == pcscd ]] && alive "$pid" && printf '%s\n' "$pid"
    done
    return 0
}

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }

install_missing() {
    local need=()
    command -v pcscd >/dev/null 2>&1 || need+=(pcscd)
    [[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]] || need+=(vsmartcard-vpcd)
    pkg-config --exists libpcsclite 2>/dev/null || need+=(libpcsclite-dev pkg-config)
    command -v pkcs15-tool >/dev/null 2>&1 || need+=(opensc)
    command -v pcsc_scan >/dev/null 2>&1 || need+=(pcsc-tools)
    command -v ss >/dev/null 2>&1 || need+=(iproute2)
    ((${#need[@]} == 0)) && return 0
    if [[ "${JPKI_NO_INSTALL:-}" == 1 ]]; then
        die "missing packages: ${need[*]} (JPKI_NO_INSTALL=1 forbids installing)"
    fi
    [[ "$(id -u)" == 0 ]] || die "missing packages: ${need[*]}; run as root or: sudo apt-get install -y --no-install-recommends ${need[*]}"
    command -v apt-get >/dev/null 2>&1 || die "missing packages: ${need[*]} and no apt-get (Debian/Ubuntu only)"
    say "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # --no-install-recommends: pcsc-tools otherwise pulls GTK3.
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}

# Checks that pcscd can start here; writes the private reader configuration.
prepare() {
    [[ "$(uname -s)" == Linux ]] || die "Linux only (pcscd + vsmartcard-vpcd)"
    install_missing
    [[ "$(id -u)" == 0 ]] || die "pcscd needs root here (it creates $sys_dir)"
    local others
    others="$(other_pcscd | tr '\n' ' ')"
    if [[ -n "${others// /}" ]]; then
        die "another pcscd is running (pid ${others% }); only one pcscd can run per machine (its socket $sock is fixed). Stop it first (for ours: $0 stop)."
    fi
    for p in "$port0" "$port1"; do
        listening "$p" && die "port $p is already in use (ss -ltn); vpcd needs it"
    done
    # No live pcscd, so socket and pid files left by a killed one are stale;
    # they would make the new pcscd refuse to start.
    rm -f "$sock" "$sys_dir/pcscd.pid"
    mkdir -p "$conf_dir"
    cat >"$conf_dir/vpcd" <<'EOF'
FRIENDLYNAME "Virtual PCD"
DEVICENAME /dev/null:0x8C7B
LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID 0x8C7B
EOF
}

pcscd_cmd=(pcscd --foreground --debug --apdu -c "$conf_dir")

wait_ready() {
    local pid="$1" i
    for ((i = 0; i < 250; i++)); do
        alive "$pid" || { tail -n 20 "$log_file" >&2 || true; die "pcscd exited while starting; log: $log_file"; }
        if [[ -S "$sock" ]] && listening "$port0" && listening "$port1"; then
            return 0
        fi
        sleep 0.02
    done
    die "pcscd did not become ready within 5 s; log: $log_file"
}

# SIGTERM, wait up to 5 s, then SIGKILL as a last resort.
stop_pid() {
    local pid="$1" what="$2" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 250; i++)); do
        alive "$pid" || return 0
        sleep 0.02
    done
    say "$what (pid $pid) ignored SIGTERM for 5 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        alive "$pid" || return 0
        sleep 0.02
    done
    die "$what (pid $pid) survived SIGKILL"
}

cmd_start() {
    mkdir -p "$run_dir"
    local pid
    if pid="$(pid_of "$pid_file" pcscd)"; then
        say "already running: pcscd pid $pid, log $log_file"
        return 0
    fi
    prepare
    : >"$log_file"
    "${pcscd_cmd[@]}" >"$log_file" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$pid_file"
    wait_ready "$pid"
    say "started pcscd pid $pid; readers 'Virtual PCD 00 00' (port $port0) and 'Virtual PCD 00 01' (port $port1); APDU log $log_file"
}

cmd_foreground() {
    mkdir -p "$run_dir"
    prepare
    printf '%s\n' "$$" >"$pid_file"
    # exec keeps the PID, so the parent's child *is* pcscd and can reap it.
    exec "${pcscd_cmd[@]}" >"$log_file" 2>&1 </dev/null
}

cmd_stop() {
    local f pid stopped=0
    shopt -s nullglob
    for f in "$run_dir"/card-*.pid; do
        if pid="$(pid_of "$f" jpki-virtual-ca)"; then
            stop_pid "$pid" "jpki-virtual-card"
            stopped=1
        fi
        rm -f "$f"
    done
    if pid="$(pid_of "$pid_file" pcscd)"; then
        stop_pid "$pid" pcscd
        stopped=1
        # pcscd removes these itself on SIGTERM; after a SIGKILL they are
        # stale and would block the next start.
        if [[ -z "$(other_pcscd)" ]]; then rm -f "$sock" "$sys_dir/pcscd.pid"; fi
        say "stopped pcscd pid $pid"
    fi
    rm -f "$pid_file"
    ((stopped)) || say "not running"
    return 0
}

cmd_status() {
    local pid
    if pid="$(pid_of "$pid_file" pcscd)"; then
        printf 'pcscd: running, pid %s, log %s\n' "$pid" "$log_file"
        for p in "$port0" "$port1"; do
            if listening "$p"; then printf 'vpcd port %s: listening\n' "$p"; else printf 'vpcd port %s: not listening\n' "$p"; fi
        done
        shopt -s nullglob
        for f in "$run_dir"/card-*.pid; do
            if cpid="$(pid_of "$f" jpki-virtual-ca)"; then
                printf 'card on port %s: pid %s\n' "$(basename "$f" .pid | sed 's/card-//')" "$cpid"
            fi
        done
        return 0
    fi
    printf 'pcscd: not started by this script (state %s)\n' "$run_dir"
    others="$(other_pcscd | tr '\n' ' ')"
    [[ -n "${others// /}" ]] && printf 'another pcscd runs: pid %s\n' "${others% }"
    return 3
}

cmd_card() {
    local profile="${1:-fresh}" port="${2:-$port0}" bin pid
    bin="${JPKI_VIRTUAL_CARD:-$repo/target/debug/jpki-virtual-card}"
    [[ -x "$bin" ]] || die "no $bin; build it first: cargo build --features virtual-card --bin jpki-virtual-card"
    pid_of "$pid_file" pcscd >/dev/null || die "pcscd is not running; $0 start"
    if pid="$(pid_of "$run_dir/card-$port.pid" jpki-virtual-ca)"; then
        stop_pid "$pid" "jpki-virtual-card on port $port"
    fi
    "$bin" --profile "$profile" --port "$port" --log "$run_dir/card-$port.log" \
        >"$run_dir/card-$port.err" 2>&1 </dev/null &
    printf '%s\n' "$!" >"$run_dir/card-$port.pid"
    say "placed card '$profile' on port $port (pid $!); exchange log $run_dir/card-$port.log"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
foreground) cmd_foreground ;;
card) shift; cmd_card "$@" ;;
install) install_missing ;;
*)
    sed -n '/^# Usage:/,/^# Files/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
