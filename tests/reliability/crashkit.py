"""Real kinlink installations for the crash tests: the `kinlink` command in a subprocess on a
SQLite file, or on a database of its own in the PostgreSQL cluster that tests/conftest.py starts
when KINLINK_TEST_DB=postgres."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

KINLINK = [sys.executable, "-m", "kinlink.cli"]
PASSWORD = "a-long-test-password"
PASSPHRASE = "crash-test-backup-passphrase"
FIELD_KEY = Fernet.generate_key().decode()
_DROPPED = ("DATABASE_URL", "KINLINK_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE", "KINLINK_FIELD_KEYS")
_names = itertools.count()

GIVEN = ["Ali", "Reza", "Sara", "Maryam", "حسین", "فاطمه", "Zahra", "Omid", "علی", "مریم"]
FAMILY = ["Rezaei", "Ahmadi", "Karimi", "موسوی", "Hosseini", "Jafari", "رضایی", "Moradi"]


@dataclass
class Site:
    """One kinlink installation: a data directory, and on PostgreSQL a database of its own."""

    data_dir: Path
    pg: dict | None = None  # host, port, name

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        env.update(
            KINLINK_DATA=str(self.data_dir),
            KINLINK_FIELD_KEYS=FIELD_KEY,
            KINLINK_BACKUP_PASSPHRASE=PASSPHRASE,
        )
        if self.pg:
            env["DATABASE_URL"] = (
                f"postgresql://postgres@{self.pg['host']}:{self.pg['port']}/{self.pg['name']}"
            )
        return env

    def command(self, args: tuple[str, ...]) -> list[str]:
        """`kinlink ARGS`, with {data} in an argument standing for this site's directory."""
        return KINLINK + [a.replace("{data}", str(self.data_dir)) for a in args]

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self.command(args),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if ok:
            assert result.returncode == 0, f"kinlink {' '.join(args)}: {result.stderr[-3000:]}"
        return result

    def kill_after(self, delay: float, *args: str) -> tuple[bool, float]:
        """Start `kinlink ARGS`, SIGKILL it after `delay` seconds. Returns whether it was
        killed (False: it ended first) and how long it ran."""
        log = (self.data_dir / "killed.log").open("ab")
        started = time.monotonic()
        process = subprocess.Popen(self.command(args), env=self.env(), stdout=log, stderr=log)
        log.close()
        try:
            process.wait(timeout=delay)
            return False, time.monotonic() - started
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True, time.monotonic() - started

    def rows(self, sql: str) -> list[tuple]:
        if self.pg:
            import psycopg

            with psycopg.connect(
                host=self.pg["host"], port=self.pg["port"], user="postgres", dbname=self.pg["name"]
            ) as connection:
                return [tuple(row) for row in connection.execute(sql).fetchall()]
        connection = sqlite3.connect(self.data_dir / "kinlink.sqlite3", timeout=30)
        try:
            return [tuple(row) for row in connection.execute(sql).fetchall()]
        finally:
            connection.close()

    def count(self, table: str) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608 (our own names)

    def copy(self, root: Path) -> Site:
        """A fresh installation holding what this one holds."""
        name = f"crash_{os.getpid()}_{next(_names)}"
        target = root / name
        shutil.copytree(self.data_dir, target, ignore=shutil.ignore_patterns("killed.log"))
        if not self.pg:
            return Site(target)
        pg_admin(self.pg, f'CREATE DATABASE "{name}" TEMPLATE "{self.pg["name"]}"')
        return Site(target, {**self.pg, "name": name})

    def audit_verifies(self) -> None:
        result = self.run("audit", "verify", ok=False)
        assert result.returncode == 0 and "intact" in result.stdout, result.stderr


def pg_admin(pg: dict, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=pg["host"], port=pg["port"], user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql)


def crash_fractions(seed: int) -> list[float]:
    """Kill moments as fractions of a run: one very early (start-up), two spread over the
    middle, one near the end; seeded so that a failure can be replayed."""
    rng = random.Random(seed)
    return [0.03, rng.uniform(0.3, 0.55), rng.uniform(0.55, 0.8), rng.uniform(0.82, 0.92)]


class Interrupter:
    """Kills `kinlink ARGS` on fresh copies of a site at fractions of how long a run takes.
    The machine's load changes how long that is; when a run ends before its kill, it is
    tried again (twice at most) on a fresh copy, timed by the run that just ended."""

    def __init__(self, template: Site, root: Path, seconds: float, *args: str):
        self.template, self.root, self.seconds, self.args = template, root, seconds, args
        self.interrupted = 0

    def run(self, fraction: float) -> Site:
        for _ in range(3):
            site = self.template.copy(self.root)
            killed, ran = site.kill_after(fraction * self.seconds, *self.args)
            if killed:
                break
            self.seconds = min(self.seconds, ran)
        self.interrupted += killed
        return site


def timed(site: Site, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = site.run(*args)
    return result, time.monotonic() - started


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
