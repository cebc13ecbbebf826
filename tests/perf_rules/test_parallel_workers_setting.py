"""KINLINK_PG_PARALLEL_WORKERS sets PostgreSQL's max_parallel_workers_per_gather for the
processes it is given to (`kinlink serve` on a small server); without it nothing changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
from django.db import connection

PRINT_OPTIONS = (
    "import json, kinlink.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS')))"
)


def _options(tmp_path, **env) -> dict | None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KINLINK_")}
    environ |= {"KINLINK_DATA": str(tmp_path), **env}
    out = subprocess.run(
        [sys.executable, "-c", PRINT_OPTIONS], env=environ, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_setting_reaches_the_postgresql_connection_options(tmp_path):
    url = "postgresql://kinlink@127.0.0.1:5432/kinlink"
    given = _options(tmp_path, DATABASE_URL=url, KINLINK_PG_PARALLEL_WORKERS="0")
    assert given["options"] == "-c max_parallel_workers_per_gather=0"
    assert "options" not in (_options(tmp_path, DATABASE_URL=url) or {})
    assert _options(tmp_path, KINLINK_PG_PARALLEL_WORKERS="0")["timeout"] == 20  # SQLite


def test_postgresql_applies_it(db):
    if connection.vendor != "postgresql":  # the SQLite run has nothing to apply it to
        assert connection.vendor == "sqlite"
        return
    params = connection.get_connection_params()
    params["options"] = "-c max_parallel_workers_per_gather=0"
    params.pop("cursor_factory", None)
    with psycopg.connect(**params) as conn:
        assert conn.execute("SHOW max_parallel_workers_per_gather").fetchone()[0] == "0"
