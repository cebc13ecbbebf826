"""Shared fixtures. With KINLINK_TEST_DB=postgres the suite runs on a real PostgreSQL server
started here in a temporary directory (scripts/pg_up.sh) and removed afterwards."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Timing belongs to the benchmarks, not to the tests: on a busy 2-core CI machine an example
# may take longer than Hypothesis's 200 ms deadline, or its data longer to generate, and a
# timing failure says nothing about correctness.
settings.register_profile("kinlink", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kinlink")

PASSWORD = "a-long-test-password"
ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("KINLINK_DATA", tempfile.mkdtemp(prefix="kinlink-test-data-"))
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API beside live_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    if os.environ.get("KINLINK_TEST_DB") != "postgres":
        yield
        return
    from django.conf import settings

    out = subprocess.run(
        [str(ROOT / "scripts" / "pg_up.sh")], check=True, capture_output=True, text=True
    ).stdout
    values = dict(line.split("=", 1) for line in out.split())
    settings.DATABASES["default"].update(HOST="127.0.0.1", PORT=values["PGPORT"])
    try:
        yield
    finally:
        subprocess.run([str(ROOT / "scripts" / "pg_down.sh"), values["PGTMP"]], check=False)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("KINLINK_CHROMIUM", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _fresh_field_key_cache():
    from kinlink.audit import crypto

    crypto.reset_cache()
    yield


@pytest.fixture
def make_user(db):
    from kinlink.accounts import services

    def make(username: str, role: str, team: str | None = None, password: str = PASSWORD):
        team_obj = services.team_named(team) if team else None
        return services.create_user(username=username, password=password, role=role, team=team_obj)

    return make


@pytest.fixture
def verified_client(client):
    """Log a two-factor user in through the real TOTP flow."""
    from django_otp.oath import totp

    from kinlink.accounts.services import pending_totp_device

    def login(user):
        client.force_login(user)
        device = pending_totp_device(user)
        code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
        response = client.post("/en/accounts/two-factor/", {"token": code})
        assert response.status_code == 302, response.content[:500]
        return client

    return login


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory):
    """One `kinlink demo --no-serve` data directory per test session, built by a real process."""
    import sys

    data_dir = tmp_path_factory.mktemp("demo-data")
    dropped = ("DATABASE_URL", "KINLINK_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment["KINLINK_DATA"] = str(data_dir)
    subprocess.run(
        [sys.executable, "-m", "kinlink.cli", "demo", "--no-serve"],
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data_dir


@pytest.fixture
def demo_copy(demo_data_dir, tmp_path):
    """A private copy of the session's demo data directory, free to change."""
    import shutil

    target = tmp_path / "demo"
    shutil.copytree(demo_data_dir, target)
    return target
