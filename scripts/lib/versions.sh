# scripts/lib/versions.sh: the pinned versions of the tools the scripts
# install (sourced by scripts/setup.sh and scripts/fuzz.sh; not a command).
# Pinned so that a new release cannot break a run that passed yesterday;
# raise them on purpose, in their own commit.

# The fuzzers need nightly (cargo fuzz); rustc 1.97.0-nightly e50aa6fba.
JPKI_NIGHTLY=nightly-2026-05-20
# Cargo tools: name@version.
JPKI_CARGO_FUZZ=cargo-fuzz@0.13.2
JPKI_CARGO_DEB=cargo-deb@3.8.0
