#!/usr/bin/env bash
# Validates services/suivi/openapi.json with Redocly's OpenAPI linter (see validate.mjs).
# Installs the pinned linter from package-lock.json on first run. Usage: .ci/openapi/validate.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [ ! -d node_modules ]; then
  # --ignore-scripts: the linter needs no install script.
  npm ci --silent --ignore-scripts --no-audit --no-fund
fi
exec node validate.mjs "$@"
