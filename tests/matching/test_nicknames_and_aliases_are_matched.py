"""Nicknames ("Ray" for Mohammad Reza) and other names a person is known by."""

from kinlink.calendars import parse_birth_date
from kinlink.matching.index import MatchIndex
from kinlink.matching.records import MatchRequest, PersonRecord


def _index(background, *extra):
    idx = MatchIndex()
    idx.add_many(background)
    idx.add_many(extra)
    return idx


def test_a_nickname_in_the_request_finds_the_full_name(background):
    target = PersonRecord(
        "t", "محمدرضا", "کیانپور", father_name="اکبر", birth=parse_birth_date("1358"), gender="M"
    )
    idx = _index(background, target)
    q = MatchRequest("q", "Ray", "Kianpour", father_name="Akbar", birth=parse_birth_date("1979"))
    found = idx.search(q, top_k=5)
    assert found[0].person_id == "t"
    assert "given name: nickname" in found[0].explanation


def test_an_alias_recorded_for_the_person_is_matched_as_an_extra_name(background):
    target = PersonRecord(
        "t",
        "Fereshteh",
        "Najafzadeh",
        father_name="Hamid",
        birth=parse_birth_date("1975"),
        aliases=["Maryam Sadeghfar"],
    )
    idx = _index(background, target)
    q = MatchRequest(
        "q", "Maryam", "Sadeghfar", father_name="Hamid", birth=parse_birth_date("1975")
    )
    found = idx.search(q, top_k=5)
    assert found[0].person_id == "t"
    assert "recorded other name 'Maryam Sadeghfar'" in found[0].explanation
    assert "given name: same" in found[0].explanation


def test_an_alias_given_in_the_request_is_tried_too(background):
    target = PersonRecord(
        "t", "Parvin", "Zandvand", father_name="Bijan", birth=parse_birth_date("1969")
    )
    idx = _index(background, target)
    q = MatchRequest(
        "q",
        "Roya",
        "Zandvand",
        father_name="Bijan",
        birth=parse_birth_date("1969"),
        aliases=["Parwin"],
    )
    found = idx.search(q, top_k=5)
    assert found[0].person_id == "t"
    assert "request's other name 'Parwin'" in found[0].explanation


def test_one_person_is_listed_once_even_when_several_names_match(background):
    target = PersonRecord(
        "t", "Zahra", "Amini", birth=parse_birth_date("1980"), aliases=["زهرا امینی", "Zahra Amini"]
    )
    idx = _index(background, target)
    found = idx.search(
        MatchRequest("q", "Zahra", "Amini", birth=parse_birth_date("1980")), top_k=20
    )
    ids = [c.person_id for c in found]
    assert ids.count("t") == 1


def test_one_part_of_a_compound_given_name_matches_it(background):
    target = PersonRecord(
        "t", "امیرمهدی", "جعفرپور", father_name="بنیامین", birth=parse_birth_date("1997")
    )
    idx = _index(background, target)
    q = MatchRequest(
        "q", "Mahdi", "Jafarpour", father_name="Benyamin", birth=parse_birth_date("1997")
    )
    found = idx.search(q, top_k=5)
    assert found[0].person_id == "t"
    assert "given name: partly the same" in found[0].explanation
