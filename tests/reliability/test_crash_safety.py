"""An import, a batch linkage and a restore killed with SIGKILL at seeded random moments leave
the database consistent, and running the same command again ends exactly where an uninterrupted
run ends, without duplicates. Real `kinlink` processes on a real SQLite file, or on PostgreSQL
with KINLINK_TEST_DB=postgres."""

from __future__ import annotations

from crashkit import Interrupter, crash_fractions, timed


def _imported_state(site) -> dict[str, list[tuple]]:
    """What an import of persons leaves, independent of generated references and row ids."""
    return {
        "names": site.rows(
            "SELECT p.external_id, n.kind, n.given_name, n.family_name, n.father_name "
            "FROM people_person p JOIN people_personname n ON n.person_id = p.id "
            "ORDER BY 1, 2, 3, 4, 5"
        ),
        "keys": site.rows(
            "SELECT p.external_id, k.key FROM people_person p "
            "JOIN tracing_personkey k ON k.person_id = p.id ORDER BY 1, 2"
        ),
        "candidates": [
            (enquiry, person, rank, round(score, 9), decision)
            for enquiry, person, rank, score, decision in site.rows(
                "SELECT e.external_id, p.external_id, c.rank, c.score, c.decision "
                "FROM tracing_candidate c JOIN tracing_enquiry e ON e.id = c.enquiry_id "
                "JOIN people_person p ON p.id = c.person_id ORDER BY 1, 2, 3, 4"
            )
        ],
        "notifications": site.rows("SELECT COUNT(*) FROM tracing_notification"),
    }


def _assert_no_partial_person(site) -> list[str]:
    """Every person has a name, search keys and a first version; no id twice. Returns the
    imported ids."""
    for table, column in (
        ("people_personname", "person_id"),
        ("tracing_personkey", "person_id"),
        ("people_personversion", "person_id"),
    ):
        orphans = site.rows(
            f"SELECT p.external_id FROM people_person p WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {table} x WHERE x.{column} = p.id)"
        )
        assert orphans == [], f"persons without rows in {table}: {orphans}"
    twice = site.rows(
        "SELECT external_id FROM people_person WHERE external_id <> '' "
        "GROUP BY external_id HAVING COUNT(*) > 1"
    )
    assert twice == [], f"imported twice: {twice}"
    return [row[0] for row in site.rows("SELECT external_id FROM people_person") if row[0]]


def test_an_import_killed_at_any_moment_resumes_to_the_same_end_without_duplicates(
    crash_world, imported
):
    reference, seconds = imported
    expected = _imported_state(reference)
    persons = crash_world.files["persons"]
    assert len({row[0] for row in expected["names"]}) == 48 + 1  # and the enquirers ('')
    assert expected["candidates"], "the import should have matched persons to open enquiries"
    kills = Interrupter(
        crash_world.enquiries,
        crash_world.root,
        seconds,
        *("import", "persons", str(persons), "--as", "cw"),
    )
    for fraction in crash_fractions(11):
        site = kills.run(fraction)
        ids = _assert_no_partial_person(site)
        # Rows are committed one by one, in file order: what is there is a prefix of the file.
        done = sorted(int(i[1:]) for i in ids if i.startswith("p"))
        assert done == list(range(len(done))), f"killed at {fraction:.2f} of a run: rows {done}"
        site.audit_verifies()
        again = site.run("import", "persons", str(persons), "--as", "cw")
        assert f"{len(done)} imported before" in again.stdout, again.stdout
        _assert_no_partial_person(site)
        assert _imported_state(site) == expected, f"killed at {fraction:.2f} of a run"
    site.audit_verifies()  # after the last re-run too
    assert kills.interrupted >= 3, "the kill moments should fall inside the runs"


def _enquiries_state(site) -> dict[str, list[tuple]]:
    return {
        "enquiries": site.rows(
            "SELECT e.external_id, e.sought_given_name, e.sought_family_name, e.status, "
            "n.given_name, n.family_name FROM tracing_enquiry e "
            "JOIN people_personname n ON n.person_id = e.enquirer_id ORDER BY 1"
        ),
        "keys": site.rows(
            "SELECT e.external_id, k.key FROM tracing_enquiry e "
            "JOIN tracing_enquirykey k ON k.enquiry_id = e.id ORDER BY 1, 2"
        ),
        "status changes": site.rows(
            "SELECT e.external_id, s.to_status FROM tracing_enquiry e "
            "JOIN tracing_statuschange s ON s.enquiry_id = e.id ORDER BY 1, 2"
        ),
        "candidates": site.rows(
            "SELECT e.external_id, COUNT(*) FROM tracing_candidate c "
            "JOIN tracing_enquiry e ON e.id = c.enquiry_id GROUP BY e.external_id ORDER BY 1"
        ),
    }


