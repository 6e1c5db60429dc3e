# scripts/lib/chroot.sh: a clean Debian root in a folder, for the checks that
# must not trust this machine's packages (sourced by scripts/package.sh's
# deb-test and scripts/clean-machine.sh; not a command).
#
# Owns: choosing the Debian mirror, debootstrap, the mounts a root needs, and
# taking it all down again. Must not: touch anything outside the root but its
# own mounts and the processes started inside it.

# The mirror this machine's apt uses (deb.debian.org if none is found).
chroot_mirror() {
    local mirror
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
    echo "${mirror:-http://deb.debian.org/debian}"
}

# chroot_create ROOT SUITE LOG [PACKAGE,...]: debootstrap --variant=minbase
# (Priority: required plus apt: what a minimal Debian install has), then:
# ROOT made a mount point of its own (on a real machine / is one, and
# `unshare --mount`, which the end-to-end stack uses, fails with EINVAL
# where it is not), no service started by a maintainer script (policy-rc.d,
# as in any chroot), this machine's resolver, and /proc.
chroot_create() {
    local root=$1 suite=$2 log=$3 include=${4:-}
    command -v debootstrap >/dev/null || { echo "chroot: needs debootstrap" >&2; return 1; }
    chroot_destroy "$root"
    local args=(--variant=minbase)
    [[ -z $include ]] || args+=("--include=$include")
    debootstrap "${args[@]}" "$suite" "$root" "$(chroot_mirror)" >"$log" 2>&1 || {
        tail -20 "$log" >&2
        echo "chroot: debootstrap $suite failed (log: $log)" >&2
        return 1
    }
    mount --bind "$root" "$root"
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    mount -t proc proc "$root/proc"
}

# chroot_trust_host_cas ROOT: the certificate authorities this machine
# trusts beyond Debian's own (a network that inspects TLS, as this
# workplace's does, signs with its own CA), added the way an administrator
# adds one: /usr/local/share/ca-certificates + update-ca-certificates. A
# machine on an open network has none and this adds nothing.
chroot_trust_host_cas() {
    local root=$1 host_bundle=/etc/ssl/certs/ca-certificates.crt
    [[ -f $host_bundle && -f $root/etc/ssl/certs/ca-certificates.crt ]] || return 0
    local dest=$root/usr/local/share/ca-certificates
    mkdir -p "$dest"
    # One PEM block at a time: a host certificate not in the root's bundle
    # becomes host-N.crt. Prints how many.
    awk -v dest="$dest" -v known="$root/etc/ssl/certs/ca-certificates.crt" '
        function take(line) {
            if (line ~ /BEGIN CERTIFICATE/) { inside = 1; pem = "" }
            if (inside) pem = pem line "\n"
            if (line ~ /END CERTIFICATE/) { inside = 0; return 1 }
            return 0
        }
        BEGIN { while ((getline line < known) > 0) if (take(line)) seen[pem] = 1 }
        take($0) && !(pem in seen) { n++; printf "%s", pem > (dest "/host-" n ".crt") }
        END { print n + 0 }' "$host_bundle"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
}

# chroot_mount_devices ROOT: /dev, /dev/pts, /dev/shm and /sys as a desktop
# has them (Chromium, pseudo-terminals, /dev/full), and a fresh /run. Bind
# mounts are made slaves so that taking them down never reaches this machine.
chroot_mount_devices() {
    local root=$1
    mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
    mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
    mount -t tmpfs -o mode=755 tmpfs "$root/run"
}

# chroot_stop ROOT: end every process whose root is ROOT or a folder below
# it (a nested chroot), then unmount everything below ROOT, deepest first.
chroot_stop() {
    local root=$1 p r round
    [[ -d $root ]] || return 0
    for round in TERM KILL; do
        for p in /proc/[0-9]*; do
            r=$(readlink "$p/root" 2>/dev/null) || continue
            [[ $r == "$root" || $r == "$root"/* ]] && kill "-$round" "${p#/proc/}" 2>/dev/null || true
        done
        [[ $round == KILL ]] || sleep 1
    done
    local m
    while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done < <(awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

# chroot_destroy ROOT: chroot_stop, then remove the folder.
chroot_destroy() {
    local root=$1
    [[ -d $root ]] || return 0
    chroot_stop "$root"
    if awk -v r="$root" '$5 == r || index($5, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
        echo "chroot: $root still has mounts; not removing it" >&2
        return 1
    fi
    rm -rf --one-file-system "$root"
}
