#!/usr/bin/env bash
# Runs every test against the real PostgreSQL and NATS (started or installed if needed), the
# browser tests in a headless Chromium (installed if needed).
# Each test creates its own database and its own stream/subject prefix, and removes them.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/ensure-services.sh
# The browser tests drive Debian's Chromium through chromedriver; the guides' examples, curl and jq.
deploy/ensure-test-tools.sh
# The end-to-end tests drive the `suivi` binary itself.
cargo build --locked --bin suivi
cargo test --workspace --locked "$@"
