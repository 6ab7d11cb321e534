#!/usr/bin/env bash
# End to end: the example finance client (examples/finance-client, Python, nats-py) against a real
# `suivi serve`. Seeds a contract through the HTTP API up to an approved instalment, runs the
# client with --once, and checks through the HTTP API that the instalment shows as paid with the
# net to pay; then that a second payment of it comes back as a rejection the client prints, and
# that the balance query answers. Makes and removes its own database, subject prefix and streams.
# Run from anywhere, with PostgreSQL and NATS on 127.0.0.1 (deploy/ensure-services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'finance-client: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

deploy/ensure-services.sh >/dev/null
# The very build of deploy/test.sh (workspace features): in .ci/run nothing is built again, where
# `-p suivi` would resolve other features and rebuild every dependency.
cargo build --locked --bin suivi
suivi=target/debug/suivi

# The client's own environment, pinned, in an ignored folder kept between runs.
venv=target/ci/finance-client-venv
requirements=examples/finance-client/requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi
py="$venv/bin/python"
client=(timeout 120 "$py" examples/finance-client/finance_client.py)

name="suivi_fc_$$_$(date +%s)"
prefix="$name"
tenant="fc-ci"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
api="http://127.0.0.1:$port"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$name"
export NATS_URL="nats://127.0.0.1:4222"
export SUIVI_SUBJECT_PREFIX="$prefix"
export SUIVI_HTTP_ADDR="127.0.0.1:$port"
export SUIVI_METRICS_ADDR=""
export RUST_LOG=warn
SUIVI_KEK="$("$suivi" kek generate)"
export SUIVI_KEK
work=$(mktemp -d)
server=""

cleanup() {
  status=$?
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$work/suivi.log" ]; then
    say "last lines of suivi's log:"
    tail -n 40 "$work/suivi.log" >&2
  fi
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "drop database if exists $name with (force)" >/dev/null 2>&1 ||
    say "could not drop the database $name"
  # Every stream of this run's prefix: events, ledger, finance inbound and dead letters.
  "$py" - "$prefix" <<'PY' || say "could not delete the streams of $prefix"
import asyncio, sys
import nats

async def main(prefix):
    nc = await nats.connect("nats://127.0.0.1:4222", connect_timeout=5)
    jsm = nc.jsm()
    token = "".join(c.upper() if c.isalnum() else "_" for c in prefix) + "_"
    for info in await jsm.streams_info():
        if info.config.name.startswith(token):
            await jsm.delete_stream(info.config.name)
    await nc.close()

asyncio.run(main(sys.argv[1]))
PY
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# JSON from the HTTP API, checked with Python (no jq needed).
json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if k.isdigit() else v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
call() { # call METHOD PATH TOKEN [BODY]: the body of a 2xx answer, or fail with the answer.
  local method=$1 path=$2 token=$3 body=${4:-}
  local out="$work/answer" code
  code=$(curl -sS -m 30 -o "$out" -w '%{http_code}' -X "$method" "$api$path" \
    -H "Authorization: Bearer $token" -H "Content-Type: application/json" ${body:+--data "$body"}) ||
    fail "$method $path: no answer"
  case "$code" in 2??) cat "$out" ;; *) fail "$method $path answered $code: $(cat "$out")" ;; esac
}

say "database and prefix $name, HTTP on $api"
"$suivi" migrate 2>>"$work/suivi.log"
"$suivi" tenant create --id "$tenant" --name "Finance client CI" --buyer-siret 20004869500015 >/dev/null
token() { "$suivi" token create --role "$1" --tenant "$tenant" --label finance-client-ci ${2:+--siret "$2"} 2>/dev/null; }
buyer=$(token buyer)
contractor=$(token contractor 73282932000074)
facilitator=$(token facilitator)

