#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster started from the server binaries on this machine.
# Usage: scripts/with-postgres.sh COMMAND...   (DATABASE_URL is set for the command; the cluster is removed after)
# Exit 3 when no PostgreSQL server binaries are found.
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/$name" ] && { echo "$d/$name"; return; }
  done
  return 1
}

INITDB=$(find_bin initdb) || { echo "PostgreSQL server binaries (initdb) not found" >&2; exit 3; }
PG_CTL=$(find_bin pg_ctl) || { echo "PostgreSQL server binaries (pg_ctl) not found" >&2; exit 3; }
CREATEDB=$(find_bin createdb) || { echo "PostgreSQL client binaries (createdb) not found" >&2; exit 3; }

# a free port chosen by the kernel unless SQDJ_PG_PORT says which (two runs at once must not collide)
PORT=${SQDJ_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DATA=$(mktemp -d /tmp/sqdj-pg-data.XXXXXX)
SOCK=$(mktemp -d /tmp/sqdj-pg-sock.XXXXXX)
AS=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: run the cluster as the postgres system user
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DATA" "$SOCK"
  AS=(runuser -u postgres --)
fi

cleanup() {
  "${AS[@]}" "$PG_CTL" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA" "$SOCK"
}
trap cleanup EXIT

"${AS[@]}" "$INITDB" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
# the settings recommended for a deployment (docs/operations.md), so that benchmarks measure what a user gets
cp "$(dirname "$0")/postgresql-sqdj.conf" "$DATA/sqdj.conf"
echo "include 'sqdj.conf'" >> "$DATA/postgresql.conf"
"${AS[@]}" "$PG_CTL" -D "$DATA" -l "$DATA/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null

"$CREATEDB" -h 127.0.0.1 -p "$PORT" -U postgres sqdj
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/sqdj"
"$@"
