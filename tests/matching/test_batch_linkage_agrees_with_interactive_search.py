"""Batch linkage with Splink on DuckDB gives what the interactive index gives."""

import pytest

from kinlink.matching.batch import BatchStats, link_batch
from kinlink.matching.index import MatchIndex
from kinlink.matching.keys import CandidatePolicy


@pytest.fixture(scope="module")
def batch_run(background, labelled):
    requests, truth = labelled
    stats = BatchStats()
    calls = []
    results = link_batch(
        requests,
        background,
        top_k=5,
        stats=stats,
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    return requests, truth, results, stats, calls


def test_same_candidates_same_order_same_scores(batch_run, index):
    requests, _, results, stats, _ = batch_run
    assert len(results) == len(requests)
    assert stats.n_pairs > len(requests)
    for q, res in zip(requests, results, strict=True):
        assert res.request_id == q.id
        inter = index.search(q, top_k=5)
        assert [c.person_id for c in res.candidates] == [c.person_id for c in inter]
        for b, i in zip(res.candidates, inter, strict=True):
            assert b.score == pytest.approx(i.score, abs=1e-9)
            assert b.match_weight == pytest.approx(i.match_weight, abs=1e-6)
            # Splink's comparison levels are the Python ones
            assert [(e.field, e.level) for e in b.evidence] == [
                (e.field, e.level) for e in i.evidence
            ]
            assert b.explanation == i.explanation


def test_batch_finds_the_sought_persons(batch_run):
    requests, truth, results, _, _ = batch_run
    present = [(q, r) for q, r in zip(requests, results, strict=True) if truth[q.id]]
    top1 = sum(bool(r.candidates) and r.candidates[0].person_id == truth[q.id] for q, r in present)
    assert top1 / len(present) > 0.9


def test_progress_is_reported_through_to_done(batch_run):
    *_, calls = batch_run
    stages = [c[0] for c in calls]
    assert stages[0] == "registry features"
    assert stages[-1] == "done"
    assert {"request features", "candidates", "scoring"} <= set(stages)


def test_threshold_and_top_k_limit_the_output(background, labelled):
    requests, _ = labelled
    results = link_batch(requests[:40], background, top_k=2, threshold=0.5)
    assert all(len(r.candidates) <= 2 for r in results)
    assert all(c.score >= 0.5 for r in results for c in r.candidates)


def test_a_tight_candidate_cap_is_honoured_the_same_way_in_both(background, labelled):
    requests, _ = labelled
    policy = CandidatePolicy(cap=30)
    idx = MatchIndex(policy=policy)
    idx.add_many(background)
    results = link_batch(requests[:80], background, top_k=3, policy=policy)
    for q, res in zip(requests[:80], results, strict=True):
        assert [c.person_id for c in res.candidates] == [
            c.person_id for c in idx.search(q, top_k=3)
        ]


def test_duplicate_registry_ids_are_refused(background):
    with pytest.raises(ValueError, match="appears twice"):
        link_batch(background[:3], [*background[:5], background[0]])


def test_unknown_backend_is_refused(background):
    with pytest.raises(ValueError, match="backend"):
        link_batch(background[:1], background[:5], backend="sqlite")
