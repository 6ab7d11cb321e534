#!/usr/bin/env bash
# Makes sure PostgreSQL and NATS (with JetStream) answer on 127.0.0.1:5432 and :4222.
# Starts them when they are down, and installs them from Debian's packages when absent.
# Idempotent: does nothing when both already run. Needs root (or sudo) only to install/start.
set -euo pipefail

PG_PORT=5432
NATS_PORT=4222
NATS_STORE=/var/lib/nats-server

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do listening "$port" && return 0; sleep 0.5; done
  echo "ensure-services: $name does not answer on 127.0.0.1:$port" >&2
  exit 1
}

apt_updated=
install_packages() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! listening "$PG_PORT"; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ensure-services: installing PostgreSQL from Debian's packages"
    install_packages postgresql
    # A fresh local cluster asks for passwords on TCP; Suivi's local defaults use trust on loopback.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    done
  fi
  echo "ensure-services: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  wait_for "$PG_PORT" PostgreSQL
fi

if ! listening "$NATS_PORT"; then
  if [ ! -x /usr/sbin/nats-server ]; then
    echo "ensure-services: installing nats-server from Debian's packages"
    install_packages nats-server
  fi
  echo "ensure-services: starting nats-server with JetStream"
  as_root mkdir -p "$NATS_STORE"
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$NATS_STORE" -l /var/log/nats-server.log
  wait_for "$NATS_PORT" NATS
fi
echo "ensure-services: PostgreSQL on 127.0.0.1:$PG_PORT and NATS on 127.0.0.1:$NATS_PORT are up"
