#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback, run the given command with
# TEST_DATABASE_URL pointing at it, then stop the server and remove its data.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# Below the kernel's ephemeral range (32768 and up): a client socket of an earlier load test, lingering in
# TIME_WAIT, can then never hold the port the server needs.
PGPORT=${PGPORT:-25432}
PGDATA=$(mktemp -d /tmp/jdz-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGDATA"
  AS=(runuser -u postgres --)
else
  AS=()
fi
stop() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
}
trap stop EXIT
"${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N >/dev/null
for attempt in 1 2 3 4 5; do  # a port taken by something else: try the next one
  if "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off" start >/dev/null; then
    break
  fi
  if [ "$attempt" = 5 ]; then
    tail -5 "$PGDATA/server.log" >&2
    exit 1
  fi
  PGPORT=$((PGPORT + 1))
done
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE jindianzi_test" >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/jindianzi_test"
export TEST_DATABASE_ADMIN_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
"$@"
