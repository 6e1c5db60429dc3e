#!/usr/bin/env bash
# scripts/setup.sh: install what building, testing and packaging jpki-status
# need on Debian or Ubuntu, in one place. The Rust toolchain itself comes
# from rustup; everything else is here, so that no later step depends on an
# earlier, unrelated one having installed something (scripts/clean-machine.sh
# proves it on a clean Debian 12).
#
# Owns: every system package, rustup target, rustup toolchain and cargo tool
# the project's scripts use. Must not: start anything.
#
#   scripts/setup.sh            build and run (the README's first command)
#   scripts/setup.sh --test     also everything scripts/test.sh uses (the README's second)
#   scripts/setup.sh --package  what scripts/package.sh uses, when run on its own
#
# Each group below prints one line: what it installs and why. Installs only
# what is missing; uses sudo for apt-get when not root.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/versions.sh"

mode=${1:-}
case "$mode" in
    "" | --test | --package) ;;
    *) echo "usage: scripts/setup.sh [--test|--package]" >&2; exit 2 ;;
esac

# name|why|packages: one line per apt group.
build_groups=(
    "C toolchain|rustc links with cc; cargo fetches crates over TLS|gcc libc6-dev ca-certificates"
    "PC/SC|build the pcsc crate against pcsc-lite, and the PC/SC service a reader needs|libpcsclite-dev pkg-config pcscd"
)
test_groups=(
    "virtual reader stack|pcscd + vsmartcard-vpcd in a private namespace (ip, ss, unshare, nsenter, kill)|vsmartcard-vpcd iproute2 util-linux procps"
    "witnesses|OpenSC reads the virtual card independently; pcsc_scan for people poking at readers|opensc pcsc-tools"
    "browser checks|headless Chromium prints slips to PDF and, through chromedriver, drives the desk page tests; poppler reads the PDFs back, with Japanese glyphs|chromium chromium-driver poppler-utils fonts-noto-cjk"
    "fuzzing|libFuzzer is C++, built by the fuzz targets|g++"
)
package_groups=(
    "Windows build|MinGW linker and windres (build.rs's version resource, also for clippy --target windows), Wine for the smoke test, zip and unzip for the zip and its check|gcc-mingw-w64-x86-64 wine64 zip unzip"
    "Debian package|dpkg-shlibdeps for cargo-deb, debootstrap for the clean-root checks|dpkg-dev debootstrap"
)
# Cross targets for scripts/test.sh's clippy and scripts/package.sh's builds.
rust_targets=(x86_64-pc-windows-gnu aarch64-apple-darwin)
# The fuzzers' nightly and the cargo tools (name@version|why), pinned in
# scripts/lib/versions.sh.
nightly=$JPKI_NIGHTLY
cargo_tools_test=("$JPKI_CARGO_FUZZ|runs the libFuzzer targets (scripts/fuzz.sh)")
cargo_tools_package=("$JPKI_CARGO_DEB|builds the .deb (scripts/package.sh deb)")

groups=("${build_groups[@]}")
case "$mode" in
    --test) groups+=("${test_groups[@]}" "${package_groups[@]}") ;;
    --package) groups+=("${package_groups[@]}") ;;
esac

sudo=()
[[ "$(id -u)" == 0 ]] || sudo=(sudo)
updated=0
for group in "${groups[@]}"; do
    IFS='|' read -r name why packages <<<"$group"
    missing=()
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        echo "setup: $name: present ($packages)" >&2
        continue
    fi
    echo "setup: $name: installing ${missing[*]} ($why)" >&2
    command -v apt-get >/dev/null 2>&1 || {
        echo "setup: no apt-get here; please install the equivalents of: ${missing[*]}" >&2
        exit 1
    }
    if ((!updated)); then
        "${sudo[@]}" apt-get update -qq >&2
        updated=1
    fi
    # --no-install-recommends: pcsc-tools would otherwise pull in GTK3.
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
done

[[ -n $mode ]] || exit 0

# Everything below comes through rustup and cargo.
command -v rustup >/dev/null 2>&1 || {
    echo "setup: rustup is needed for the cross targets and the fuzzers' nightly (https://rustup.rs)" >&2
    exit 1
}
installed=$(rustup target list --installed)
for t in "${rust_targets[@]}"; do
    if grep -qx "$t" <<<"$installed"; then
        echo "setup: rust target $t: present" >&2
    else
        echo "setup: rust target $t: installing (cross checks and builds for Windows and macOS)" >&2
        rustup target add "$t" >&2
    fi
done
# rustup's minimal profile has neither; the default profile has both.
components=$(rustup component list --installed)
for c in rustfmt clippy; do
    grep -q "^$c" <<<"$components" || {
        echo "setup: rust component $c: installing (cargo fmt --check, cargo clippy)" >&2
        rustup component add "$c" >&2
    }
done

tools=("${cargo_tools_package[@]}")
if [[ $mode == --test ]]; then
    tools+=("${cargo_tools_test[@]}")
    if rustup run "$nightly" rustc --version >/dev/null 2>&1; then
        echo "setup: $nightly: present" >&2
    else
        echo "setup: $nightly: installing, minimal profile (cargo fuzz needs nightly)" >&2
        rustup toolchain install "$nightly" --profile minimal >&2
    fi
fi
for tool in "${tools[@]}"; do
    IFS='|' read -r spec why <<<"$tool"
    name=${spec%@*} version=${spec#*@}
    # `cargo deb --version` prints "cargo-deb 3.8.0"; cargo-fuzz prints "cargo-fuzz 0.13.2".
    have=$(cargo "${name#cargo-}" --version 2>/dev/null | awk '{print $NF}' || true)
    if [[ $have == "$version" ]]; then
        echo "setup: $name $version: present" >&2
    else
        echo "setup: $name $version: installing with cargo install --locked ($why)" >&2
        cargo install --locked --quiet "$name" --version "$version" >&2
    fi
done
