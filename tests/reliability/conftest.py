"""Fixtures of the crash tests: installations built once per session (crashkit.Site) and
copied for each run."""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crashkit import FAMILY, GIVEN, PASSWORD, Site, csv_text, pg_admin, timed


@dataclass
class World:
    root: Path
    empty: Site  # migrated, nothing else: what `kinlink restore` expects
    staff: Site  # and a caseworker
    enquiries: Site  # and open enquiries, imported without interruption
    enquiry_seconds: float  # how long that import took
    files: dict[str, Path]


@pytest.fixture(scope="session")
def crash_world(request, tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("crash")
    pg = None
    if os.environ.get("KINLINK_TEST_DB") == "postgres":
        request.getfixturevalue("django_db_modify_db_settings")
        from django.conf import settings

        db = settings.DATABASES["default"]
        pg = {"host": db["HOST"] or "127.0.0.1", "port": int(db["PORT"]), "name": "crash_base"}
        pg_admin(pg, 'CREATE DATABASE "crash_base"')
    rng = random.Random(7)
    files = {}
    enquiries = [
        [
            f"e{i}",
            rng.choice(GIVEN),
            rng.choice(FAMILY),
            rng.choice(GIVEN),
            str(rng.randint(1950, 2000)),
            rng.choice("MF"),
            rng.choice(GIVEN),
            rng.choice(FAMILY),
            "sibling",
        ]
        for i in range(12)
    ]
    files["enquiries"] = root / "enquiries.csv"
    files["enquiries"].write_text(
        csv_text(
            [
                *("id", "given_name", "family_name", "father_name", "birth_date", "gender"),
                *("enquirer_given_name", "enquirer_family_name", "relationship"),
            ],
            enquiries,
        ),
        encoding="utf-8",
    )
    persons = [
        [
            f"p{i}",
            rng.choice(GIVEN),
            rng.choice(FAMILY),
            rng.choice(GIVEN),
            str(rng.randint(1950, 2000)),
            rng.choice("MF"),
            "Tehran",
            f"+98 912 000 {i:04d}",
        ]
        for i in range(48)
    ]
    files["persons"] = root / "persons.csv"
    files["persons"].write_text(
        csv_text(
            [
                *("id", "given_name", "family_name", "father_name", "birth_date", "gender"),
                *("birth_place", "contact"),
            ],
            persons,
        ),
        encoding="utf-8",
    )
    files["requests"] = root / "requests.csv"
    files["requests"].write_text(
        csv_text(
            ["id", "given_name", "family_name", "father_name", "birth_date", "gender"],
            [[f"r{i}", *row[1:6]] for i, row in enumerate(persons[::3])],
        ),
        encoding="utf-8",
    )
    (root / "base").mkdir()
    base = Site(root / "base", pg)
    base.run("migrate")
    staff = base.copy(root)
    staff.run("createuser", "cw", "--role", "caseworker", "--password", PASSWORD)
    with_enquiries = staff.copy(root)
    _, seconds = timed(with_enquiries, "import", "enquiries", str(files["enquiries"]), "--as", "cw")
    return World(root, base, staff, with_enquiries, seconds, files)


@pytest.fixture(scope="session")
def imported(crash_world) -> tuple[Site, float]:
    """The persons file imported without interruption (the reference), and how long it took."""
    site = crash_world.enquiries.copy(crash_world.root)
    _, seconds = timed(site, "import", "persons", str(crash_world.files["persons"]), "--as", "cw")
    return site, seconds
