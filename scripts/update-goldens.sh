#!/usr/bin/env bash
# Regenerates the golden files after an intended output change, then READ
# `git diff tests/`: it must show exactly the change you meant.
#
#   scripts/update-goldens.sh              tests/cmd/*.stdout, *.stderr and status codes
#                                          (trycmd, tests/cli_golden.rs)
#   scripts/update-goldens.sh --e2e        also the two end-to-end goldens in tests/golden/
#                                          (needs the real PC/SC stack: root, Linux; see
#                                          docs/testing.md)
#   scripts/update-goldens.sh -- cli_golden trycmd=advise
#                                          only cases whose file name contains "advise"
#                                          (arguments after the options go to cargo test)
#
# The schemas in docs/schema/ are hand-written: a failing tests/json_schemas.rs
# names the schema file and the place to change (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
e2e=0
if [[ "${1:-}" == "--e2e" ]]; then
    e2e=1
    shift
fi
TRYCMD=overwrite SNAPSHOTS=overwrite cargo test --test cli_golden "$@"
if [[ $e2e == 1 ]]; then
    SNAPSHOTS=overwrite JPKI_E2E=1 cargo test --test e2e_pcsc --test e2e_watch -- \
        two_readers_and_reader_flag watch_follows_cards_on_two_readers_and_stops_on_signals
fi
git status --short tests/cmd tests/golden
