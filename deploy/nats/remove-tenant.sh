#!/usr/bin/env bash
# Usage: remove-tenant.sh <tenant>
#
# Removes the finance user of <tenant> (users/finance-<tenant>.conf) and rebuilds auth.conf.
# Reload the running server afterwards: its connections are then closed by the server.
#
# Environment: SUIVI_NATS_CONF_DIR (default /etc/nats/suivi).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: remove-tenant.sh <tenant>"
[ -f "$CONF_DIR/users/finance-$1.conf" ] || die "no finance user for $1 in $CONF_DIR/users"
install_user "finance-$1" ""
