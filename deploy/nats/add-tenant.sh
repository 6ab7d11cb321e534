#!/usr/bin/env bash
# Usage: add-tenant.sh <tenant> <credential>
#
# The finance user of one tenant. It may:
#   - publish its messages on <prefix>.<tenant>.fin.<message_type> (not fin.rejected.*);
#   - request <prefix>.<tenant>.query.> (and the suivi-finance service's $SRV subjects);
#   - read the ledger and its rejections through its durable consumer finance-<tenant> only:
#     next message, consumer info and acknowledgements, on the ledger and dead-letter streams
#     (it cannot create, change or delete streams or consumers);
#   - receive replies on its own inbox prefix _INBOX_<tenant>.> (set it in the client:
#     async-nats `custom_inbox_prefix`, nats-py `inbox_prefix`), so no other tenant reads them;
#   - subscribe live to its own ledger and rejection subjects.
# Nothing else: not another tenant's subjects, not the events.
#
# <credential> is a user nkey's public key (U…) or a bcrypt hash ($2a$…), never a password in
# clear (see lib.sh). With a bcrypt hash the user name is finance-<tenant>.
#
# Environment: SUIVI_NATS_CONF_DIR (default /etc/nats/suivi), SUIVI_SUBJECT_PREFIX (default suivi).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: add-tenant.sh <tenant> <nkey public key | bcrypt hash>"
tenant=$1
# A tenant id as Suivi accepts it (proto/src/ids.rs): one subject token.
[[ "$tenant" =~ ^[a-z0-9_-]{1,32}$ ]] || die "$tenant is not a tenant id (a-z, 0-9, - and _, at most 32)"

consumer="finance-$tenant"
ledger="$(stream_name LEDGER)"
dead="$(stream_name FINANCE_DEAD)"
p="$PREFIX.$tenant"

entry="{
$(credential_lines "$consumer" "$2")
  permissions: {
    publish: {
      allow: [
        # its messages to Suivi, and its queries
        \"$p.fin.*\", \"$p.query.>\",
        # its durable consumer on the ledger, and on the dead letters
        \"\$JS.API.CONSUMER.INFO.$ledger.$consumer\", \"\$JS.API.CONSUMER.MSG.NEXT.$ledger.$consumer\",
        \"\$JS.ACK.$ledger.$consumer.>\",
        \"\$JS.API.CONSUMER.INFO.$dead.$consumer\", \"\$JS.API.CONSUMER.MSG.NEXT.$dead.$consumer\",
        \"\$JS.ACK.$dead.$consumer.>\",
        # discovering the query service
        \"\$SRV.*.suivi-finance\", \"\$SRV.*.suivi-finance.*\"
      ]
      # only Suivi writes rejections
      deny: [ \"$p.fin.rejected\", \"$p.fin.rejected.>\" ]
    }
    subscribe: {
      allow: [ \"_INBOX_$tenant.>\", \"$p.ledger.>\", \"$p.fin.rejected.>\" ]
    }
  }
}"
install_user "$consumer" "$entry"
