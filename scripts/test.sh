#!/bin/bash
# Install everything the tests need, then run lint and the whole suite on SQLite and on a
# throwaway PostgreSQL server (started and removed by tests/conftest.py), browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh test,spark,bench

export KINLINK_DATA
KINLINK_DATA=$(mktemp -d /tmp/kinlink-test-data.XXXXXX)
trap 'rm -rf "$KINLINK_DATA"' EXIT
export SPARK_LOCAL_IP=127.0.0.1 PYTHONDONTWRITEBYTECODE=1

echo "== lint (ruff)"
.venv/bin/ruff check kinlink tests bench
.venv/bin/ruff format --check kinlink tests bench

echo "== tests on SQLite"
.venv/bin/python -m pytest -q "$@"

echo "== tests on PostgreSQL"
KINLINK_TEST_DB=postgres .venv/bin/python -m pytest -q "$@"
