"""Given and family names recorded the other way round, and fields left empty."""

from kinlink.calendars import parse_birth_date
from kinlink.matching.index import MatchIndex
from kinlink.matching.records import MatchRequest, PersonRecord


def test_a_request_with_swapped_names_finds_the_person(index, background):
    person = next(r for r in background if r.given_name and r.family_name and r.birth)
    q = MatchRequest(
        "q",
        given_name=person.family_name,
        family_name=person.given_name,
        father_name=person.father_name,
        birth=person.birth,
    )
    found = index.search(q, top_k=5)
    assert found[0].person_id == person.id
    assert found[0].explanation.startswith("given and family names swapped")


def test_swapping_costs_a_little_evidence_against_the_same_names_unswapped(background):
    idx = MatchIndex()
    idx.add_many(background)
    rec = PersonRecord(
        "x", "Yeganeh", "Sadeghfar", father_name="Bahram", birth=parse_birth_date("1971")
    )
    idx.add(rec)
    straight = MatchRequest(
        "a", "Yeganeh", "Sadeghfar", father_name="Bahram", birth=parse_birth_date("1971")
    )
    swapped = MatchRequest(
        "b", "Sadeghfar", "Yeganeh", father_name="Bahram", birth=parse_birth_date("1971")
    )
    s = idx.search(straight, top_k=1)[0]
    w = idx.search(swapped, top_k=1)[0]
    assert s.person_id == w.person_id == "x"
    assert w.match_weight < s.match_weight
    assert w.score > 0.5


def test_a_request_with_only_a_family_name_and_year_returns_candidates(index, background):
    person = next(r for r in background if r.family_name and r.birth and r.birth.day is None)
    q = MatchRequest("q", family_name=person.family_name, birth=person.birth)
    found = index.search(q, top_k=10)
    assert found
    assert all(0.0 <= c.score <= 1.0 for c in found)


def test_records_missing_fields_are_still_found(background):
    idx = MatchIndex()
    idx.add_many(background)
    idx.add(PersonRecord("bare", given_name="Niloufar", family_name="Kianfar"))
    q = MatchRequest(
        "q",
        given_name="نیلوفر",
        family_name="کیانفر",
        father_name="Karim",
        birth=parse_birth_date("1980"),
        gender="F",
        birth_place="Tabriz",
    )
    found = idx.search(q, top_k=5)
    assert found[0].person_id == "bare"
    text = found[0].explanation
    assert "father's name: not recorded" in text
    assert "birth year: not recorded" in text


def test_an_empty_request_finds_nothing(index):
    assert index.search(MatchRequest("q"), top_k=5) == []


def test_a_request_without_names_is_answered_from_father_and_birth_year(background):
    idx = MatchIndex()
    idx.add_many(background)
    idx.add(
        PersonRecord(
            "t", "Golnaz", "Zandpour", father_name="Tahmoures", birth=parse_birth_date("1958")
        )
    )
    q = MatchRequest("q", father_name="طهمورث", birth=parse_birth_date("1958"))
    found = idx.search(q, top_k=5)
    assert found[0].person_id == "t"
    assert "father's name: same in another script" in found[0].explanation
