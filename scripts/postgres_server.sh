#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: no mock of the server anywhere.
#
#   postgres_server.sh start          initdb a cluster in a new temp dir, start it on a Unix
#                                     socket in that dir (no TCP), and print the environment the
#                                     tests read, as shell `export` lines (eval them):
#                                       SEALSTATE_TEST_POSTGRES      the backend spec
#                                       SEALSTATE_TEST_POSTGRES_DIR  the cluster's dir
#                                       SEALSTATE_TEST_POSTGRES_CTL  this script
#   postgres_server.sh crash DIR      pg_ctl stop -m immediate (what a power cut does to clients)
#   postgres_server.sh restart DIR    starts the (crashed or stopped) cluster again
#   postgres_server.sh stop DIR       stops the cluster and removes DIR
#
# PostgreSQL refuses to run as root (CI runs as root): then the cluster runs as the unprivileged
# user "postgres" (Debian's package creates it), created as a system user when missing. The
# cluster trusts local socket connections (it is reachable only through its private dir).
set -euo pipefail

pg_bin="${SEALSTATE_PG_BIN:-/usr/lib/postgresql/15/bin}"
server_user="postgres"

# Runs a command as the server's user (as is when not root).
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$server_user" -- "$@"
  else
    "$@"
  fi
}

ensure_server_user() {
  if [ "$(id -u)" -eq 0 ] && ! id "$server_user" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$server_user"
  fi
}

start_cluster() {
  local dir="$1"
  as_server_user "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -c listen_addresses= -c max_connections=200 -c fsync=on -c recovery_init_sync_method=syncfs" start >/dev/null
}

case "${1:-}" in
  start)
    ensure_server_user
    dir="$(mktemp -d /tmp/sealstate-pg.XXXXXX)"
    chmod 0700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$dir"; fi
    as_server_user "$pg_bin/initdb" -D "$dir/data" -U sealstate --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    start_cluster "$dir" || { cat "$dir/server.log" >&2; exit 1; }
    # Clients of other users reach the socket: the dir is the only way in.
    chmod 0711 "$dir"
    echo "export SEALSTATE_TEST_POSTGRES='postgres://sealstate@/postgres?host=$dir'"
    echo "export SEALSTATE_TEST_POSTGRES_DIR='$dir'"
    echo "export SEALSTATE_TEST_POSTGRES_CTL='$(cd "$(dirname "$0")" && pwd)/$(basename "$0")'"
    ;;
  crash)
    as_server_user "$pg_bin/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null
    ;;
  restart)
    start_cluster "$2"
    ;;
  stop)
    dir="${2:?usage: postgres_server.sh stop DIR}"
    case "$dir" in /tmp/sealstate-pg.*) ;; *) echo "postgres_server.sh: refusing to remove $dir" >&2; exit 2 ;; esac
    if [ -d "$dir/data" ]; then
      as_server_user "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres_server.sh start | crash DIR | restart DIR | stop DIR" >&2
    exit 2
    ;;
esac
