#!/usr/bin/env bash
# Validates proto/asyncapi.yaml with the official AsyncAPI parser (see validate.mjs).
# Installs the pinned parser from package-lock.json on first run. Usage: .ci/asyncapi/validate.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ ! -d node_modules ]; then
  # --ignore-scripts: the parser needs no install script (one dependency's only reports telemetry).
  npm ci --silent --ignore-scripts --no-audit --no-fund
fi
exec node validate.mjs "$@"