# The tenant exists before Suivi starts, so its consumers finance-<tenant> are made at start.
"$suivi" serve >>"$work/suivi.log" 2>&1 &
server=$!
ready=""
for _ in $(seq 1 150); do
  kill -0 "$server" 2>/dev/null || fail "suivi serve exited at start"
  if [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$api/readyz")" = 200 ]; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || fail "suivi serve not ready on $api/readyz within 30 s: $(curl -s -m 2 "$api/readyz")"

# Dates relative to today (Suivi's business day is Paris's): notified four months ago, instalment 1
# for last month, received today (stamped by Suivi), approved and paid today.
today=$(TZ=Europe/Paris date +%F)
month=$(TZ=Europe/Paris date +%Y-%m-01)
notified=$(date -d "$month -4 months" +%F)
eligible_from=$(date -d "$month -5 months" +%F)
eligible_until=$(date -d "$eligible_from +23 months" +%F)
period_start=$(date -d "$month -1 month" +%F)
period_end=$(date -d "$month -1 day" +%F)
period="{\"start\": \"$period_start\", \"end\": \"$period_end\"}"

code=$(call POST /api/participants "$facilitator" "{\"family_name\": \"Martin\", \"given_names\": \"Léa\",
  \"birth_date\": \"1990-03-14\", \"category\": \"long_term_jobseeker\", \"prescriber\": \"france_travail\",
  \"eligible_from\": \"$eligible_from\", \"eligible_until\": \"$eligible_until\", \"gender\": \"female\",
  \"qualification\": \"level_4\", \"priority_neighbourhood_resident\": false}" | json_get code)
contract=$(call POST /api/contracts "$buyer" "{\"buyer_siret\": \"20004869500015\", \"buyer_kind\": \"local_authority\",
  \"contractors\": [{\"siret\": \"73282932000074\", \"size\": \"pme\", \"role\": \"sole\"}],
  \"object\": \"Client finances CI\", \"cpv_code\": \"45212222-8\", \"procedure\": \"Appel d'offres ouvert\",
  \"amount_ht\": \"1000000.00\", \"vat_rate\": \"0.20\", \"duration_months\": 24, \"notification_date\": \"$notified\",
  \"social_considerations\": [\"clause_sociale\"], \"environmental_considerations\": [\"clause_environnementale\"],
  \"insertion_clause\": {\"committed_hours\": \"100\", \"penalty_terms\": {
    \"rate\": {\"kind\": \"fixed\", \"amount_per_hour_ht\": \"60.00\"}, \"basis\": \"validated\",
    \"tolerance_share\": \"0\", \"pro_rata_on_termination\": true}},
  \"payment_term_days\": 30}" | json_get contract_id)
call POST "/api/contracts/$contract/instalments" "$contractor" "{\"number\": 1, \"period\": $period,
  \"cumulative_value_ht\": \"100000.00\", \"statement\": {\"lines\": [{\"line_id\": 1, \"participant\": \"$code\",
  \"modality\": \"direct_hire\", \"hours\": \"35\", \"period\": $period}]}}" >/dev/null
call POST "/api/contracts/$contract/statement-reviews" "$facilitator" \
  '{"instalment_number": 1, "decisions": [{"line_id": 1, "decision": {"kind": "validated"}}]}' >/dev/null
call POST "/api/contracts/$contract/instalment-approvals" "$buyer" \
  "{\"number\": 1, \"approved_on\": \"$today\", \"other_deductions_ttc\": \"0.00\"}" >/dev/null
net=$(call GET "/api/contracts/$contract" "$buyer" | json_get instalments.0.approval.net_to_pay_ttc)
say "contract $contract: instalment 1 approved, net to pay $net TTC"

# --once drains what is on the consumer: wait until Suivi has put the fact on the ledger.
"$py" - "$prefix" "$tenant" "$contract" <<'PY' || fail "no instalment_approved fact on the ledger within 30 s"
import asyncio, sys, time
import nats
from nats.js.errors import NotFoundError

