"""`kinlink import` / `kinlink export` / `kinlink evidence verify` in real processes."""

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

KINLINK = [sys.executable, "-m", "kinlink.cli"]


def _run(args, data_dir: Path) -> subprocess.CompletedProcess:
    dropped = ("DATABASE_URL", "KINLINK_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["KINLINK_DATA"] = str(data_dir)
    return subprocess.run(
        KINLINK + args, capture_output=True, text=True, env=env, timeout=300, check=False
    )


PERSONS = (
    "id,given_name,family_name,father_name,birth_date,gender,birth_place,contact\n"
    "x1,حسین,موسوی,رضا,1344,M,اهواز,+355 69 000 1111\n"
    "x2,Fereshteh,Karimi,,1970-02-30,F,Tehran,\n"
    "x3,Yeganeh,Ahmadi,,1981,F,Tabriz,\n"
)


def test_import_reports_bad_rows_keeps_the_rest_and_can_run_again(demo_copy, tmp_path):
    source = tmp_path / "persons.csv"
    source.write_text(PERSONS, encoding="utf-8")
    preview = _run(["import", "persons", str(source), "--as", "sara", "--preview"], demo_copy)
    assert preview.returncode == 0, preview.stderr
    assert "would import 2 persons" in preview.stdout
    assert "line 3, birth_date" in preview.stderr
    first = _run(["import", "persons", str(source), "--as", "sara"], demo_copy)
    assert first.returncode == 0 and "imported 2 persons" in first.stdout
    again = _run(["import", "persons", str(source), "--as", "sara"], demo_copy)
    assert "imported 0 persons; 2 imported before" in again.stdout


def test_import_refuses_a_role_that_does_not_work_on_records(demo_copy, tmp_path):
    source = tmp_path / "persons.csv"
    source.write_text(PERSONS, encoding="utf-8")
    result = _run(["import", "persons", str(source), "--as", "analyst"], demo_copy)
    assert result.returncode == 2 and "--as analyst" in result.stderr


def test_export_writes_the_caseload_without_contact_or_location(demo_copy, tmp_path):
    out = tmp_path / "caseload.csv"
    result = _run(["export", str(out), "--as", "sara"], demo_copy)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows
    text = out.read_text(encoding="utf-8-sig")
    assert "+355" not in text and "+98" not in text and "Durres, Albania" not in text


def test_evidence_verify_fails_on_a_bundle_with_a_changed_file(tmp_path, demo_copy):
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("accounts/a.txt", "not a real bundle")
    result = _run(["evidence", "verify", str(bundle)], demo_copy)
    assert result.returncode == 1 and "bundle broken" in result.stderr
