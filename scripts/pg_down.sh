#!/bin/bash
# Stop and remove a cluster made by pg_up.sh: pg_down.sh PGTMP
set -euo pipefail
PGBIN=$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi
"${AS[@]}" "$PGBIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null || true
rm -rf "$1"
