"""Fitting the model to a registry (and, when there are any, labelled requests).

- ``u`` probabilities: Splink's random sampling over pairs of registry persons (two
  random persons are almost never the same person).
- ``m`` probabilities: counted on labelled true pairs when given (each field's level in
  the pair's best reading, smoothed towards the current values with a few
  pseudo-observations); otherwise Splink's expectation-maximisation over unlabelled
  requests against the registry; otherwise the current values are kept.
- ``prior_present`` and ``swap_rate``: from the labels, smoothed.
- calibration: a two-parameter logistic map on the log-odds, fitted on the ranked
  candidates of labelled requests (:func:`fit_calibration`).

Everything takes its training data as arguments, so a benchmark can fit on one part of
its data (leaving a whole source of name variants out) and measure on another.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .batch import REG, REQ, _DuckEngine
from .features import FIELDS, LEVELS, MISSING
from .index import MatchIndex
from .keys import CandidatePolicy, prepare
from .model import A_PRIORI_M, ModelParams, TermFrequencies
from .records import PersonRecord
from .search import score_prepared
from .splink_model import build_settings, comparison_output_name
from .tables import FeatureTables

__all__ = [
    "estimate_m_from_pairs",
    "estimate_m_with_em",
    "estimate_u",
    "fit_calibration",
    "fit_model",
    "make_default_model",
]

logger = logging.getLogger(__name__)

#: Pseudo-observations pulling m estimates towards the previous values (a level never
#: seen in a small labelled set keeps a small but non-zero probability).
M_PSEUDO_COUNT = 10.0
#: Pseudo-observations for swap rate and prior.
RATE_PSEUDO_COUNT = 20.0
#: Smallest probability any level gets (log2 of it stays finite).
P_FLOOR = 1e-6
#: Smallest u any level gets: a sample of a few million pairs cannot show rarer events.
U_FLOOR = 1e-5
#: A priori floor on u of the nickname level: a training registry may hold no
#: nicknames at all, but in real data about 1 random pair of names in 2,000 is related
#: by a nickname or a shared part ("Ray" and any -reza).
U_FLOOR_NICKNAME = 5e-4
#: A priori floor on u of the loose level: its letter classes (q gh g k j, kh h, sh s,
#: p b) make about 1 random pair of names in 1,000 meet, more than a registry of few
#: distinct names shows.
U_FLOOR_LOOSE = 1e-3


def _normalise(d: dict[str, float]) -> dict[str, float]:
    d = {k: max(v, P_FLOOR) for k, v in d.items()}
    total = sum(d.values())
    return {k: v / total for k, v in d.items()}


def _feature_table(
    engine: _DuckEngine, wd: Path, records: Iterable[PersonRecord], name: str, source: str
) -> int:
    """Load ``records`` (their names as given) as Splink feature table ``kl_<name>``."""
    ft = FeatureTables(wd / name)
    w = ft.table(name)
    n = 0
    for i, r in enumerate(records):
        p = prepare(r)
        ft.add_row(w, i, source, i, 0, 0.0, p, p.variants[0])
        n += 1
    ft.close()
    engine.drop("kl_vocab")
    ft.load(engine, name, f"kl_{name}")
    engine.drop("kl_vocab")
    return n


def _levels_from_settings(settings: dict[str, Any], key: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    by_name = {c.get("output_column_name"): c for c in settings["comparisons"]}
    for fld in FIELDS:
        comp = by_name.get(comparison_output_name(fld))
        if comp is None:
            continue
        vals = {}
        for lvl in comp["comparison_levels"]:
            if lvl.get("is_null_level"):
                continue
            label = lvl.get("label_for_charts")
            p = lvl.get(key)
            if label in LEVELS[fld] and isinstance(p, (int, float)):
                vals[label] = float(p)
        if vals:
            out[fld] = vals
    return out


def estimate_u(
    registry: Iterable[PersonRecord],
    *,
    max_pairs: float = 2_000_000,
    seed: int = 1,
    workdir: str | Path | None = None,
) -> dict[str, dict[str, float]]:
    """u probabilities by Splink's random sampling over registry pairs (DuckDB)."""
    from splink import Linker

    wd = Path(workdir or tempfile.mkdtemp(prefix="kinlink-fit-"))
    engine = _DuckEngine(wd, "3GB", None)
    try:
        n = _feature_table(engine, wd, registry, "u_reg", REG)
        if n < 2:
            raise ValueError("estimate_u needs at least two registry persons")
        db_api = engine.db_api()
        sdf = db_api.register("kl_u_reg", table_name="kl_u_reg_in")
        settings = build_settings(None, link_type="dedupe_only", tf=False)
        linker = Linker(sdf, settings, log_level="ERROR")
        linker.training.estimate_u_using_random_sampling(
            max_pairs=max_pairs, seed=seed, min_count_per_level=None
        )
        found = _levels_from_settings(linker.misc.save_model_to_json(), "u_probability")
    finally:
        engine.close()
        if workdir is None:
            shutil.rmtree(wd, ignore_errors=True)
    out = {}
    for f in FIELDS:
        vals = {}
        for lvl in LEVELS[f]:
            floor = {"nickname": U_FLOOR_NICKNAME, "loose": U_FLOOR_LOOSE}.get(lvl, U_FLOOR)
            vals[lvl] = max(found.get(f, {}).get(lvl, 0.0), floor)
        out[f] = _normalise(vals)
    return out


