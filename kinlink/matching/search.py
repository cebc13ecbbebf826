"""Scoring a request against registry records, and the result types.

:func:`score_pair` and :func:`rank_candidates` work on plain records in pure Python
(for a database-backed caller that fetched its candidates itself, and as the reference
the vectorised :class:`kinlink.matching.index.MatchIndex` and the batch linkage are
tested against).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .explain import Evidence, explain_levels
from .features import birth_level, gender_level, name_level
from .keys import NameVariant, PreparedRecord, prepare
from .model import ModelParams
from .records import MatchRequest, PersonRecord

__all__ = [
    "Candidate",
    "FrequencySource",
    "MatchResult",
    "PairScore",
    "rank_candidates",
    "score_pair",
    "score_prepared",
]


class FrequencySource(Protocol):
    def tf(self, fld: str, key: str | None) -> float | None: ...


class _NoFrequencies:
    def tf(self, fld: str, key: str | None) -> float | None:
        return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked registry person for a request.

    ``score`` is the calibrated probability that this person is the one sought (it
    accounts for the other candidates: several equally good candidates share it);
    ``pair_probability`` weighs this pair alone; ``match_weight`` is the evidence in
    bits.  ``explanation`` is the caseworker's sentence, ``evidence`` the same per field.
    """

    person_id: Any
    rank: int
    score: float
    pair_probability: float
    match_weight: float
    explanation: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(slots=True)
class MatchResult:
    request_id: Any
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PairScore:
    weight: float  # total bits, including the orientation penalty
    variant: NameVariant  # the request reading that scored best
    record_variant: NameVariant  # the record's name (or alias) it matched
    levels: dict[str, str]
    weights: dict[str, float]


def _penalty(params: ModelParams, kind: str) -> float:
    return params.swap_penalty if kind == "swapped" else params.normal_penalty


def _tfkey(feat: Any) -> str | None:
    return feat.tfkey if feat is not None else None


def score_prepared(
    params: ModelParams,
    tf: FrequencySource,
    q: PreparedRecord,
    r: PreparedRecord,
) -> PairScore:
    """Best-scoring reading of a prepared request against a prepared record."""
    fixed_levels = {
        "father_name": name_level(q.father, r.father),
        "mother_name": name_level(q.mother, r.mother),
        "birth_place": name_level(q.place, r.place, place=True),
        "birth": birth_level(q.birth, r.birth),
        "gender": gender_level(q.gender, r.gender),
    }
    fixed_weights = {
        "father_name": params.level_weight(
            "father_name",
            fixed_levels["father_name"],
            tf.tf("father_name", _tfkey(q.father)),
            tf.tf("father_name", _tfkey(r.father)),
        ),
        "mother_name": params.level_weight(
            "mother_name",
            fixed_levels["mother_name"],
            tf.tf("mother_name", _tfkey(q.mother)),
            tf.tf("mother_name", _tfkey(r.mother)),
        ),
        "birth_place": params.level_weight(
            "birth_place",
            fixed_levels["birth_place"],
            tf.tf("birth_place", _tfkey(q.place)),
            tf.tf("birth_place", _tfkey(r.place)),
        ),
        "birth": params.level_weight("birth", fixed_levels["birth"]),
        "gender": params.level_weight("gender", fixed_levels["gender"]),
    }
    base = sum(fixed_weights.values())
    best: PairScore | None = None
    for rv in r.variants:
        for qv in q.variants:
            lg = name_level(qv.given, rv.given)
            lf = name_level(qv.family, rv.family)
            wg = params.level_weight(
                "given_name",
                lg,
                tf.tf("given_name", _tfkey(qv.given)),
                tf.tf("given_name", _tfkey(rv.given)),
            )
            wf = params.level_weight(
                "family_name",
                lf,
                tf.tf("family_name", _tfkey(qv.family)),
                tf.tf("family_name", _tfkey(rv.family)),
            )
            w = base + wg + wf + _penalty(params, qv.kind)
            if best is None or w > best.weight:
                best = PairScore(
                    w,
                    qv,
                    rv,
                    {**fixed_levels, "given_name": lg, "family_name": lf},
                    {**fixed_weights, "given_name": wg, "family_name": wf},
                )
    assert best is not None
    return best


def score_pair(
    request: PersonRecord,
    record: PersonRecord,
    *,
    params: ModelParams | None = None,
    tf: FrequencySource | None = None,
) -> PairScore:
    """Match weight, levels and per-field weights of one request/record pair."""
    params = params or ModelParams.default()
    return score_prepared(
        params, tf or _NoFrequencies(), prepare(request, as_request=True), prepare(record)
    )


def _finish(
    params: ModelParams,
    q: PreparedRecord,
    scored: list[tuple[PairScore, PreparedRecord]],
    registry_size: int,
    top_k: int,
    min_score: float,
) -> list[Candidate]:
    weights = [s.weight for s, _ in scored]
    scores, pairs = params.probabilities(weights, registry_size)
    order = sorted(range(len(scored)), key=lambda i: -weights[i])
    out: list[Candidate] = []
    for i in order:
        if len(out) >= top_k:
            break
        if scores[i] < min_score:
            continue
        s, r = scored[i]
        text, ev = explain_levels(s.levels, s.weights, q, s.variant, r, s.record_variant)
        out.append(Candidate(r.id, len(out) + 1, scores[i], pairs[i], round(s.weight, 6), text, ev))
    return out


def rank_candidates(
    request: MatchRequest | PersonRecord,
    records: Iterable[PersonRecord],
    *,
    registry_size: int | None = None,
    params: ModelParams | None = None,
    tf: FrequencySource | None = None,
    top_k: int = 10,
    min_score: float = 0.0,
) -> list[Candidate]:
    """Score and rank the given candidate records for a request (pure Python).

    For a caller that found its candidates itself (e.g. from a key table in the
    database, see :func:`kinlink.matching.keys.select_candidates`).  ``registry_size``
    is the number of persons in the whole registry (defaults to the number of records
    given); ``tf`` gives value frequencies in the registry (without it names are
    weighed by their average frequency).
    """
    params = params or ModelParams.default()
    tf = tf or _NoFrequencies()
    q = prepare(request, as_request=True)
    recs = [prepare(r) for r in records]
    scored = [(score_prepared(params, tf, q, r), r) for r in recs]
    n = registry_size if registry_size is not None else max(len(recs), 1)
    return _finish(params, q, scored, n, top_k, min_score)
