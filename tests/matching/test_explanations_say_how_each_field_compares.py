"""The explanation a caseworker reads."""

from kinlink.calendars import parse_birth_date
from kinlink.matching.records import MatchRequest, PersonRecord
from kinlink.matching.search import rank_candidates


def _explain(request, record):
    return rank_candidates(request, [record], registry_size=1000)[0]


def test_each_level_has_its_own_words():
    rec = PersonRecord(
        "p",
        "حسین",
        "موسوی",
        father_name="Reza",
        mother_name="Maryam",
        birth=parse_birth_date("1963"),
        gender="M",
        birth_place="Tehran",
    )
    q = MatchRequest(
        "q",
        "Husain",
        "Mousavi",
        father_name="Reza",
        mother_name="Zahra",
        birth=parse_birth_date("1965"),
        gender="F",
        birth_place="Tehran",
    )
    c = _explain(q, rec)
    # the u of Husain is a vowel that حسین does not write: a spelling variant, not the
    # very same spelling in another script (as Hossein would be)
    assert c.explanation == (
        "family name: same in another script; given name: spelling variant; "
        "birth year: 2 years apart (1965 vs 1963); father's name: same; "
        "mother's name: different; gender: different; birth place: same"
    )
    kinds = {e.field: e.level for e in c.evidence}
    assert kinds == {
        "family_name": "other_script",
        "given_name": "variant",
        "birth": "2_3_years",
        "father_name": "exact",
        "mother_name": "different",
        "gender": "different",
        "birth_place": "exact",
    }
    by_field = {e.field: e.weight for e in c.evidence}
    assert by_field["father_name"] > 0 > by_field["gender"]


def test_spelling_variants_and_solar_hijri_years_are_described():
    rec = PersonRecord("p", "Fereshte", "Hosseini", birth=parse_birth_date("1344"))
    q = MatchRequest("q", "Fereshteh", "Hoseini", birth=parse_birth_date("1965"))
    c = _explain(q, rec)
    assert "given name: spelling variant" in c.explanation
    assert "family name: spelling variant" in c.explanation
    assert "birth year: same" in c.explanation


def test_same_birth_date_is_called_a_date():
    rec = PersonRecord("p", "Ali", "Karimi", birth=parse_birth_date("1344-05-10"))
    q = MatchRequest("q", "Ali", "Karimi", birth=parse_birth_date("1965-08-01"))
    assert "birth date: same" in _explain(q, rec).explanation


def test_fields_missing_on_both_sides_are_not_mentioned():
    rec = PersonRecord("p", "Ali", "Karimi")
    q = MatchRequest("q", "Ali", "Karimi")
    c = _explain(q, rec)
    assert c.explanation == "family name: same; given name: same"


def test_a_typo_on_a_transliteration_is_faint_and_weighs_less_than_a_different_name():
    rec = PersonRecord("p", "یوسف", "Karimi", birth=parse_birth_date("1970"))
    typo = _explain(MatchRequest("q", "Yusi", "Karimi", birth=parse_birth_date("1970")), rec)
    other = _explain(MatchRequest("q", "Parisa", "Karimi", birth=parse_birth_date("1970")), rec)
    assert "given name: one consonant apart" in typo.explanation
    assert "given name: different" in other.explanation
    weight = {c: {e.field: e.weight for e in c.evidence}["given_name"] for c in (typo, other)}
    assert weight[other] < min(weight[typo], -5)
    assert other.score < typo.score