def estimate_m_from_pairs(
    pairs: Iterable[tuple[PersonRecord, PersonRecord]],
    base: ModelParams,
) -> tuple[dict[str, dict[str, float]], float, int]:
    """m probabilities (and swap rate) from labelled true pairs (request, record).

    Each pair is read the way the model reads it (best of as-given, swapped and
    aliases); a field's level is counted unless missing.  Returns (m, swap_rate, n).
    """
    counts = {f: dict.fromkeys(LEVELS[f], 0.0) for f in FIELDS}
    n = 0
    swapped = 0
    no_tf = TermFrequencies()
    for request, record in pairs:
        s = score_prepared(base, no_tf, prepare(request, as_request=True), prepare(record))
        n += 1
        swapped += s.variant.kind == "swapped"
        for f in FIELDS:
            lvl = s.levels[f]
            if lvl != MISSING:
                counts[f][lvl] += 1
    m = {}
    for f in FIELDS:
        total = sum(counts[f].values())
        m[f] = _normalise(
            {
                lvl: (counts[f][lvl] + M_PSEUDO_COUNT * base.m[f][lvl]) / (total + M_PSEUDO_COUNT)
                for lvl in LEVELS[f]
            }
        )
    swap_rate = (swapped + RATE_PSEUDO_COUNT * base.swap_rate) / (n + RATE_PSEUDO_COUNT)
    return m, min(max(swap_rate, 0.001), 0.3), n


def estimate_m_with_em(
    registry: Iterable[PersonRecord],
    requests: Iterable[PersonRecord],
    base: ModelParams,
    *,
    workdir: str | Path | None = None,
) -> dict[str, dict[str, float]]:
    """m probabilities by Splink's expectation-maximisation, requests x registry.

    Two EM sessions: blocked on family+given name skeletons (estimates the other
    fields) and on birth year + father's name skeleton (estimates the names).  u stays
    fixed at the base values.
    """
    from splink import Linker, block_on

    wd = Path(workdir or tempfile.mkdtemp(prefix="kinlink-fit-"))
    engine = _DuckEngine(wd, "3GB", None)
    try:
        _feature_table(engine, wd, registry, "em_reg", REG)
        _feature_table(engine, wd, (prepare_as_record(r) for r in requests), "em_req", REQ)
        db_api = engine.db_api()
        reg = db_api.register("kl_em_reg", table_name="kl_em_reg_in")
        req = db_api.register("kl_em_req", table_name="kl_em_req_in")
        settings = build_settings(base, link_type="link_only", tf=False, max_iterations=10)
        linker = Linker([req, reg], settings, log_level="ERROR")
        found: dict[str, dict[str, float]] = {}
        for rule in (block_on("fn_skel", "gn_skel"), block_on("birth_lo", "fa_skel")):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True
                )
            except ValueError as e:
                # a level never seen among the blocked pairs can drive its m below
                # what Splink accepts; keep what the other session found
                logger.warning("EM session on %s failed: %s", rule, e)
                continue
            found = _levels_from_settings(linker.misc.save_model_to_json(), "m_probability")
    finally:
        engine.close()
        if workdir is None:
            shutil.rmtree(wd, ignore_errors=True)
    return {
        f: _normalise({lvl: found.get(f, {}).get(lvl, base.m[f][lvl]) for lvl in LEVELS[f]})
        for f in FIELDS
    }


def prepare_as_record(r: PersonRecord) -> PersonRecord:
    """A request as a plain record (its reading as given)."""
    return PersonRecord(
        r.id,
        r.given_name,
        r.family_name,
        r.father_name,
        r.mother_name,
        r.birth,
        r.gender,
        r.birth_place,
        [],
    )


def _platt(x: np.ndarray, y: np.ndarray, iters: int = 50) -> tuple[float, float]:
    """Logistic regression y ~ sigmoid(a*x + b) by Newton's method (tiny ridge)."""
    a, b = 1.0, 0.0
    for _ in range(iters):
        z = np.clip(a * x + b, -35, 35)
        p = 1 / (1 + np.exp(-z))
        g_a = np.sum((p - y) * x) + 1e-3 * (a - 1)
        g_b = np.sum(p - y) + 1e-3 * b
        w = p * (1 - p)
        h_aa = np.sum(w * x * x) + 1e-3
        h_ab = np.sum(w * x)
        h_bb = np.sum(w) + 1e-3
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 0:
            break
        da = (h_bb * g_a - h_ab * g_b) / det
        db = (h_aa * g_b - h_ab * g_a) / det
        a -= da
        b -= db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return float(a), float(b)


