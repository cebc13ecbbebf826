"""`kinlink link` as documented in the README, in a real process."""

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

KINLINK = [sys.executable, "-m", "kinlink.cli", "link"]
HEADER = (
    "id,given_name,family_name,father_name,mother_name,birth_date,birth_year,gender,birth_place\n"
)


def _run(args, data_dir: Path) -> subprocess.CompletedProcess:
    dropped = ("DATABASE_URL", "KINLINK_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["KINLINK_DATA"] = str(data_dir)
    return subprocess.run(
        KINLINK + args, capture_output=True, text=True, env=env, timeout=300, check=False
    )


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_link_finds_the_persian_record_for_a_latin_enquiry_and_reports_a_bad_row(tmp_path):
    requests, registry, out = tmp_path / "req.csv", tmp_path / "reg.csv", tmp_path / "out.csv"
    requests.write_text(
        "\ufeff"
        + HEADER
        + "r1,Husain,Mousavi,Reza,,1965,,M,Ahwaz\n"
        + "r2,Maryam,Karimi,,,,1344,F,\n"
        + "r3,Leila,Nouri,,,19x5,,F,\n",
        encoding="utf-8",
    )
    registry.write_text(
        HEADER
        + "p1,حسین,موسوی,رضا,,1344,,M,اهواز\n"
        + "p2,Hossein,Mousavi,Ali,,1980,,M,Tehran\n"
        + "p3,مریم,کریمی,,,1965-04-02,,F,\n"
        + "p4,Hosein,Musavi,Reza,,1971,,M,Tabriz\n",
        encoding="utf-8",
    )
    result = _run(
        [str(requests), "--registry", str(registry), "--top", "3", "--out", str(out)], tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "line 4, birth_date" in result.stderr
    rows = _rows(out)
    assert list(rows[0]) == ["request_id", "person_id", "rank", "score", "explanation"]
    best = {r["request_id"]: r for r in rows if r["rank"] == "1"}
    assert best["r1"]["person_id"] == "p1" and float(best["r1"]["score"]) >= 0.9
    assert "same in another script" in best["r1"]["explanation"]
    assert best["r2"]["person_id"] == "p3"
    assert "r3" not in {r["request_id"] for r in rows}
    assert max(int(r["rank"]) for r in rows) <= 3


def test_link_without_a_registry_uses_the_persons_in_the_database(demo_copy, tmp_path):
    requests, out = tmp_path / "req.csv", tmp_path / "out.csv"
    requests.write_text(HEADER + "q1,Masoud,Nouri,,,,,M,\n", encoding="utf-8")
    result = _run([str(requests), "--out", str(out), "--threshold", "0.0"], demo_copy)
    assert result.returncode == 0, result.stderr
    rows = _rows(out)
    assert rows and all(r["person_id"].isdigit() for r in rows)
    with sqlite3.connect(demo_copy / "kinlink.sqlite3") as db:
        persons = db.execute(
            "SELECT COUNT(*) FROM people_person WHERE merged_into_id IS NULL"
        ).fetchone()[0]
    assert f"against {persons} persons" in result.stderr


def test_link_names_a_bad_parameter(tmp_path):
    requests = tmp_path / "req.csv"
    requests.write_text(HEADER, encoding="utf-8")
    result = _run([str(requests), "--registry", str(requests), "--threshold", "1.5"], tmp_path)
    assert result.returncode == 2 and "--threshold" in result.stderr
    missing = _run([str(tmp_path / "nope.csv"), "--registry", str(requests)], tmp_path)
    assert missing.returncode == 2 and "nope.csv" in missing.stderr


def test_link_on_one_thread_gives_the_same_rows_and_names_a_bad_thread_count(tmp_path):
    requests, registry = tmp_path / "req.csv", tmp_path / "reg.csv"
    requests.write_text(HEADER + "r1,Husain,Mousavi,Reza,,1965,,M,Ahwaz\n", encoding="utf-8")
    registry.write_text(
        HEADER + "p1,حسین,موسوی,رضا,,1344,,M,اهواز\np2,Hossein,Mousavi,Ali,,1980,,M,Tehran\n",
        encoding="utf-8",
    )
    outs = []
    for extra in ([], ["--threads", "1"]):
        out = tmp_path / f"out{len(outs)}.csv"
        result = _run(
            [str(requests), "--registry", str(registry), "--out", str(out), *extra], tmp_path
        )
        assert result.returncode == 0, result.stderr
        outs.append(_rows(out))
    assert outs[0] == outs[1] and outs[0][0]["person_id"] == "p1"
    bad = _run([str(requests), "--registry", str(registry), "--threads", "0"], tmp_path)
    assert bad.returncode == 2 and "--threads 0" in bad.stderr
    spark = _run(
        [str(requests), "--registry", str(registry), "--backend", "spark", "--threads", "2"],
        tmp_path,
    )
    assert spark.returncode == 2 and "--threads" in spark.stderr
