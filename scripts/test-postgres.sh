#!/usr/bin/env bash
# A throwaway PostgreSQL server for the storage tests: loopback only, fixed uncommon port, data in a temp directory.
#   scripts/test-postgres.sh start   # prints the connection string (export it as MCP_GATEWAY_TEST_POSTGRES)
#   scripts/test-postgres.sh stop    # stops the server and deletes its data
set -euo pipefail

port=${MCP_GATEWAY_TEST_POSTGRES_PORT:-55432}
data_dir=${MCP_GATEWAY_TEST_POSTGRES_DIR:-/tmp/mcp-gateway-test-postgres}
role=mcp_gateway_test
password=mcp_gateway_test

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

# initdb and postgres refuse to run as root; run them as the postgres user (created by the Debian package).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin
  bin=$(bin_dir)
  if [ -f "$data_dir/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
    echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=postgres"
    return
  fi

  rm -rf "$data_dir"
  mkdir -p "$data_dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data_dir"
  chmod 700 "$data_dir"
  as_postgres "$bin/initdb" -D "$data_dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-instructions >/dev/null
  # Loopback only; the socket lives in the data dir so the server needs no access to /var/run/postgresql.
  as_postgres "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir -c fsync=off" start >/dev/null
  as_postgres "$bin/psql" -h "$data_dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'" >/dev/null
  echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=postgres"
}

stop() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$bin" ] && [ -f "$data_dir/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$data_dir" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$data_dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
