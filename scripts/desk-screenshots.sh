#!/usr/bin/env bash
# Remakes the desk page's screenshots in docs/images, then LOOK at them and
# at `git diff --stat docs/images`: they change with any change to the page.
#
#   scripts/desk-screenshots.sh          docs/images/desk-ja-open-question.png
#                                        docs/images/desk-en-open-question.png
#                                        docs/images/desk-ja-locked.png
#   scripts/desk-screenshots.sh DIR      the same three files into DIR
#
# Each is `jpki-status desk --sim PROFILE --no-open` (sign-1-left in
# Japanese and English with its question open; both-jpki-locked in
# Japanese) shown in headless Chromium at 1280x1000 and captured through
# chromedriver (WebDriver's Take Screenshot). It is the ignored test
# desk_screenshots in tests/desk_browser.rs, the same code as the browser
# tests, which waits for the decision on the page before it captures:
# `chromium --headless --screenshot` captures as soon as the page has loaded,
# before the event stream has brought any panel (only "looking for readers"
# shows). Needs chromium and chromium-driver (scripts/setup.sh --test); no
# reader, no pcscd.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-docs/images}
mkdir -p "$out"
export JPKI_SCREENSHOT_DIR
JPKI_SCREENSHOT_DIR=$(cd "$out" && pwd)
# A missing browser is a failure here, not a skip.
JPKI_REQUIRE_BROWSER=1 cargo test --all-features --test desk_browser -- \
    --ignored --exact desk_screenshots --nocapture
ls -l "$JPKI_SCREENSHOT_DIR"/desk-*.png
