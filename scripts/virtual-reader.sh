#!/usr/bin/env bash
# scripts/virtual-reader.sh: a real PC/SC stack with a virtual reader, for
# tests, CI and demos: pcscd (pcsc-lite) with the vsmartcard-vpcd reader
# driver, and jpki-virtual-card as the card, all in a private mount and
# network namespace of their own.
#
# Owns: installing the Debian packages it needs, the private namespace (its
# own tmpfs on /run/pcscd, its own loopback, the machine's USB reader drivers
# hidden), a private reader configuration, starting pcscd in the foreground
# with its APDU log, the PID files, and stopping exactly the processes it
# started.
# Must not: touch the machine's own PC/SC (its /run/pcscd, its pcscd, its
# readers, /etc/reader.conf.d, ports 35963/35964 outside the namespace), or
# connect to vpcd's port to see whether it listens (a TCP connect to vpcd is
# a card insertion; docs/virtual-reader.md), so `ss -ltn` is used.
#
# Usage:
#   scripts/virtual-reader.sh start       start a private pcscd in the background (idempotent)
#   scripts/virtual-reader.sh stop        stop the cards and pcscd it started (idempotent)
#   scripts/virtual-reader.sh status      exit 0 if our pcscd runs, 3 if not
#   scripts/virtual-reader.sh card [PROFILE] [PORT]
#                                         place a jpki-virtual-card (background)
#   scripts/virtual-reader.sh run [--] COMMAND [ARG...]
#                                         run COMMAND inside the private stack's namespace,
#                                         e.g. run target/debug/jpki-status -v
#   scripts/virtual-reader.sh enter       print the nsenter command that does the same
#   scripts/virtual-reader.sh foreground  set up a new namespace, then exec pcscd in the
#                                         foreground there (for a parent that waits on it:
#                                         the e2e tests; its PID is the namespace to enter)
#   scripts/virtual-reader.sh install     only install missing packages
#
# Environment:
#   JPKI_RUN_DIR      state directory (default: <repo>/.run, gitignored)
#   JPKI_NO_INSTALL=1 never run apt-get; fail if something is missing
#   JPKI_PCSCD_QUIET=1 start pcscd without --debug --apdu, as a desktop runs
#                     it (benchmarks); pcscd.log then stays empty
#   JPKI_READER_NAME  the readers' FRIENDLYNAME (default "Virtual PCD"; any
#                     bytes but '"' and newline, e.g. CP932 or an ESC, for
#                     the tests of reader names as the system gives them)
#   JPKI_VIRTUAL_CARD path of the jpki-virtual-card binary
#                     (default: <repo>/target/debug/jpki-virtual-card)
#
# Files in the state directory: conf/vpcd (the reader configuration, alone in
# its folder because pcscd parses every file there), libifdvpcd.so (a copy of
# the vpcd driver: the namespace hides the machine's driver folder),
# pcscd.log (pcscd's --debug --apdu log: a witness of every APDU), pcscd.pid
# (also the namespace: `nsenter --target PID`), card-PORT.pid, card-PORT.log
# (the card's exchange log), card-PORT.err.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
self="$repo/scripts/virtual-reader.sh"
run_dir="${JPKI_RUN_DIR:-$repo/.run}"
conf_dir="$run_dir/conf"
pid_file="$run_dir/pcscd.pid"
log_file="$run_dir/pcscd.log"
# Fixed by pcsc-lite 1.9.9 (compiled in; the daemon has no option for it).
sys_dir=/run/pcscd
sock="$sys_dir/pcscd.comm"
# pcscd's compiled-in USB driver folder (`pcscd --version`: usbdropdir).
drivers=/usr/lib/pcsc/drivers
vpcd_lib="$drivers/serial/libifdvpcd.so"
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

