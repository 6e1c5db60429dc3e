#!/usr/bin/env bash
# Regenerates the golden files after an intended output change:
#   tests/cmd/*.stdout, *.stderr and status codes (trycmd, tests/cli_golden.rs).
# Arguments go to `cargo test --test cli_golden`, e.g. only cases whose file
# name contains "advise":   scripts/update-goldens.sh -- cli_golden trycmd=advise
# Then READ `git diff tests/cmd`: it must show exactly the change you meant.
# The two end-to-end goldens (tests/golden/) need the PC/SC stack:
#   SNAPSHOTS=overwrite JPKI_E2E=1 cargo test --test e2e_pcsc --test e2e_watch
# The schemas in docs/schema/ are hand-written: a failing tests/json_schemas.rs
# names the schema file and the place to change (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
TRYCMD=overwrite SNAPSHOTS=overwrite cargo test --test cli_golden "$@"
git status --short tests/cmd