async def main(prefix, tenant, contract):
    nc = await nats.connect("nats://127.0.0.1:4222", connect_timeout=5)
    stream = "".join(c.upper() if c.isalnum() else "_" for c in prefix) + "_LEDGER"
    subject = f"{prefix}.{tenant}.ledger.instalment_approved.{contract}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                await nc.jsm().get_last_msg(stream, subject)
                return 0
            except NotFoundError:
                if time.monotonic() > deadline:
                    return 1
                await asyncio.sleep(0.2)
    finally:
        await nc.close()

sys.exit(asyncio.run(main(*sys.argv[1:])))
PY

options=(--server "$NATS_URL" --prefix "$prefix" --tenant "$tenant" --paid-on "$today" --consumer-wait 40)
say "running the client with --once"
"${client[@]}" "${options[@]}" --once | tee "$work/first.out" || fail "the client failed (exit $?)"
grep -q "^paid: contract $contract instalment 1 $net TTC on $today" "$work/first.out" ||
  fail "the client did not report instalment 1 of $contract paid for $net"

# Suivi takes the payment from its inbound stream: poll the contract's view.
paid=""
for _ in $(seq 1 100); do
  view=$(call GET "/api/contracts/$contract" "$buyer")
  if [ "$(printf '%s' "$view" | json_get instalments.0.paid_on 2>/dev/null)" = "$today" ]; then paid=1; break; fi
  sleep 0.2
done
[ -n "$paid" ] || fail "instalment 1 not shown as paid on $today within 20 s: $view"
amount=$(printf '%s' "$view" | json_get instalments.0.payment.amount_ttc)
[ "$amount" = "$net" ] || fail "instalment 1 shows $amount paid, not $net"
say "GET /api/contracts/$contract: instalment 1 paid on $today, $amount TTC"

# Once acknowledged, the fact is not delivered again: a second run pays nothing.
"${client[@]}" "${options[@]}" --once | tee "$work/second.out" || fail "the second run failed (exit $?)"
grep -q "^done: 0 payment(s) reported" "$work/second.out" || fail "the second run paid again"

# Another payment of the same instalment, under a new message id: Suivi refuses it, and the
# client prints the rejection it reads from SUIVI_FINANCE_DEAD through its consumer.
"$py" - "$prefix" "$tenant" "$contract" "$net" "$today" <<'PY' || fail "could not publish the second payment"
import asyncio, json, sys
import nats

async def main(prefix, tenant, contract, net, today):
    nc = await nats.connect("nats://127.0.0.1:4222", connect_timeout=5)
    body = {"contract_id": contract, "item": {"kind": "instalment", "number": 1}, "amount_ttc": net,
            "paid_on": today, "finance_reference": "CI-SECOND-PAYMENT"}
    await nc.jetstream().publish(f"{prefix}.{tenant}.fin.payment_reported", json.dumps(body).encode(),
                                 headers={"Nats-Msg-Id": "ci-second-payment"}, timeout=5)
    await nc.close()

asyncio.run(main(*sys.argv[1:]))
PY
rejected=""
for _ in $(seq 1 5); do
  "${client[@]}" "${options[@]}" --once | tee "$work/third.out" || fail "the third run failed (exit $?)"
  if grep -q "^rejected: .*'ci-second-payment'.*instalment_already_paid" "$work/third.out"; then rejected=1; break; fi
done
[ -n "$rejected" ] || fail "the client did not print the rejection of the second payment"
view=$(call GET "/api/contracts/$contract" "$buyer")
[ "$(printf '%s' "$view" | json_get instalments.0.payment.amount_ttc)" = "$net" ] || fail "the second payment changed the view"

# The balance query service.
"${client[@]}" "${options[@]}" --balance "$contract" | tee "$work/balance.out" || fail "the balance query failed"
[ "$(json_get instalments_paid_ttc <"$work/balance.out")" = "$net" ] || fail "the balance does not show $net paid"
[ "$(json_get unpaid_instalments <"$work/balance.out")" = "[]" ] || fail "the balance still shows unpaid instalments"

say "1 passed, 0 failed"
