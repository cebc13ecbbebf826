"""Adding, replacing and removing persons without rebuilding the index."""

from kinlink.calendars import parse_birth_date
from kinlink.matching.index import MatchIndex
from kinlink.matching.records import MatchRequest, PersonRecord

Q = MatchRequest("q", "Yeganeh", "Bagherpour", father_name="Davoud", birth=parse_birth_date("1977"))


def _fresh(background):
    idx = MatchIndex()
    idx.add_many(background[:500])
    return idx


def test_a_person_added_later_is_found_at_once(background):
    idx = _fresh(background)
    keys_before = idx.n_keys
    assert all(c.person_id != "new" for c in idx.search(Q))
    idx.add(
        PersonRecord("new", "یگانه", "باقرپور", father_name="داود", birth=parse_birth_date("1356"))
    )
    assert len(idx) == 501
    assert idx.n_keys > keys_before
    assert idx.search(Q)[0].person_id == "new"


def test_adding_the_same_id_again_replaces_the_person(background):
    idx = _fresh(background)
    idx.add(
        PersonRecord(
            "p", "Yeganeh", "Bagherpour", father_name="Davoud", birth=parse_birth_date("1977")
        )
    )
    idx.add(PersonRecord("p", "Kourosh", "Zandi", birth=parse_birth_date("1950")))
    assert len(idx) == 501
    assert all(c.person_id != "p" for c in idx.search(Q))
    found = idx.search(MatchRequest("q2", "Kourosh", "Zandi", birth=parse_birth_date("1950")))
    assert found[0].person_id == "p"


def test_a_removed_person_is_no_longer_returned(background):
    idx = _fresh(background)
    idx.add(
        PersonRecord(
            "gone", "Yeganeh", "Bagherpour", father_name="Davoud", birth=parse_birth_date("1977")
        )
    )
    assert idx.search(Q)[0].person_id == "gone"
    assert idx.remove("gone") is True
    assert idx.remove("gone") is False
    assert "gone" not in idx
    assert all(c.person_id != "gone" for c in idx.search(Q))
    assert len(idx) == 500


def test_term_frequencies_follow_additions_and_removals(background):
    idx = MatchIndex()
    before = idx.tf.tf("family_name", "bghrpr")
    for i in range(3):
        idx.add(PersonRecord(f"b{i}", "Ali", "Bagherpour"))
    key = idx.record("b0").variants[0].family.tfkey
    assert before is None
    assert idx.tf.tf("family_name", key) == 1.0
    idx.add(PersonRecord("c", "Ali", "Karimi"))
    assert idx.tf.tf("family_name", key) == 0.75
    idx.remove("b0")
    assert abs(idx.tf.tf("family_name", key) - 2 / 3) < 1e-12


def test_compaction_keeps_results_and_drops_dead_rows(background):
    idx = MatchIndex()
    idx.add_many(background[:1500])
    q = background[1400]
    want = idx.search(MatchRequest("q", q.given_name, q.family_name, birth=q.birth), top_k=3)
    for r in background[:1200]:
        idx.remove(r.id)  # compacts automatically once over a quarter of rows are dead
    assert idx._dead_rows < 1200
    idx.compact()
    assert idx._dead_rows == 0
    got = idx.search(MatchRequest("q", q.given_name, q.family_name, birth=q.birth), top_k=3)
    assert got[0].person_id == want[0].person_id == q.id
