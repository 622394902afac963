#!/usr/bin/env bash
# Makes sure PostgreSQL and NATS (with JetStream) run on this machine, installing Debian's
# packages on a fresh one. Idempotent: does nothing when both already answer.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432
NATS_PORT=4222
apt_updated=0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  echo "services: nothing answers on port $1" >&2
  return 1
}

pg_cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -1; }

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(pg_cluster_version)" ]; then
    echo "services: installing PostgreSQL"
    apt_install postgresql postgresql-contrib
  fi
  local version hba
  version=$(pg_cluster_version)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # local development logs in as postgres over TCP without a password
  if ! as_root grep -q '^# barber: trust local TCP' "$hba"; then
    as_root sed -i '1i # barber: trust local TCP logins for development and tests\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    if port_open "$PGPORT"; then as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload; fi
  fi
  if ! port_open "$PGPORT"; then
    echo "services: starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  wait_for_port "$PGPORT"
  for _ in $(seq 1 30); do
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "services: PostgreSQL does not accept postgres@127.0.0.1" >&2
  return 1
}

ensure_nats() {
  if port_open "$NATS_PORT"; then return 0; fi
  if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
    echo "services: installing nats-server"
    apt_install nats-server
  fi
  local bin
  bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  as_root mkdir -p /var/lib/nats-server /var/log
  echo "services: starting nats-server with JetStream"
  as_root start-stop-daemon --start --oknodo --background --exec "$bin" -- \
    -a 127.0.0.1 -p "$NATS_PORT" -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_for_port "$NATS_PORT"
}

if ! command -v psql >/dev/null; then apt_install postgresql-client; fi
ensure_postgres
ensure_nats
echo "services: PostgreSQL on $PGHOST:$PGPORT, NATS on 127.0.0.1:$NATS_PORT"