install_missing() {
    local need=()
    command -v pcscd >/dev/null 2>&1 || need+=(pcscd)
    [[ -e "$vpcd_lib" ]] || need+=(vsmartcard-vpcd)
    pkg-config --exists libpcsclite 2>/dev/null || need+=(libpcsclite-dev pkg-config)
    command -v pkcs15-tool >/dev/null 2>&1 || need+=(opensc)
    command -v pcsc_scan >/dev/null 2>&1 || need+=(pcsc-tools)
    command -v ss >/dev/null 2>&1 || need+=(iproute2)
    command -v ip >/dev/null 2>&1 || need+=(iproute2)
    command -v unshare >/dev/null 2>&1 || need+=(util-linux)
    command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
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

# How this user gets a private mount+network namespace: as root directly;
# otherwise through a user namespace in which it is root (the kernel allows
# that unless an administrator turned it off). Prints the unshare options.
ns_options() {
    if [[ "$(id -u)" == 0 ]]; then
        echo "--mount --net"
    elif unshare --user --map-root-user --mount --net true 2>/dev/null; then
        echo "--user --map-root-user --mount --net"
    else
        die "the private PC/SC stack needs a mount+network namespace, and this user cannot make one:
  not root, and unprivileged user namespaces are off here. Either
  - run as root:  sudo $0 ${cmd_name:-start}   (for the tests: sudo scripts/test.sh), or
  - allow user namespaces:  sudo sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000
    (Ubuntu 24.04 also: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0), or
  - skip the end-to-end tests on purpose:  JPKI_E2E=0 scripts/test.sh"
    fi
}

# Checks that pcscd can run here and installs what is missing. Runs in the
# machine's own namespaces (apt-get needs the network).
prepare() {
    [[ "$(uname -s)" == Linux ]] || die "Linux only (pcscd + vsmartcard-vpcd in Linux namespaces). On $(uname -s), use a physical reader; the end-to-end tests run on Linux (CI)."
    install_missing
    mkdir -p "$run_dir"
    # Fail here, with the reason, rather than inside the namespace.
    ns_options >/dev/null
}

# Inside the new namespace (mount propagation is private, unshare's
# default, so nothing below is seen outside): a tmpfs on /run/pcscd (on /run
# where /run/pcscd does not exist, so nothing is created outside either),
# the loopback up (vpcd listens on 0.0.0.0, the card connects to 127.0.0.1),
# and an empty tmpfs over the USB driver folder so this pcscd never claims a
# real reader the machine's own pcscd needs. The vpcd driver is used from a
# private copy, named in the private reader configuration.
setup_namespace() {
    if [[ -d "$sys_dir" ]]; then
        mount -t tmpfs -o mode=0755 jpki-pcscd "$sys_dir"
    else
        mount -t tmpfs -o mode=0755 jpki-run /run
        mkdir -p "$sys_dir"
    fi
    ip link set lo up
    local lib="$run_dir/libifdvpcd.so"
    cp "$vpcd_lib" "$lib"
    if [[ -d "$drivers" ]]; then
        mount -t tmpfs -o mode=0755,ro jpki-no-usb-drivers "$drivers"
    fi
    mkdir -p "$conf_dir"
    cat >"$conf_dir/vpcd" <<CONF
FRIENDLYNAME "${JPKI_READER_NAME:-Virtual PCD}"
DEVICENAME /dev/null:0x8C7B
LIBPATH $lib
CHANNELID 0x8C7B
CONF
}

# JPKI_PCSCD_QUIET=1: no --debug --apdu, as a desktop runs pcscd (for
# benchmarks: the debug log costs every call to pcscd a few writes). The
# log then stays empty, so nothing that reads it (the e2e tests) can use it.
if [[ -n "${JPKI_PCSCD_QUIET:-}" ]]; then
    pcscd_cmd=(pcscd --foreground -c "$conf_dir")
else
    pcscd_cmd=(pcscd --foreground --debug --apdu -c "$conf_dir")
fi

# The nsenter options that join the namespace of PID (plus the user
# namespace when it was made without root), under PID's root directory:
# entering a mount namespace resets the root to the namespace's own, which
# is not ours inside a chroot (scripts/clean-machine.sh).
enter_options() {
    local pid="$1"
    local opts=(--target "$pid" --mount --net --root)
    if [[ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]]; then
        opts+=(--user --preserve-credentials)
    fi
    printf '%s\n' "${opts[@]}"
}

# Whether PID lives in a network namespace other than ours (the stack is
# private, and /proc/PID/root is that namespace's view).
private_ns() {
    local pid="$1" ours theirs
    ours="$(readlink /proc/self/ns/net)"
    theirs="$(readlink "/proc/$pid/ns/net" 2>/dev/null)" || return 1
    [[ -n "$theirs" && "$theirs" != "$ours" ]]
}

# Port listening inside PID's namespace (ss, never a connect).
listening_in() {
    local pid="$1" port="$2" opts
    mapfile -t opts < <(enter_options "$pid")
    nsenter "${opts[@]}" -- ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN
}

wait_ready() {
    local pid="$1" i
    for ((i = 0; i < 250; i++)); do
        alive "$pid" || { tail -n 20 "$log_file" >&2 || true; die "pcscd exited while starting; log: $log_file"; }
        if private_ns "$pid" && [[ -S "/proc/$pid/root$sock" ]] &&
            listening_in "$pid" "$port0" && listening_in "$pid" "$port1"; then
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

# The line a person copies to run a client in the stack's namespace.
enter_line() {
    local pid="$1" opts
    mapfile -t opts < <(enter_options "$pid")
    printf 'nsenter %s --wd="$PWD" -- COMMAND' "${opts[*]}"
}

cmd_start() {
    local pid
    if pid="$(pid_of "$pid_file" pcscd)"; then
        say "already running: pcscd pid $pid, log $log_file"
        return 0
    fi
    prepare
    local opts
    read -ra opts < <(ns_options)
    : >"$log_file"
    # unshare makes the namespace and execs bash, which execs pcscd: one
    # PID throughout, and that PID is the namespace.
    unshare "${opts[@]}" -- bash "$self" __inside >"$log_file" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$pid_file"
    wait_ready "$pid"
    say "started pcscd pid $pid in a private namespace ($(readlink "/proc/$pid/ns/net")); readers 'Virtual PCD 00 00' (port $port0) and 'Virtual PCD 00 01' (port $port1); APDU log $log_file"
    say "clients must run inside it:  $0 run target/debug/jpki-status -v"
    say "  (or: $(enter_line "$pid"); a client outside sees the machine's own PC/SC instead)"
}

cmd_foreground() {
    prepare
    local opts
    read -ra opts < <(ns_options)
    printf '%s\n' "$$" >"$pid_file"
    # exec keeps the PID through unshare, bash and pcscd, so the parent's
    # child *is* pcscd (it can reap it) and its PID names the namespace.
    exec unshare "${opts[@]}" -- bash "$self" __inside >"$log_file" 2>&1 </dev/null
}

cmd_inside() {
    setup_namespace
    exec "${pcscd_cmd[@]}"
}

# PID of our running pcscd, or a message saying how to start it.
running_pid() {
    pid_of "$pid_file" pcscd || die "the private pcscd is not running (state $run_dir); start it: $0 start"
}

cmd_run() {
    [[ "${1:-}" == -- ]] && shift
    (($# > 0)) || die "usage: $0 run [--] COMMAND [ARG...]"
    local pid opts
    pid="$(running_pid)"
    mapfile -t opts < <(enter_options "$pid")
    exec nsenter "${opts[@]}" --wd="$PWD" -- "$@"
}

cmd_enter() {
    local pid
    pid="$(running_pid)"
    enter_line "$pid"
    echo
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
        # Its socket and pid file were on the namespace's own tmpfs: they
        # go with the namespace.
        stop_pid "$pid" pcscd
        stopped=1
        say "stopped pcscd pid $pid"
    fi
    rm -f "$pid_file"
    ((stopped)) || say "not running"
    return 0
}

cmd_status() {
    local pid cpid f
    if pid="$(pid_of "$pid_file" pcscd)"; then
        printf 'pcscd: running, pid %s, namespace %s, log %s\n' "$pid" "$(readlink "/proc/$pid/ns/net")" "$log_file"
        for p in "$port0" "$port1"; do
            if listening_in "$pid" "$p"; then printf 'vpcd port %s: listening\n' "$p"; else printf 'vpcd port %s: not listening\n' "$p"; fi
        done
        shopt -s nullglob
        for f in "$run_dir"/card-*.pid; do
            if cpid="$(pid_of "$f" jpki-virtual-ca)"; then
                printf 'card on port %s: pid %s\n' "$(basename "$f" .pid | sed 's/card-//')" "$cpid"
            fi
        done
        printf 'clients: %s run COMMAND   (or: %s)\n' "$0" "$(enter_line "$pid")"
        return 0
    fi
    printf 'pcscd: not started by this script (state %s)\n' "$run_dir"
    return 3
}

cmd_card() {
    local profile="${1:-fresh}" port="${2:-$port0}" bin pid ns opts
    bin="${JPKI_VIRTUAL_CARD:-$repo/target/debug/jpki-virtual-card}"
    [[ -x "$bin" ]] || die "no $bin; build it first: cargo build --features virtual-card --bin jpki-virtual-card"
    ns="$(running_pid)"
    if pid="$(pid_of "$run_dir/card-$port.pid" jpki-virtual-ca)"; then
        stop_pid "$pid" "jpki-virtual-card on port $port"
    fi
    mapfile -t opts < <(enter_options "$ns")
    # nsenter execs the card (no --fork), so $! is the card's PID.
    nsenter "${opts[@]}" --wd="$PWD" -- "$bin" --profile "$profile" --port "$port" \
        --log "$run_dir/card-$port.log" >"$run_dir/card-$port.err" 2>&1 </dev/null &
    printf '%s\n' "$!" >"$run_dir/card-$port.pid"
    say "placed card '$profile' on port $port (pid $!); exchange log $run_dir/card-$port.log"
}

cmd_name="${1:-}"
case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
foreground) cmd_foreground ;;
__inside) cmd_inside ;;
card) shift; cmd_card "$@" ;;
run) shift; cmd_run "$@" ;;
enter) cmd_enter ;;
install) install_missing ;;
*)
    sed -n '/^# Usage:/,/^# Files/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
