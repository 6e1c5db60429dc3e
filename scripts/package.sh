#!/usr/bin/env bash
# scripts/package.sh: build what is shipped, and check each artefact as a
# user would meet it. CI runs `scripts/package.sh all` (scripts/test.sh).
#
# Owns: the Windows zip, the Debian package, the man pages and completions
# they carry, and the smoke tests of each. Must not: install anything itself
# (scripts/setup.sh --package installs the build tools: apt packages, rustup
# targets, cargo-deb), or leave a process or mount behind.
#
#   scripts/package.sh library   the library without default features (no clap/ctrlc/toml),
#                                the examples, and a macOS check build
#   scripts/package.sh assets    man pages + completions -> target/assets/
#   scripts/package.sh windows   target/dist/jpki-status-VERSION-x86_64-windows.zip
#                                (cross-built with MinGW; PE imports checked; --version,
#                                --help and a simulated reading run under Wine)
#   scripts/package.sh deb       target/debian/jpki-status_VERSION-1_amd64.deb (cargo-deb)
#   scripts/package.sh deb-test  install that .deb with apt on a clean Debian (debootstrap
#                                --variant=minbase into a chroot) and run jpki-status
#                                --version, profiles and `man jpki-status` there; root only
#   scripts/package.sh all       all of the above (default)
#
# Each step prints its time and the artefact's size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
. scripts/lib/chroot.sh
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
win_target=x86_64-pc-windows-gnu

step() { echo "== package: $*"; }
die() { echo "package: $*" >&2; exit 1; }
size() { printf '%s %s bytes\n' "$1" "$(stat -c %s "$1")"; }
timed() {
    local start=$SECONDS
    "$@"
    echo "== package: $1 took $((SECONDS - start)) s"
}

# The library as an integrator gets it: without default features it builds
# and pulls no command-line crates; the entry point works (the examples),
# and the crate still builds for macOS.
library() {
    step "library without default features"
    cargo check --quiet --lib --no-default-features
    local tree
    tree=$(cargo tree -e normal --no-default-features --prefix none --format '{p}' | sed 's/ .*//' | sort -u)
    for banned in clap ctrlc toml sys-locale anyhow; do
        ! grep -qx "$banned" <<<"$tree" || die "default-features = false still pulls $banned"
    done
    echo "library: $(tr '\n' ' ' <<<"$tree")"
    step "examples"
    cargo build --quiet --examples
    cargo run --quiet --example simulated -- fresh >/dev/null
    local rc=0
    cargo run --quiet --example simulated -- auth-locked >/dev/null || rc=$?
    [[ $rc == 3 ]] || die "example simulated auth-locked exited $rc, want 3"
    step "macOS target builds (cargo check --target aarch64-apple-darwin)"
    scripts/setup.sh --package
    cargo check --quiet --target aarch64-apple-darwin --bin jpki-status
}

assets() {
    step "man pages and completions from the clap definition"
    rm -rf target/assets
    cargo run --quiet --example dist-assets -- target/assets >/dev/null
    for f in jpki-status.1 jpki-status-advise.1 completions/jpki-status.bash \
        completions/_jpki-status completions/jpki-status.fish completions/_jpki-status.ps1; do
        [[ -s target/assets/$f ]] || die "target/assets/$f missing or empty"
    done
    # The page must describe our options, not just clap's (roff escapes '-').
    grep -qF -- '\-\-watch' target/assets/jpki-status.1 || die "man page lacks --watch"
    # ...and the exit codes, which `--help` adds only for a help page.
    grep -qF 'Exit codes:' target/assets/jpki-status.1 || die "man page lacks the exit codes"
}

