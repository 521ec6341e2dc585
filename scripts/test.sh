#!/usr/bin/env bash
# The whole suite: on SQLite, then on PostgreSQL (a throwaway cluster), browser tests included.
# On a laptop, a missing PostgreSQL or Chromium is skipped with a notice; with SQDJ_REQUIRE_PG=1 /
# SQDJ_REQUIRE_BROWSER=1 (set by CI) it is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin
status=0
# test processes (pytest-xdist): one per core unless said otherwise — CI's two cores halve the wall time; each
# process has its own test database (SQLite file, PostgreSQL database)
WORKERS=${SQDJ_TEST_WORKERS:-auto}

echo "== tests on SQLite =="
$PY/pytest -n "$WORKERS" "$@" || status=1

echo "== tests on PostgreSQL =="
scripts/with-postgres.sh $PY/pytest -n "$WORKERS" -m "not e2e" "$@"
pg=$?
if [ $pg = 3 ]; then
  if [ "${SQDJ_REQUIRE_PG:-0}" = 1 ]; then
    echo "FAIL: PostgreSQL is required (SQDJ_REQUIRE_PG=1) but its server binaries are missing" >&2
    status=1
  else
    echo "NOTICE: PostgreSQL server binaries not found: the PostgreSQL run was skipped" >&2
  fi
elif [ $pg != 0 ]; then
  status=1
fi
exit $status
