"""Scores are probabilities in [0, 1] and move the right way with the evidence."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kinlink.calendars import parse_birth_date
from kinlink.matching.model import ModelParams
from kinlink.matching.records import MatchRequest, PersonRecord
from kinlink.matching.search import rank_candidates

RECORD = PersonRecord(
    "p",
    "Masoud",
    "Rahimzadeh",
    father_name="Abbas",
    mother_name="Shirin",
    birth=parse_birth_date("1968"),
    gender="M",
    birth_place="Tabriz",
)
AGREE = {
    "father_name": "Abbas",
    "mother_name": "شیرین",
    "birth": parse_birth_date("1968"),
    "gender": "M",
    "birth_place": "تبریز",
}
DISAGREE = {
    "father_name": "Kamran",
    "mother_name": "Nasrin",
    "birth": parse_birth_date("1990"),
    "gender": "F",
    "birth_place": "Zahedan",
}


def _score(**fields):
    q = MatchRequest("q", "Massoud", "Rahimzade", **fields)
    return rank_candidates(q, [RECORD], registry_size=100_000)[0]


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(AGREE))), st.sampled_from(sorted(AGREE)))
def test_one_more_agreeing_field_never_lowers_the_score(present, extra):
    base = {k: AGREE[k] for k in present if k != extra}
    more = {**base, extra: AGREE[extra]}
    a, b = _score(**base), _score(**more)
    assert 0.0 <= a.score <= 1.0 and 0.0 <= b.score <= 1.0
    assert b.match_weight > a.match_weight
    assert b.score >= a.score


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(AGREE))), st.sampled_from(sorted(DISAGREE)))
def test_one_more_disagreeing_field_never_raises_the_score(present, extra):
    base = {k: AGREE[k] for k in present if k != extra}
    more = {**base, extra: DISAGREE[extra]}
    a, b = _score(**base), _score(**more)
    assert b.match_weight < a.match_weight
    assert b.score <= a.score


def test_birth_years_further_apart_weigh_less():
    weights = [
        _score(birth=parse_birth_date(str(y))).match_weight for y in (1968, 1969, 1971, 1974, 1990)
    ]
    assert weights == sorted(weights, reverse=True)
    assert len(set(weights)) == len(weights)


def test_equally_good_namesakes_share_the_probability():
    twins = [
        PersonRecord(f"p{i}", "Ali", "Ahmadi", birth=parse_birth_date("1970")) for i in range(4)
    ]
    q = MatchRequest("q", "Ali", "Ahmadi", birth=parse_birth_date("1970"))
    found = rank_candidates(q, twins, registry_size=50_000)
    assert len({round(c.score, 12) for c in found}) == 1
    assert sum(c.score for c in found) <= 1.0
    assert all(c.score < 0.26 for c in found)
    # each pair alone would look far more convincing than it is
    assert all(c.pair_probability > c.score for c in found)


def test_a_bigger_registry_means_lower_scores_for_the_same_evidence():
    q = MatchRequest("q", "Masoud", "Rahimzadeh", birth=parse_birth_date("1968"))
    small = rank_candidates(q, [RECORD], registry_size=1_000)[0].score
    large = rank_candidates(q, [RECORD], registry_size=1_000_000)[0].score
    assert large < small


def test_calibration_changes_scores_but_not_the_order():
    params = ModelParams.default().replace(calibration=[0.7, -0.5])
    recs = [RECORD, PersonRecord("o", "Masoud", "Rahimi", birth=parse_birth_date("1968"))]
    q = MatchRequest("q", "Massoud", "Rahimzade", birth=parse_birth_date("1968"))
    plain = rank_candidates(q, recs, registry_size=10_000)
    cal = rank_candidates(q, recs, registry_size=10_000, params=params)
    assert [c.person_id for c in plain] == [c.person_id for c in cal]
    assert plain[0].score != cal[0].score
