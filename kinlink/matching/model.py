"""The scoring model: Fellegi-Sunter weights, term frequencies, prior and calibration.

For each field the pair falls into one comparison level.  Each level has an ``m``
probability (how often a true match shows this level) and a ``u`` probability (how often
two different people do).  The evidence of a level is ``log2(m/u)`` bits; the bits of
all fields add up to the pair's *match weight*.  For names and places the agreeing
levels are weighed by the value's frequency in the registry instead of the average
``u`` (Splink's term-frequency adjustment: "Mohammad" says less than "Yeganeh").

A request is about at most one registry person.  With ``N`` persons in the registry and
prior probability ``prior_present`` that the sought person is among them at all, the
probability that candidate ``i`` is the one is::

    (prior_present/N) * 2**W_i / ((1 - prior_present) + (prior_present/N) * sum_j 2**W_j)

summing over the candidates found (everyone else has negligible weight).  Twenty
people called Mohammad Hosseini born in 1965 with nothing else known therefore share
the probability instead of each getting 0.99.  An optional Platt-style calibration
(slope and intercept on the log-odds, fitted on labelled data by
:func:`kinlink.matching.train.fit_calibration`) corrects what remains of the model's
independence assumptions.

Parameters live in a small JSON file (:meth:`ModelParams.to_json`); the package ships
:file:`default_model.json` and :func:`kinlink.matching.train.fit_model` makes new ones.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .features import FIELDS, LEVELS, MISSING, TF_FIELDS, TF_LEVELS

__all__ = ["A_PRIORI_M", "ModelParams", "TermFrequencies", "logit", "sigmoid"]

#: m probabilities set a priori (not fitted on any benchmark), from how records of the
#: same person differ when families and caseworkers write names down:
#: - about half of true pairs come in different scripts (a family's Latin spelling
#:   against a Persian-script record or the reverse), hence "other_script" close to
#:   "exact";
#: - a fifth are different Latin (or Arabic/Persian) spellings ("variant"), a few
#:   percent transliterations that confuse letters ("loose": Rida, Ikbar Bur, Thrny);
#: - a few percent nicknames or partial names, typos ("close"; "faint" when a typo meets
#:   a transliteration), and plain errors;
#: - fathers', mothers' names and places are noted less carefully (more "different";
#:   a province for a town, a full name for a given name);
#: - families usually know the birth year, often only roughly: most pairs agree on
#:   the year, a third are 1-3 years off, a few much further;
#: - gender is almost never wrong.
A_PRIORI_M: dict[str, dict[str, float]] = {
    "given_name": {
        "exact": 0.35,
        "other_script": 0.30,
        "variant": 0.22,
        "loose": 0.03,
        "nickname": 0.03,
        "close": 0.03,
        "faint": 0.03,
        "different": 0.01,
    },
    "family_name": {
        "exact": 0.38,
        "other_script": 0.30,
        "variant": 0.21,
        "loose": 0.03,
        "nickname": 0.02,
        "close": 0.03,
        "faint": 0.02,
        "different": 0.01,
    },
    "father_name": {
        "exact": 0.34,
        "other_script": 0.27,
        "variant": 0.18,
        "loose": 0.02,
        "nickname": 0.02,
        "close": 0.03,
        "faint": 0.04,
        "different": 0.10,
    },
    "mother_name": {
        "exact": 0.31,
        "other_script": 0.25,
        "variant": 0.17,
        "loose": 0.02,
        "nickname": 0.02,
        "close": 0.04,
        "faint": 0.05,
        "different": 0.14,
    },
    "birth": {
        "same_day": 0.20,
        "same_year_other_day": 0.04,
        "same_year": 0.46,
        "1_year": 0.15,
        "2_3_years": 0.09,
        "4_6_years": 0.04,
        "different": 0.02,
    },
    "gender": {"same": 0.98, "different": 0.02},
    "birth_place": {
        "exact": 0.41,
        "other_script": 0.28,
        "variant": 0.14,
        "loose": 0.02,
        "close": 0.02,
        "different": 0.13,
    },
}

_DEFAULT_JSON = "default_model.json"


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def logit(p: float) -> float:
    p = min(max(p, 1e-15), 1 - 1e-15)
    return math.log(p / (1 - p))


@dataclass
class ModelParams:
    """m and u probabilities per field and level, plus the few global settings.

    - ``prior_present``: probability that a request's person is in the registry at all.
    - ``swap_rate``: probability that given and family name were recorded the other way
      round; comparing the swapped reading costs ``log2(swap_rate)`` bits, the normal
      one ``log2(1 - swap_rate)``.
    - ``tf_min``: floor on a value's frequency, so that a name seen once in a small
      registry cannot make a match by itself.
    - ``calibration``: (slope, intercept) applied to the natural-log odds of the score.
    """

    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    prior_present: float = 0.5
    swap_rate: float = 0.05
    tf_min: float = 1e-6
    calibration: tuple[float, float] = (1.0, 0.0)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.calibration = (float(self.calibration[0]), float(self.calibration[1]))
        self.validate()
        self._build_tables()

    # -- construction ----------------------------------------------------------------
    def validate(self) -> None:
        for f in FIELDS:
            for table_name, table in (("m", self.m), ("u", self.u)):
                if f not in table:
                    raise ValueError(f"model: {table_name} probabilities for {f!r} missing")
                for lvl in LEVELS[f]:
                    p = table[f].get(lvl)
                    if p is None or not 0 < p <= 1:
                        raise ValueError(
                            f"model: {table_name}[{f!r}][{lvl!r}] must be in (0, 1], got {p!r}"
                        )
        if not 0 < self.prior_present < 1:
            raise ValueError("model: prior_present must be strictly between 0 and 1")
        if not 0 < self.swap_rate < 0.5:
            raise ValueError("model: swap_rate must be between 0 and 0.5")

    def _build_tables(self) -> None:
        self.weights: dict[str, dict[str, float]] = {}
        self.log2m: dict[str, dict[str, float]] = {}
        self.log2u: dict[str, dict[str, float]] = {}
        for f in FIELDS:
            self.weights[f] = {MISSING: 0.0}
            self.log2m[f] = {}
            self.log2u[f] = {}
            for lvl in LEVELS[f]:
                lm = math.log2(self.m[f][lvl])
                lu = math.log2(self.u[f][lvl])
                self.log2m[f][lvl] = lm
                self.log2u[f][lvl] = lu
                self.weights[f][lvl] = lm - lu
        # Term-frequency scaling: agreeing at a level L that means "the same name" (in
        # the same script, in another script, or a spelling variant) happens among
        # non-matches with probability tf(value) * u_L / U_same, where U_same is the
        # chance of any of those levels.  Splink divides by the (scaled) frequency.
        self.tf_scale: dict[str, dict[str, float]] = {}
        for f in TF_FIELDS:
            u_same = sum(self.u[f][lvl] for lvl in TF_LEVELS if lvl in self.u[f])
            self.tf_scale[f] = {
                lvl: self.u[f][lvl] / u_same for lvl in TF_LEVELS if lvl in self.u[f]
            }
        self.swap_penalty = math.log2(self.swap_rate)
        self.normal_penalty = math.log2(1.0 - self.swap_rate)

    @classmethod
    def default(cls) -> ModelParams:
        """The parameters shipped with the package (see docs/matching.md)."""
        return _load_default()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelParams:
        return cls(
            m={f: dict(v) for f, v in data["m"].items()},
            u={f: dict(v) for f, v in data["u"].items()},
            prior_present=float(data.get("prior_present", 0.5)),
            swap_rate=float(data.get("swap_rate", 0.05)),
            tf_min=float(data.get("tf_min", 1e-6)),
            calibration=tuple(data.get("calibration", (1.0, 0.0))),  # type: ignore[arg-type]
            meta=dict(data.get("meta", {})),
        )

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> ModelParams:
        p = Path(text_or_path) if not str(text_or_path).lstrip().startswith("{") else None
        text = p.read_text(encoding="utf-8") if p is not None else str(text_or_path)
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "kinlink-matching-model/1",
            "m": {f: {k: round(v, 12) for k, v in d.items()} for f, d in self.m.items()},
            "u": {f: {k: round(v, 12) for k, v in d.items()} for f, d in self.u.items()},
            "prior_present": self.prior_present,
            "swap_rate": self.swap_rate,
            "tf_min": self.tf_min,
            "calibration": list(self.calibration),
            "meta": self.meta,
        }

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def replace(self, **changes: Any) -> ModelParams:
        d = self.to_dict()
        for k, v in changes.items():
            d[k] = v
        return ModelParams.from_dict(d)

    # -- scoring ---------------------------------------------------------------------
    def level_weight(
        self,
        fld: str,
        level: str,
        tf_a: float | None = None,
        tf_b: float | None = None,
    ) -> float:
        """Bits of evidence of one field at one level (term-frequency adjusted).

        ``tf_a``/``tf_b`` are the registry frequencies of the two values (None when
        unknown).  With a frequency ``tf`` (the larger of the two), agreeing at a
        same-name level weighs ``log2(m_L / (tf * u_L / U_same))``: the chance that two
        different people share this particular name, split over the levels like the
        average ``u``.  This is Splink's term-frequency adjustment
        (``disable_tf_exact_match_detection``, a lookup table per level holding
        ``tf * u_L / U_same``, floor ``tf_min``), so batch and interactive agree.
        """
        if level == MISSING:
            return 0.0
        if fld in TF_FIELDS and level in TF_LEVELS and (tf_a is not None or tf_b is not None):
            tf = max(tf_a if tf_a is not None else tf_b, tf_b if tf_b is not None else tf_a)  # type: ignore[type-var]
            scaled = tf * self.tf_scale[fld][level]  # type: ignore[operator]
            return self.log2m[fld][level] - math.log2(max(scaled, self.tf_min))
        return self.weights[fld][level]

    def log2_prior(self, registry_size: int) -> tuple[float, float]:
        """(log2 of the prior of one given person, log2 of the prior of "not present")."""
        n = max(int(registry_size), 1)
        return math.log2(self.prior_present / n), math.log2(1.0 - self.prior_present)

    def probabilities(
        self, weights: list[float], registry_size: int
    ) -> tuple[list[float], list[float]]:
        """(calibrated scores with competition, pair probabilities without) for the
        match weights of all candidates of one request."""
        if not weights:
            return [], []
        a, b = self.log2_prior(registry_size)
        top = max(max(weights) + a, b)
        denom = 2.0 ** (b - top) + sum(2.0 ** (w + a - top) for w in weights)
        scores = []
        pair = []
        for w in weights:
            p = 2.0 ** (w + a - top) / denom
            scores.append(self.calibrate(p))
            # pair probability: this candidate against "not this person"
            pair.append(1.0 / (1.0 + 2.0 ** (b - (w + a))) if (b - (w + a)) < 1000 else 0.0)
        return scores, pair

    def calibrate(self, p: float) -> float:
        slope, intercept = self.calibration
        if slope == 1.0 and intercept == 0.0:
            return p
        return sigmoid(slope * logit(p) + intercept)


@cache
def _load_default_text() -> str:
    return resources.files(__package__).joinpath(_DEFAULT_JSON).read_text(encoding="utf-8")


def _load_default() -> ModelParams:
    return ModelParams.from_json(_load_default_text())


class TermFrequencies:
    """How often each value (by its cross-script key) occurs in the registry, per field.

    Counts persons' main names only (not aliases).  ``tf(field, key)`` is the share of
    persons with that value among those with the field filled, or None when unseen.
    """

    __slots__ = ("counts", "totals")

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {f: {} for f in TF_FIELDS}
        self.totals: dict[str, int] = dict.fromkeys(TF_FIELDS, 0)

    def add(self, fld: str, key: str | None, delta: int = 1) -> None:
        if key is None:
            return
        c = self.counts[fld]
        n = c.get(key, 0) + delta
        if n > 0:
            c[key] = n
        else:
            c.pop(key, None)
        self.totals[fld] += delta

    def tf(self, fld: str, key: str | None) -> float | None:
        if key is None:
            return None
        n = self.counts[fld].get(key)
        if not n:
            return None
        return n / self.totals[fld]

    @classmethod
    def from_counts(
        cls, counts: dict[str, dict[str, int]], totals: dict[str, int] | None = None
    ) -> TermFrequencies:
        """From stored counts (field -> frequency key -> persons), e.g. a DB table."""
        out = cls()
        for fld, c in counts.items():
            out.counts[fld] = dict(c)
            out.totals[fld] = (totals or {}).get(fld, sum(c.values()))
        return out

    def table(self, fld: str) -> list[tuple[str, float]]:
        """(key, frequency) rows, e.g. to register as a Splink lookup table."""
        total = self.totals[fld] or 1
        return [(k, n / total) for k, n in self.counts[fld].items()]