def fit_calibration(
    params: ModelParams,
    index: MatchIndex,
    requests: Sequence[PersonRecord],
    truth: Mapping[Any, Any],
    *,
    top_k: int = 10,
) -> ModelParams:
    """Calibration (slope, intercept on the log-odds) from labelled requests.

    Every request is searched with ``params`` (uncalibrated); each of its top
    candidates is an example, true when it is the labelled person.
    """
    raw = params.replace(calibration=[1.0, 0.0])
    old = index.params
    index.params = raw
    try:
        xs: list[float] = []
        ys: list[float] = []
        for q in requests:
            want = truth.get(q.id)
            for c in index.search(q, top_k=top_k):
                p = min(max(c.score, 1e-12), 1 - 1e-12)
                xs.append(math.log(p / (1 - p)))
                ys.append(1.0 if want is not None and c.person_id == want else 0.0)
    finally:
        index.params = old
    if not xs or min(ys) == max(ys):
        return raw
    a, b = _platt(np.array(xs), np.array(ys))
    # never invert the ranking, and keep it sane
    a = min(max(a, 0.2), 5.0)
    return raw.replace(calibration=[a, b])


def fit_model(
    registry: Sequence[PersonRecord],
    labelled_pairs: Iterable[tuple[PersonRecord, PersonRecord]] | None = None,
    *,
    requests: Sequence[PersonRecord] | None = None,
    truth: Mapping[Any, Any] | None = None,
    base: ModelParams | None = None,
    max_pairs: float = 2_000_000,
    seed: int = 1,
    em: bool = True,
    calibrate: bool = True,
    policy: CandidatePolicy | None = None,
) -> ModelParams:
    """Fit the model's parameters on a training registry (and labels when given).

    - ``registry``: training registry persons (u by random sampling over them).
    - ``labelled_pairs``: (request, registry record) true matches; or give
      ``requests`` with ``truth`` (request id -> registry person id or None) and the
      pairs are taken from those.
    - ``requests`` without ``truth``: unlabelled requests for Splink's EM (``em=True``).
    - with ``requests`` and ``truth`` and ``calibrate=True``: also prior and calibration.
    """
    base = base or ModelParams.default()
    registry = list(registry)
    u = estimate_u(registry, max_pairs=max_pairs, seed=seed)
    m = base.m
    swap_rate = base.swap_rate
    prior = base.prior_present
    meta: dict[str, Any] = {
        "u": f"Splink random sampling, {len(registry)} registry persons, max_pairs={max_pairs:g}",
    }
    by_id = {r.id: r for r in registry}
    pairs = list(labelled_pairs or [])
    if requests is not None and truth is not None:
        pairs += [(q, by_id[truth[q.id]]) for q in requests if truth.get(q.id) in by_id]
        n_req = len(requests)
        n_present = sum(1 for q in requests if truth.get(q.id) is not None)
        prior = (n_present + RATE_PSEUDO_COUNT * base.prior_present) / (n_req + RATE_PSEUDO_COUNT)
        prior = min(max(prior, 0.01), 0.99)
        meta["prior"] = f"{n_present}/{n_req} labelled requests present"
    with_u = base.replace(u=u)
    if pairs:
        m, swap_rate, n = estimate_m_from_pairs(pairs, with_u)
        meta["m"] = f"counted on {n} labelled true pairs (+{M_PSEUDO_COUNT:g} pseudo-counts)"
    elif requests is not None and em:
        m = estimate_m_with_em(registry, requests, with_u)
        meta["m"] = f"Splink EM over {len(requests)} unlabelled requests"
    else:
        meta["m"] = base.meta.get("m", "a priori")
    params = base.replace(u=u, m=m, swap_rate=swap_rate, prior_present=prior, meta=meta)
    if calibrate and requests is not None and truth is not None:
        index = MatchIndex(params, policy)
        index.add_many(registry)
        params = fit_calibration(params, index, requests, truth)
        params.meta["calibration"] = f"Platt scaling on top candidates of {len(requests)} requests"
    return params


def make_default_model(n: int = 50_000, seed: int = 1, max_pairs: float = 5_000_000) -> ModelParams:
    """The shipped default: a priori m, u sampled from a synthetic registry.

    u describes random pairs of different people, so it needs no labels; the synthetic
    registry (:mod:`kinlink.matching.synthetic`) has common Persian names at realistic,
    very uneven frequencies.  Re-fit u on the real registry with :func:`fit_model`.
    """
    from .synthetic import make_registry

    registry = make_registry(n, seed=seed)
    u = estimate_u(registry, max_pairs=max_pairs, seed=seed)
    m = {f: _normalise(dict(v)) for f, v in A_PRIORI_M.items()}
    return ModelParams(
        m=m,
        u=u,
        prior_present=0.5,
        swap_rate=0.05,
        tf_min=1e-6,
        calibration=(1.0, 0.0),
        meta={
            "m": "a priori (kinlink.matching.model.A_PRIORI_M), not fitted",
            "u": f"Splink random sampling over {n} synthetic registry persons, "
            f"max_pairs={max_pairs:g}",
            "prior_present": "a priori: as likely present as absent",
            "swap_rate": "a priori: 1 in 20 records has given and family name swapped",
        },
    )


if __name__ == "__main__":  # pragma: no cover
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).with_name("default_model.json"))
    make_default_model().to_json(out)
    print(f"wrote {out}")
