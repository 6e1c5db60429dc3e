#!/usr/bin/env bash
# Regenerates the golden files after an intended output change:
#   tests/cmd/*.stdout, *.stderr and status codes (trycmd, tests/cli_golden.rs).
# Then READ `git diff tests/cmd`: it must show exactly the change you meant.
# The schemas in docs/schema/ are hand-written: a failing tests/json_schemas.rs
# names the schema file and the JSON path to change.
set -euo pipefail
cd "$(dirname "$0")/.."
TRYCMD=overwrite SNAPSHOTS=overwrite cargo test --test cli_golden "$@"
git status --short tests/cmd
