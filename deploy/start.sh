#!/usr/bin/env bash
# Sets up and starts Suivi on this machine: PostgreSQL and NATS (started, or installed from
# Debian's packages), the `suivi` database and its migrations, demo data, then every service.
# Configuration: environment variables, see .env.example (a .env file here is read).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
if [ -z "${DATABASE_URL:-}" ] && [ -z "${NATS_URL:-}" ]; then
  deploy/ensure-services.sh
fi
cargo build --release --locked --bin suivi
# The key-encryption key that seals participants' identities lives outside the database: made
# once here for a local installation (production: see docs/privacy.md and `suivi kek`).
if [ -z "${SUIVI_KEK_FILE:-}" ] && [ -z "${SUIVI_KEK:-}" ]; then
  export SUIVI_KEK_FILE="${XDG_STATE_HOME:-$HOME/.local/state}/suivi/kek"
  if [ ! -s "$SUIVI_KEK_FILE" ]; then
    mkdir -p "$(dirname "$SUIVI_KEK_FILE")"
    (umask 077 && target/release/suivi kek generate > "$SUIVI_KEK_FILE")
    echo "key-encryption key created in $SUIVI_KEK_FILE: keep it, and out of database backups" >&2
  fi
fi
target/release/suivi migrate
# A demo tenant with a few contracts, and a fresh token per role to explore the API with.
target/release/suivi demo
# Port 8080 unless something else holds it; then any free port. `suivi serve` prints the address
# it really listens on and the page to open first.
if [ -z "${SUIVI_HTTP_ADDR:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
  echo "port 8080 is taken: Suivi will listen on a free port, printed below" >&2
  export SUIVI_HTTP_ADDR=127.0.0.1:0
fi
exec target/release/suivi serve