windows() {
    scripts/setup.sh --package
    step "cross-build jpki-status.exe ($win_target, release)"
    cargo build --quiet --release --target "$win_target" --bin jpki-status
    local exe=target/$win_target/release/jpki-status.exe
    size "$exe"

    step "PE imports: WinSCard.dll and Windows system DLLs only"
    local dlls
    dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
    echo "$dlls" | tr '\n' ' '; echo
    grep -qx winscard.dll <<<"$dlls" || die "jpki-status.exe does not import WinSCard.dll"
    local allowed='^(kernel32|ntdll|msvcrt|winscard|bcryptprimitives|advapi32|ws2_32|userenv|api-ms-win-core-[a-z0-9-]+)\.dll$'
    local odd
    odd=$(grep -Ev "$allowed" <<<"$dlls" || true)
    [[ -z "$odd" ]] || die "unexpected DLLs imported: $odd"
    # A MinGW-built exe may need libgcc/libwinpthread DLLs a Windows desk
    # does not have; the allow-list above already refuses them.

    step "version resource"
    # (grep reads whole outputs here: `grep -q` in a pipe can SIGPIPE its
    # writer, which pipefail turns into a failure.)
    grep -q '\.rsrc' <<<"$(x86_64-w64-mingw32-objdump -h "$exe")" || die "no .rsrc section"
    # VERSIONINFO strings are UTF-16LE: the key, then its value.
    local info
    info=$(strings -el "$exe")
    grep -qx ProductName <<<"$info" && grep -qx "$version" <<<"$(grep -A1 -x ProductVersion <<<"$info")" ||
        die "no ProductName / ProductVersion $version in the version resource"

    step "run it under Wine"
    wine_smoke "$exe"

    step "zip"
    local name=jpki-status-$version-x86_64-windows
    local stage=target/dist/$name
    rm -rf "$stage" "target/dist/$name.zip"
    mkdir -p "$stage/docs" "$stage/completions"
    cp "$exe" README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$stage/"
    cp apdu/site.example.toml "$stage/site.example.toml"
    # The desk staff's quick start, in Japanese (the README is English).
    cp docs/desk-quickstart-ja.txt "$stage/はじめにお読みください.txt"
    cp docs/*.md "$stage/docs/"
    cp -r docs/images "$stage/docs/"
    [[ -d target/assets ]] || assets
    cp target/assets/completions/_jpki-status.ps1 "$stage/completions/"
    (cd target/dist && zip -qr "$name.zip" "$name")
    size "target/dist/$name.zip"
    grep -q "$name/jpki-status.exe" <<<"$(unzip -l "target/dist/$name.zip")" || die "exe not in zip"
    grep -q "$name/はじめにお読みください.txt" <<<"$(unzip -l "target/dist/$name.zip")" || die "quick start not in zip"
}

# Runs the exe under Debian's Wine (wine64, no display). Wine 8 (bookworm)
# lacks bcryptprimitives.dll!ProcessPrng, which Rust's std imports since
# 1.78 and every Windows 10/11 has; a test-only stand-in built from
# scripts/wine/bcryptprimitives.c sits next to the exe in a scratch folder.
# It never goes into the zip.
wine_smoke() {
    local exe=$1 wine=/usr/lib/wine/wine64 dir=target/wine-run
    [[ -x $wine ]] || die "no $wine (scripts/setup.sh --package installs wine64)"
    rm -rf "$dir"; mkdir -p "$dir"
    x86_64-w64-mingw32-gcc -O2 -shared -o "$dir/bcryptprimitives.dll" \
        scripts/wine/bcryptprimitives.c -ladvapi32
    cp "$exe" "$dir/"
    export WINEPREFIX=$repo/target/wine-prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    local w=(timeout 120 env -u DISPLAY "$wine" "$dir/jpki-status.exe")
    local out
    out=$("${w[@]}" --version) || die "wine: --version failed"
    [[ $out == "jpki-status $version"* ]] || die "wine: --version said: $out"
    out=$("${w[@]}" --help) || die "wine: --help failed"
    grep -q -- '--watch' <<<"$out" || die "wine: --help lacks --watch"
    out=$("${w[@]}" --lang ja --help) || die "wine: --lang ja --help failed"
    grep -q 'オプション' <<<"$out" || die "wine: --lang ja --help is not Japanese"
    local rc=0
    out=$("${w[@]}" --sim auth-locked --no-input --lang en) || rc=$?
    [[ $rc == 3 ]] || die "wine: simulated reading exited $rc, want 3"
    grep -q 'user-authentication PIN' <<<"$out" || die "wine: simulated reading lacks the table"
    echo "wine: --version, --help, --lang ja --help, --sim auth-locked (exit 3) ok"
    wine_desk "${w[@]:2}"
    # wineserver lingers a few seconds after the last program: stop ours.
    env WINEPREFIX="$WINEPREFIX" /usr/lib/wine/wineserver64 -k 2>/dev/null || true
}

# The desk page under Wine: `desk --sim sign-1-left --no-open` prints its
# URL first, serves the page with the secret, refuses it without, and shows
# the simulated card's decision in /api/panels; then stops.
wine_desk() {
    local log=target/wine-run/desk.out
    "$@" desk --sim sign-1-left --no-open --lang ja >"$log" 2>&1 &
    local pid=$! url="" i
    for ((i = 0; i < 600; i++)); do
        url=$(head -1 "$log" 2>/dev/null | tr -d '\r')
        [[ $url == http://127.0.0.1:*'/?k='* ]] && break
        kill -0 "$pid" 2>/dev/null || die "wine: desk exited early: $(cat "$log")"
        sleep 0.1
    done
    [[ $url == http://127.0.0.1:*'/?k='* ]] || { kill "$pid"; die "wine: desk printed no URL: $(cat "$log")"; }
    local base=${url%%/\?k=*} key=${url##*k=} ok=1 page panels status
    page=$(curl -sf --max-time 10 "$url") || ok=0
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/") || ok=0
    panels=""
    for ((i = 0; i < 100; i++)); do
        panels=$(curl -sf --max-time 10 "$base/api/panels?k=$key&lang=ja") || ok=0
        grep -q '"state":"report"' <<<"$panels" && break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    ((ok)) || die "wine: desk: a request failed"
    grep -q '/assets/desk.js' <<<"$page" || die "wine: desk: no page at $url"
    [[ $status == 401 ]] || die "wine: desk: without the secret the page answered $status, want 401"
    grep -q '"route":"conditional"' <<<"$panels" || die "wine: desk: no decision in /api/panels: ${panels:0:300}"
    echo "wine: desk --sim sign-1-left: URL first, page served, 401 without the secret, decision in /api/panels ok"
}

deb() {
    scripts/setup.sh --package
    [[ -d target/assets ]] || assets
    step "cargo deb"
    local out
    out=$(cargo deb 2>&1 | tail -1) || { echo "$out" >&2; die "cargo deb failed"; }
    local debfile=target/debian/jpki-status_${version}-1_amd64.deb
    [[ -f $debfile ]] || die "no $debfile ($out)"
    size "$debfile"
    local listing
    listing=$(dpkg-deb -c "$debfile")
    for f in ./usr/bin/jpki-status ./usr/share/man/man1/jpki-status.1.gz \
        ./usr/share/bash-completion/completions/jpki-status \
        ./usr/share/zsh/vendor-completions/_jpki-status \
        ./usr/share/fish/vendor_completions.d/jpki-status.fish \
        ./usr/share/doc/jpki-status/examples/site.example.toml \
        ./usr/share/doc/jpki-status/docs/exit-codes.md ./usr/share/doc/jpki-status/copyright; do
        grep -q " $f\$" <<<"$listing" || die "$f not in the package"
    done
    ! grep -q jpki-virtual-card <<<"$listing" || die "the test tool jpki-virtual-card is in the package"
    grep -q pcscd <<<"$(dpkg-deb -f "$debfile" Depends)" || die "the package does not depend on pcscd"
    echo "deb: $(dpkg-deb -f "$debfile" Depends)"
}

# A clean Debian in a chroot (no container): debootstrap from the mirror
# this machine's apt uses, then `apt-get install ./jpki-status.deb` there, as
# a municipal IT department would, and run what the package promises.
deb_test() {
    [[ $(id -u) == 0 ]] || die "deb-test needs root (debootstrap, chroot)"
    local debfile=target/debian/jpki-status_${version}-1_amd64.deb
    [[ -f $debfile ]] || deb
    scripts/setup.sh --package
    local suite root=$repo/target/deb-root
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    step "debootstrap --variant=minbase $suite ($(chroot_mirror))"
    trap 'chroot_destroy "'"$root"'"' EXIT
    chroot_create "$root" "$suite" "$repo/target/debootstrap.log" man-db
    cp "$debfile" "$root/tmp/"
    step "apt-get install ./$(basename "$debfile") in the chroot"
    local log=$repo/target/deb-install.log
    { chroot "$root" apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq "/tmp/$(basename "$debfile")"; } >"$log" 2>&1 ||
        { tail -20 "$log" >&2; die "apt-get install in the chroot failed (log: target/deb-install.log)"; }
    grep -q "install ok installed" <<<"$(chroot "$root" dpkg-query -W -f='${Status}\n' pcscd)" ||
        die "pcscd was not installed with the package"
    local out
    out=$(chroot "$root" jpki-status --version) || die "chroot: --version failed"
    [[ $out == "jpki-status $version" ]] || die "chroot: --version said: $out"
    out=$(chroot "$root" jpki-status profiles) || die "chroot: profiles failed"
    grep -q '^auth-locked ' <<<"$out" || die "chroot: profiles lacks auth-locked"
    out=$(chroot "$root" env MANPAGER=cat MANWIDTH=80 man jpki-status 2>/dev/null) || die "chroot: man jpki-status failed"
    grep -q 'jpki-status' <<<"$out" && grep -q -- '--watch' <<<"$out" || die "chroot: man page incomplete"
    [[ -f $root/usr/share/doc/jpki-status/examples/site.example.toml ]] || die "chroot: no example site file"
    echo "deb-test: installed on a clean $suite; --version, profiles and man jpki-status ok"
}

case "${1:-all}" in
    library) timed library ;;
    assets) timed assets ;;
    windows) timed windows ;;
    deb) timed deb ;;
    deb-test) timed deb_test ;;
    all) timed library; timed assets; timed windows; timed deb; timed deb_test ;;
    *) echo "usage: scripts/package.sh [library|assets|windows|deb|deb-test|all]" >&2; exit 2 ;;
esac
