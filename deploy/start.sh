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
target/release/suivi migrate
# A demo tenant with a few contracts, and a fresh token per role to explore the API with.
target/release/suivi demo
exec target/release/suivi serve
