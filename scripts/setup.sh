#!/usr/bin/env bash
# scripts/setup.sh: install what building and testing jpki-status needs on
# Debian or Ubuntu (the Rust toolchain itself comes from rustup).
#
# Owns: the list of system packages. Must not: start anything.
#
#   scripts/setup.sh          build and run: the README's first command
#     libpcsclite-dev, pkg-config  build the `pcsc` crate against pcsc-lite
#     pcscd                        the PC/SC service a real reader needs
#   scripts/setup.sh --test   also what the test suite needs (scripts/test.sh)
#     vsmartcard-vpcd              the virtual reader for the end-to-end tests and demo
#     opensc                       an independent witness in the end-to-end tests
#     pcsc-tools                   pcsc_scan, for people poking at readers
#     chromium, poppler-utils      the slip test prints slips to PDF and reads them back
#     fonts-noto-cjk               Japanese glyphs for Chromium (else the slip prints boxes)
#   scripts/setup.sh --package  what scripts/package.sh needs
#     gcc-mingw-w64-x86-64         cross-linker and windres for jpki-status.exe
#     wine64                       runs the .exe in the smoke test
#     zip                          the Windows zip
#     debootstrap                  a clean Debian chroot to install the .deb in
#
# Uses sudo when not root. Installs only what is missing.
set -euo pipefail

packages=(libpcsclite-dev pkg-config pcscd)
case "${1:-}" in
    "") ;;
    --test) packages+=(vsmartcard-vpcd opensc pcsc-tools chromium poppler-utils fonts-noto-cjk) ;;
    --package) packages+=(gcc-mingw-w64-x86-64 wine64 zip debootstrap) ;;
    *) echo "usage: scripts/setup.sh [--test|--package]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install the equivalents of: ${missing[*]} (no apt-get here)" >&2
    exit 1
fi
sudo=()
[[ "$(id -u)" == 0 ]] || sudo=(sudo)
echo "setup: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq >&2
# --no-install-recommends: pcsc-tools would otherwise pull in GTK3.
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
