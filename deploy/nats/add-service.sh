#!/usr/bin/env bash
# Usage: add-service.sh <credential>
#
# The Suivi service user: the only one that publishes events (the relay), ledger facts and
# rejections, manages the streams and consumers, and answers queries. <credential> is a user
# nkey's public key (U…) or a bcrypt hash ($2a$…), never a password in clear (see lib.sh).
#
# Environment: SUIVI_NATS_CONF_DIR (default /etc/nats/suivi), SUIVI_SUBJECT_PREFIX (default suivi).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: add-service.sh <nkey public key | bcrypt hash>"

entry="{
$(credential_lines suivi "$1")
  permissions: {
    publish: {
      allow: [
        # events (the relay), ledger facts, rejections of finance messages
        \"$PREFIX.*.evt.>\", \"$PREFIX.*.ledger.>\", \"$PREFIX.*.fin.rejected.>\",
        # streams, consumers, acknowledgements of the messages it takes
        \"\$JS.API.>\", \"\$JS.ACK.>\"
      ]
    }
    subscribe: {
      allow: [
        # its own replies (default inbox prefix: no finance user may read them)
        \"_INBOX.>\",
        # the queries it serves, and the NATS service protocol
        \"$PREFIX.*.query.>\", \"\$SRV.>\"
      ]
    }
    # answers to queries and \$SRV requests go to the requester's inbox, whatever its prefix
    allow_responses: true
  }
}"
install_user 00-suivi "$entry"