def test_an_enquiry_import_killed_at_any_moment_leaves_no_enquirer_without_enquiry(crash_world):
    expected = _enquiries_state(crash_world.enquiries)
    assert len(expected["enquiries"]) == 12 and expected["keys"]
    enquiries = str(crash_world.files["enquiries"])
    kills = Interrupter(
        crash_world.staff,
        crash_world.root,
        crash_world.enquiry_seconds,
        *("import", "enquiries", enquiries, "--as", "cw"),
    )
    for fraction in crash_fractions(14):
        site = kills.run(fraction)
        _assert_no_partial_person(site)
        # The enquirer is created in the enquiry's own transaction: never one without the other.
        assert site.rows(
            "SELECT COUNT(*) FROM people_person p WHERE NOT EXISTS "
            "(SELECT 1 FROM tracing_enquiry e WHERE e.enquirer_id = p.id)"
        ) == [(0,)]
        ids = site.rows("SELECT external_id FROM tracing_enquiry")
        done = sorted(int(row[0][1:]) for row in ids)
        assert done == list(range(len(done))), f"killed at {fraction:.2f} of a run: rows {done}"
        site.audit_verifies()
        again = site.run("import", "enquiries", enquiries, "--as", "cw")
        assert f"{len(done)} imported before" in again.stdout, again.stdout
        assert _enquiries_state(site) == expected, f"killed at {fraction:.2f} of a run"
    site.audit_verifies()
    assert kills.interrupted >= 3, "the kill moments should fall inside the runs"


def test_a_linkage_killed_at_any_moment_leaves_no_partial_output_and_reruns_the_same(
    crash_world, imported
):
    registry, _ = imported
    requests = str(crash_world.files["requests"])
    first = registry.copy(crash_world.root)
    out = first.data_dir / "links.csv"
    _, seconds = timed(first, "link", requests, "--out", str(out))
    expected = out.read_bytes()
    assert expected.count(b"\n") > 16
    exports = "SELECT COUNT(*) FROM audit_entry WHERE object_type = 'matching.link'"
    kills = Interrupter(
        registry, crash_world.root, seconds, "link", requests, "--out", "{data}/links.csv"
    )
    for fraction in crash_fractions(12):
        site = kills.run(fraction)
        out = site.data_dir / "links.csv"
        audited = site.rows(exports)[0][0]
        if out.exists():
            assert out.read_bytes() == expected, f"killed at {fraction:.2f}: a partial file"
            assert audited == 1, "an output file appeared without its audit entry"
        assert audited <= 1
        site.audit_verifies()
        site.run("link", requests, "--out", str(out))
        assert out.read_bytes() == expected, f"killed at {fraction:.2f} of a run"
        assert not out.with_name("links.csv.partial").exists()
        assert site.rows(exports)[0][0] == audited + 1
    site.audit_verifies()
    assert kills.interrupted >= 3, "the kill moments should fall inside the runs"


TABLES = (
    "accounts_user",
    "audit_entry",
    "people_person",
    "people_personname",
    "people_personversion",
    "tracing_enquiry",
    "tracing_candidate",
    "tracing_personkey",
)


def _restored_state(site) -> dict:
    return {
        **{table: site.count(table) for table in TABLES},
        "names": _imported_state(site)["names"],
        "restores": site.rows(
            "SELECT COUNT(*) FROM audit_entry WHERE object_type = 'backup.restore'"
        ),
    }


def test_a_restore_killed_at_any_moment_is_all_or_nothing_and_can_be_run_again(
    crash_world, imported
):
    registry, _ = imported
    archive = crash_world.root / "registry.kinlink"
    if not archive.exists():
        registry.run("backup", str(archive))
    untouched = _restored_state(crash_world.empty)
    first = crash_world.empty.copy(crash_world.root)
    _, seconds = timed(first, "restore", str(archive))
    expected = _restored_state(first)
    assert expected["people_person"] > 48 and expected["restores"] == [(1,)]
    again = first.run("restore", str(archive))
    assert "restored into this database already" in again.stdout
    assert _restored_state(first) == expected
    kills = Interrupter(crash_world.empty, crash_world.root, seconds, "restore", str(archive))
    for fraction in crash_fractions(13):
        site = kills.run(fraction)
        state = _restored_state(site)
        assert state in (untouched, expected), f"killed at {fraction:.2f} of a run: half restored"
        site.audit_verifies()
        result = site.run("restore", str(archive))
        if state == expected:
            assert "already" in result.stdout
        assert _restored_state(site) == expected, f"killed at {fraction:.2f} of a run"
    site.audit_verifies()
    assert kills.interrupted >= 3, "the kill moments should fall inside the runs"
