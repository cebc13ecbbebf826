"""The `kinlink` command as an operator runs it: a real process, a real data directory."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

KINLINK = [sys.executable, "-m", "kinlink.cli"]
SUBCOMMANDS = [
    ["demo"],
    ["demo-otp"],
    ["serve"],
    ["migrate"],
    ["createuser"],
    ["check"],
    ["audit"],
    ["audit", "verify"],
    ["keys"],
    ["worker"],
    ["link"],
    ["import"],
    ["export"],
    ["evidence", "verify"],
    ["backup"],
    ["restore"],
    ["keys", "rotate"],
]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The operator's environment: no test-only database switches."""
    dropped = ("DATABASE_URL", "KINLINK_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(KINLINK_DATA=str(data_dir), **extra)
    return environment


def _run(args, data_dir: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        KINLINK + args,
        capture_output=True,
        text=True,
        env=_env(data_dir, **env),
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(args, tmp_path):
    result = _run([*args, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: kinlink" in result.stdout


def test_demo_loads_users_for_every_role_and_prints_their_logins(tmp_path):
    result = _run(["demo", "--no-serve"], tmp_path)
    assert result.returncode == 0, result.stderr
    for role in ["Caseworker", "Supervisor", "Data-protection officer", "Administrator", "Analyst"]:
        assert role in result.stdout
    assert "http://127.0.0.1:8000/" in result.stdout
    assert (tmp_path / "kinlink.sqlite3").exists()
    assert _run(["audit", "verify"], tmp_path).returncode == 0
    code = _run(["demo-otp", "admin"], tmp_path)
    assert code.returncode == 0 and len(code.stdout.strip()) == 6


def test_demo_starts_again_from_a_fresh_database(tmp_path):
    assert _run(["demo", "--no-serve"], tmp_path).returncode == 0
    assert (
        _run(
            ["createuser", "extra", "--role", "analyst", "--password", "x-long-password-1"],
            tmp_path,
        ).returncode
        == 0
    )
    again = _run(["demo", "--no-serve"], tmp_path)
    assert again.returncode == 0, again.stderr
    duplicate = _run(
        ["createuser", "extra", "--role", "analyst", "--password", "x-long-password-1"], tmp_path
    )
    assert duplicate.returncode == 0, "the second demo should have started from an empty database"


def test_worker_runs_the_daily_jobs_once(demo_copy):
    result = _run(["worker", "--once"], demo_copy)
    assert result.returncode == 0, result.stderr
    assert "cases_reminders" in result.stdout and "apply_retention" in result.stdout


def test_worker_names_a_malformed_time_of_day(tmp_path):
    result = _run(["worker", "--at", "25:00"], tmp_path)
    assert result.returncode == 2 and "--at" in result.stderr


def test_createuser_names_the_field_of_a_bad_value(tmp_path):
    assert _run(["migrate"], tmp_path).returncode == 0
    weak = _run(["createuser", "sara", "--role", "caseworker", "--password", "123"], tmp_path)
    assert weak.returncode == 2 and "password:" in weak.stderr
    ok = _run(
        ["createuser", "sara", "--role", "caseworker", "--password", "a-long-password-9"], tmp_path
    )
    assert ok.returncode == 0
    again = _run(
        ["createuser", "sara", "--role", "caseworker", "--password", "a-long-password-9"], tmp_path
    )
    assert again.returncode == 2 and "username:" in again.stderr


def test_check_deploy_reports_unsafe_defaults_and_passes_a_hardened_setup(tmp_path):
    unsafe = _run(["check", "--deploy"], tmp_path)
    assert unsafe.returncode == 1
    for finding in ["security.W004", "security.W012", "kinlink.W001", "kinlink.W002"]:
        assert finding in unsafe.stderr
    hardened = _run(
        ["check", "--deploy"],
        tmp_path,
        KINLINK_HTTPS="1",
        KINLINK_FIELD_KEYS=Fernet.generate_key().decode(),
        KINLINK_SECRET_KEY="x" * 60 + "-not-a-default-key-0123456789",
        DATABASE_URL="postgresql://kinlink@db.invalid/kinlink",
    )
    assert hardened.returncode == 0, hardened.stderr


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    assert _run(["check"], tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"
    _run(["check"], tmp_path)
    assert key_file.read_text() == first


def test_a_malformed_field_key_is_a_clear_error(tmp_path):
    result = _run(["check"], tmp_path, KINLINK_FIELD_KEYS="not-a-key")
    assert result.returncode == 1
    assert "KINLINK_FIELD_KEYS" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serves_the_login_page_with_security_headers(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [*KINLINK, "demo", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/en/accounts/login/"
                ) as response:
                    body, headers = response.read().decode(), response.headers
                break
            except OSError:
                assert server.poll() is None, "the demo server exited"
                assert time.monotonic() < deadline, "the demo did not start within 60 s"
                time.sleep(0.3)
        assert 'name="password"' in body
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_to_start_with_a_wrong_field_key(demo_copy):
    tmp_path = demo_copy
    result = _run(
        ["serve", "--port", str(_free_port())],
        tmp_path,
        KINLINK_FIELD_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 1
    assert "kinlink.E002" in result.stderr


def test_keys_rotate_reencrypts_the_demo_and_the_new_key_alone_then_reads_it(demo_copy):
    tmp_path = demo_copy
    old = (tmp_path / "field_keys").read_text().strip()
    new = _run(["keys", "new"], tmp_path).stdout.strip()
    rotated = _run(["keys", "rotate"], tmp_path, KINLINK_FIELD_KEYS=f"{new},{old}")
    assert rotated.returncode == 0, rotated.stderr
    rewritten = int(re.search(r"re-encrypted (\d+) values", rotated.stdout).group(1))
    # at least every demo person's contact and location, plus accounts, passages and the rest
    assert rewritten >= 480
    assert _run(["check"], tmp_path, KINLINK_FIELD_KEYS=new).returncode == 0
    assert _run(["check"], tmp_path, KINLINK_FIELD_KEYS=old).returncode == 1


def test_link_runs_at_a_lower_cpu_priority_and_names_a_bad_nice_value(tmp_path):
    """A batch linkage yields the CPU to the web processes on the same machine."""
    probe = (
        "import os, sys; from kinlink.cli import lower_priority; "
        "before = os.nice(0); after = lower_priority(10); print(before, after)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    before, after = map(int, result.stdout.split())
    assert after == min(19, before + 10)
    requests = tmp_path / "requests.csv"
    requests.write_text("id,given_name,family_name\nR1,Hossein,Mousavi\n", encoding="utf-8")
    registry = tmp_path / "registry.csv"
    registry.write_text("id,given_name,family_name\nP1,حسین,موسوی\n", encoding="utf-8")
    bad = _run(["link", str(requests), "--registry", str(registry), "--nice", "25"], tmp_path)
    assert bad.returncode == 2
    assert "--nice 25" in bad.stderr
    good = _run(["link", str(requests), "--registry", str(registry), "--nice", "5"], tmp_path)
    assert good.returncode == 0, good.stderr
    assert "R1,P1,1," in good.stdout


def test_link_progress_starts_the_bar_afresh_only_when_the_stage_changes():
    import io

    from tqdm import tqdm

    from kinlink.cli import stage_progress

    out = io.StringIO()
    bar = tqdm(file=out, mininterval=0, miniters=1)
    progress = stage_progress(bar)
    for done in (0, 250, 500, 750, 1000):
        progress("registry features", done, 1000)
    assert bar.n == 1000 and bar.total == 1000
    progress("scoring", 0, 40)
    progress("scoring", 10, 40)
    assert (bar.n, bar.total) == (10, 40)
    bar.close()
    text = out.getvalue()
    # one start at 0% per stage, never again within a stage
    assert text.count("registry features:   0%") == 1
    assert "registry features: 100%" in text and "scoring:  25%" in text
