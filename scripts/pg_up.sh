#!/bin/bash
# Start a throwaway PostgreSQL cluster under a temp directory; print PGTMP and PGPORT.
# PostgreSQL refuses to run as root, so the server runs as the `postgres` system user.
# PG_UP_OPTIONS: more server options, e.g. "-c shared_buffers=4GB" (bench/large_registry.py).
set -euo pipefail
PGBIN=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGTMP=$(mktemp -d /tmp/kinlink-pg.XXXXXX)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGTMP"; AS=(runuser -u postgres --)
else
  AS=()
fi
"${AS[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log"
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w \
  -o "-p $PORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_UP_OPTIONS:-}" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres kinlink_test
echo "PGTMP=$PGTMP"
echo "PGPORT=$PORT"
