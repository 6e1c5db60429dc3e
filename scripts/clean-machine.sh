#!/usr/bin/env bash
# scripts/clean-machine.sh: the README's two commands, as written, on a clean
# Debian 12 that has nothing but Rust installed. CI runs it (.ci/run): a
# green run on a machine that already has every package proves nothing about
# the README.
#
# Owns: the clean root, the toolchain copied into it, the README's commands
# read from README.md (so this check and the README cannot drift), and the
# system-pcscd stand-in. Must not: install anything on this machine but
# debootstrap, or leave a process or mount behind.
#
#   scripts/clean-machine.sh [--rev REV] [--no-system-pcscd] [--warm] [--keep]
#
# 1. debootstrap --variant=minbase bookworm, plus what installing Rust with
#    rustup takes: curl and ca-certificates for its installer, and the C
#    linker rustup's documentation asks for (gcc), into $JPKI_CLEAN_ROOT
#    (default /var/tmp/jpki-clean-machine, removed first and afterwards).
# 2. Rust as rustup installs it: this machine's stable toolchain copied in,
#    with every target but the host's removed (a fresh install has only
#    that), rustfmt and clippy (rustup's default profile). Nothing else:
#    no nightly, no cargo tools, no registry cache.
# 3. The checkout: a clone of this repository at REV (default HEAD).
# 4. The README's first command, then (unless --no-system-pcscd) a pcscd
#    started on the default socket as a Debian desktop has it, then the
#    README's second command, each as root with no stdin and CI=true (a
#    missing tool fails instead of skipping), each timed. With --warm, the
#    second command once more: its warm wall time (docs/testing.md).
#
# Exit status: 0 when both commands did what the README says (the first
# exits 3, the code for a locked PIN whose route depends on the holder, and
# prints the PIN table; the second exits 0); 1 otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
. scripts/lib/chroot.sh

rev=HEAD system_pcscd=1 keep=0 warm=0
while (($#)); do
    case $1 in
        --rev) rev=$2; shift ;;
        --no-system-pcscd) system_pcscd=0 ;;
        --keep) keep=1 ;;
        --warm) warm=1 ;;
        *) echo "usage: scripts/clean-machine.sh [--rev REV] [--no-system-pcscd] [--warm] [--keep]" >&2; exit 2 ;;
    esac
    shift
