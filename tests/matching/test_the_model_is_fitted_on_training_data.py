"""Fitting m/u probabilities, prior, swap rate and calibration on training data."""

import pytest

from kinlink.matching.features import FIELDS, LEVELS
from kinlink.matching.model import ModelParams
from kinlink.matching.train import estimate_m_from_pairs, fit_model


@pytest.fixture(scope="module")
def fitted(background, labelled):
    requests, truth = labelled
    return fit_model(background, requests=requests, truth=truth, max_pairs=200_000)


def test_default_parameters_load_and_round_trip_through_json(tmp_path):
    p = ModelParams.default()
    path = tmp_path / "model.json"
    p.to_json(path)
    q = ModelParams.from_json(path)
    assert q.to_dict() == p.to_dict()
    for f in FIELDS:
        assert abs(sum(p.m[f].values()) - 1) < 1e-6
        assert abs(sum(p.u[f].values()) - 1) < 1e-6


def test_invalid_parameters_are_refused():
    d = ModelParams.default().to_dict()
    d["m"]["gender"]["same"] = 0
    with pytest.raises(ValueError, match="gender"):
        ModelParams.from_dict(d)


def test_fitted_probabilities_are_distributions_and_agreement_is_evidence(fitted):
    for f in FIELDS:
        assert set(fitted.m[f]) == set(LEVELS[f]) == set(fitted.u[f])
        assert abs(sum(fitted.m[f].values()) - 1) < 1e-6
        assert abs(sum(fitted.u[f].values()) - 1) < 1e-6
    # agreeing is evidence for a match, disagreeing against
    assert fitted.weights["family_name"]["exact"] > 3
    assert fitted.weights["family_name"]["different"] < -2
    assert fitted.weights["birth"]["same_year"] > 2
    assert fitted.weights["birth"]["different"] < -2
    assert fitted.weights["gender"]["different"] < 0 < fitted.weights["gender"]["same"]
    assert 0.7 < fitted.prior_present < 0.9  # 300 of 360 requests are present
    assert "labelled" in fitted.meta["m"] and "Splink" in fitted.meta["u"]


def test_u_comes_from_the_registry_the_model_is_fitted_on(fitted):
    # a random pair of persons rarely shares a birth year, almost never a birth date
    assert fitted.u["birth"]["same_day"] < 0.001
    assert 0.005 < fitted.u["birth"]["same_year"] < 0.05
    assert 0.3 < fitted.u["gender"]["same"] < 0.7


def test_swapped_training_pairs_raise_the_swap_rate(background, labelled):
    requests, truth = labelled
    by_id = {r.id: r for r in background}
    pairs = [(q, by_id[truth[q.id]]) for q in requests if truth[q.id]]
    base = ModelParams.default()
    _, rate, n = estimate_m_from_pairs(pairs, base)
    swapped = [
        (
            type(q)(
                q.id,
                q.family_name,
                q.given_name,
                q.father_name,
                q.mother_name,
                q.birth,
                q.gender,
                q.birth_place,
            ),
            r,
        )
        for q, r in pairs
    ]
    _, rate_swapped, _ = estimate_m_from_pairs(swapped, base)
    assert n == len(pairs)
    assert rate < 0.1 < rate_swapped


def test_scores_of_the_fitted_model_are_calibrated(fitted, background, labelled):
    """Among candidates scored high, the share of true ones matches the score."""
    from kinlink.matching.index import MatchIndex
    from kinlink.matching.synthetic import make_requests

    idx = MatchIndex(fitted)
    idx.add_many(background)
    # fresh requests, not the ones the calibration was fitted on
    requests, truth = make_requests(background, 400, 80, seed=99)
    scored = [
        (c.score, c.person_id == truth[q.id]) for q in requests for c in idx.search(q, top_k=5)
    ]
    high = [ok for s, ok in scored if s >= 0.9]
    mid = [(s, ok) for s, ok in scored if 0.3 <= s < 0.9]
    low = [ok for s, ok in scored if s < 0.05]
    assert len(high) > 200
    assert sum(high) / len(high) >= 0.93
    assert sum(low) / len(low) <= 0.05
    if len(mid) >= 20:
        mean_score = sum(s for s, _ in mid) / len(mid)
        share_true = sum(ok for _, ok in mid) / len(mid)
        assert abs(mean_score - share_true) < 0.3