done
[[ $(id -u) == 0 ]] || { echo "clean-machine: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
root=${JPKI_CLEAN_ROOT:-/var/tmp/jpki-clean-machine}
say() { echo "== clean-machine: $*"; }
# One run at a time per root: a second run would build in a folder the first
# is still removing.
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock -n 9 || { echo "clean-machine: another run is using $root (lock $root.lock)" >&2; exit 1; }

finish() {
    local rc=$?
    if ((keep)); then
        chroot_stop "$root"
        say "kept $root (remove it with: rm -rf --one-file-system $root)"
    else
        chroot_destroy "$root" || rc=1
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

rm -f "$root".command*.log "$root".debootstrap.log
start=$SECONDS
command -v debootstrap >/dev/null || {
    say "installing debootstrap on this machine (the one thing this check needs here)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}
say "debootstrap --variant=minbase bookworm into $root"
chroot_create "$root" bookworm "$root.debootstrap.log" curl,ca-certificates,gcc,libc6-dev
chroot_mount_devices "$root"
say "certificate authorities this machine trusts beyond Debian's: $(chroot_trust_host_cas "$root")"
say "root ready in $((SECONDS - start)) s"

say "Rust: this machine's stable toolchain, host target only, rustup's default profile"
toolchain=$(rustup run stable rustc --print sysroot)
host=$(rustup run stable rustc -vV | sed -n 's/^host: //p')
mkdir -p "$root/root/.cargo/bin" "$root/root/.rustup/toolchains"
cp -a "$toolchain" "$root/root/.rustup/toolchains/stable-$host"
printf 'version = "12"\ndefault_toolchain = "stable-%s"\nprofile = "default"\n\n[overrides]\n' "$host" >"$root/root/.rustup/settings.toml"
cp "$(command -v rustup)" "$root/root/.cargo/bin/rustup"
for proxy in cargo rustc rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver rust-gdb rust-lldb; do
    ln -s rustup "$root/root/.cargo/bin/$proxy"
done
# in_root CMD: CMD in the root as root, with a login-like environment, no
# stdin, and without the lock's descriptor (a daemon started there must not
# hold the lock after this run).
in_root() {
    chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb CI=true \
        PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        bash -c "$1" </dev/null 9>&-
}
extra=$(in_root "rustup target list --installed" | grep -vx "$host" || true)
for t in $extra; do in_root "rustup target remove $t" >/dev/null 2>&1; done
in_root "rustc --version && cargo fmt --version && cargo clippy --version && rustup target list --installed" | sed 's/^/    /'

say "checkout: a clone of this repository at $rev"
git clone -q --no-local "$repo" "$root/root/jpki-status"
git -C "$root/root/jpki-status" checkout -q --detach "$rev"
say "at $(git -C "$root/root/jpki-status" log -1 --format='%h %s')"

# The README's two commands, from that checkout: the lines of the first
# ```sh block under the "Try it" heading, comments removed.
mapfile -t commands < <(awk '
    /^## Try it/ { section = 1; next }
    section && /^```sh/ { block = 1; next }
    block && /^```/ { exit }
    block { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }' "$root/root/jpki-status/README.md")
((${#commands[@]} == 2)) || {
    echo "clean-machine: README.md's \"Try it\" block must hold exactly two commands, found ${#commands[@]}" >&2
    exit 1
}

# run_command N CMD [LABEL]: runs CMD in the root, its output in
# $root.commandN.log; sets rc and took.
run_command() {
    local t0=$SECONDS
    say "${3:-README command $1}: $2"
    rc=0
    in_root "cd /root/jpki-status && $2" >"$root.command$1.log" 2>&1 || rc=$?
    took=$((SECONDS - t0))
}
show_tail() { tail -n "$2" "$root.command$1.log" | sed 's/^/    | /'; }

run_command 1 "${commands[0]}"; rc1=$rc t1=$took
show_tail 1 25
ok1=0
[[ $rc1 == 3 ]] && grep -q 'PIN' "$root.command1.log" && ok1=1
say "README command 1 exited $rc1 in $t1 s ($( ((ok1)) && echo "as the README says" || echo "NOT as the README says: want exit 3 and the PIN table"))"

if ((system_pcscd)); then
    say "a system pcscd on the default socket, as on a Debian desktop"
    in_root "setsid pcscd --foreground >/var/log/system-pcscd.log 2>&1 &"
    for _ in $(seq 50); do [[ -S $root/run/pcscd/pcscd.comm ]] && break; sleep 0.1; done
    [[ -S $root/run/pcscd/pcscd.comm ]] || { echo "clean-machine: the system pcscd did not start" >&2; exit 1; }
fi

run_command 2 "${commands[1]}"; rc2=$rc t2=$took
show_tail 2 40
say "README command 2 exited $rc2 in $t2 s (log: $root.command2.log)"
if ((system_pcscd)); then
    # The tests run their own pcscd in private namespaces: the system's
    # must still be there afterwards, untouched.
    [[ -S $root/run/pcscd/pcscd.comm ]] || { echo "clean-machine: the system pcscd's socket is gone after the tests" >&2; rc2=1; }
fi
say "total $((SECONDS - start)) s on $(nproc) cores: command 1 ${t1} s (exit $rc1), command 2 ${t2} s (exit $rc2)"
rc3=0
if ((warm)) && [[ $rc2 == 0 ]]; then
    run_command 3 "${commands[1]}" "README command 2 again (warm)"; rc3=$rc
    show_tail 3 3
    say "README command 2 again, warm: exited $rc3 in $took s (log: $root.command3.log)"
fi
# The suite's count in the form any CI reads ("N passed, N failed"), from
# cargo's own "test result:" lines in command 2's log.
awk '/^test result: / { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }' "$root.command2.log" || true
((ok1)) && [[ $rc2 == 0 && $rc3 == 0 ]]
