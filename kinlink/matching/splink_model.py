"""The engine's comparison levels written for Splink, on DuckDB or Spark.

Splink runs the batch linkage (comparisons and scores in SQL, on DuckDB by default or
on Spark) and estimates ``u`` probabilities by random sampling and ``m`` by
expectation-maximisation when there are no labels.  The levels below are the SQL twin
of :mod:`kinlink.matching.features`: the same rules on the same precomputed columns,
so the batch linkage and the interactive index give the same ranking for the same pair
(Jaro-Winkler is DuckDB's ``jaro_winkler_similarity`` or Splink's Spark UDF against
rapidfuzz in Python, which agree except on rare borderline strings).

Columns of the tables given to Splink (one row per name reading)::

    unique_id, source_dataset, grp, vidx, penalty,
    <p>_norm, <p>_script, <p>_roman, <p>_spell, <p>_skel, <p>_nick, <p>_codes, <p>_loose
        (lists of text), <p>_tf, <p>_onset, <p>_tail
        for p in gn (given), fn (family), fa (father), mo (mother), pl (birth place)
    birth_lo, birth_hi, birth_day, gender
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator

from .features import (
    BIRTH_LEVELS,
    FAINT_MAX_EDITS,
    FAINT_MIN_LEN,
    JW_CLOSE,
    JW_VARIANT,
    LEVELS,
    MISSING,
    NAME_LEVELS,
    PART_MIN,
    PLACE_LEVELS,
    TF_LEVELS,
)
from .model import ModelParams

__all__ = [
    "COLUMN_PREFIX",
    "FEATURE_COLUMNS",
    "TF_SUFFIX",
    "build_settings",
    "comparison_output_name",
    "level_of_gamma",
    "tf_column",
]

COLUMN_PREFIX: dict[str, str] = {
    "given_name": "gn",
    "family_name": "fn",
    "father_name": "fa",
    "mother_name": "mo",
    "birth_place": "pl",
}
FEATURE_COLUMNS: tuple[str, ...] = (
    *(
        f"{p}_{s}"
        for p in COLUMN_PREFIX.values()
        for s in (
            "norm",
            "script",
            "roman",
            "spell",
            "skel",
            "nick",
            "codes",
            "loose",
            "tf",
            "onset",
            "tail",
        )
    ),
    "birth_lo",
    "birth_hi",
    "birth_day",
    "gender",
)


def comparison_output_name(fld: str) -> str:
    return {"birth": "birth", "gender": "gender"}.get(fld, COLUMN_PREFIX.get(fld, fld))


def _mu(params: ModelParams | None, fld: str, level: str) -> dict[str, Any]:
    if params is None:
        return {}
    return {"m_probability": params.m[fld][level], "u_probability": params.u[fld][level]}


TF_SUFFIX = {"exact": "tfe", "other_script": "tfo", "variant": "tfv"}


def tf_column(prefix: str, level: str) -> str:
    """Input column (a copy of ``<prefix>_tf``) whose lookup table serves one level."""
    return f"{prefix}_{TF_SUFFIX[level]}"


def _tf(params: ModelParams | None, fld: str, level: str, prefix: str) -> dict[str, Any]:
    if level not in TF_LEVELS:
        return {}
    return {
        "tf_adjustment_column": tf_column(prefix, level),
        "tf_adjustment_weight": 1.0,
        "tf_minimum_u_value": params.tf_min if params is not None else 1e-6,
        "disable_tf_exact_match_detection": True,
    }


#: SQL functions that differ between the engines: Jaro-Winkler similarity and "the two
#: lists share an element" (Splink's Spark backend brings ``jaro_winkler`` as a UDF).
_DIALECT_SQL: dict[str, dict[str, str]] = {
    "duckdb": {"jw": "jaro_winkler_similarity({a}, {b})", "overlap": "list_has_any({a}, {b})"},
    "spark": {"jw": "jaro_winkler({a}, {b})", "overlap": "arrays_overlap({a}, {b})"},
}


def _is_part_sql(a: str, b: str) -> str:
    """features.is_part in SQL: one text (at least PART_MIN letters, shorter than the
    other) begins or ends the other."""

    def one_way(short: str, long_: str) -> str:
        return (
            f"(LENGTH({short}) >= {PART_MIN} AND LENGTH({long_}) > LENGTH({short})"
            f" AND ({long_} LIKE CONCAT({short}, '%') OR {long_} LIKE CONCAT('%', {short})))"
        )

    return f"({one_way(a, b)} OR {one_way(b, a)})"


def _same_skel_sql(p: str) -> str:
    """Same skeleton and no contradicting onsets (features.onsets_differ)."""
    return (
        f"({p}_skel_l = {p}_skel_r AND NOT ({p}_onset_l <> '' AND {p}_onset_r <> ''"
        f" AND {p}_onset_l <> {p}_onset_r))"
    )


def _spelled_sql(p: str, side: str) -> str:
    """features.NameFeat.spelled: ``<p>_spell`` (the letters of a Perso-Arabic value, the
    romanised form of any other) when both values are in one script, else romanised."""
    same = f"{p}_script_l = {p}_script_r"
    return f"(CASE WHEN {same} THEN {p}_spell_{side} ELSE {p}_roman_{side} END)"


def _name_comparison(
    fld: str, params: ModelParams | None, *, tf: bool, dialect: str
) -> cl.CustomComparison:
    p = COLUMN_PREFIX[fld]
    place = fld == "birth_place"
    fn = _DIALECT_SQL[dialect]

    def overlap(col: str) -> str:
        return fn["overlap"].format(a=f"{p}_{col}_l", b=f"{p}_{col}_r")

    a, b = _spelled_sql(p, "l"), _spelled_sql(p, "r")
    jw = fn["jw"].format(a=a, b=b)
    sql = {
        "exact": f"{p}_norm_l = {p}_norm_r",
        "other_script": (
            f"{p}_script_l <> {p}_script_r AND ({p}_roman_l = {p}_roman_r OR {overlap('codes')})"
        ),
        # a compound is not a spelling variant of its first part, nor of a name that ends
        # otherwise (features.name_level)
        "variant": (
            f"{_same_skel_sql(p)} OR ({jw} >= {JW_VARIANT} AND NOT {_is_part_sql(a, b)}"
            f" AND NOT ({p}_tail_l <> '' AND {p}_tail_r <> '' AND {p}_tail_l <> {p}_tail_r))"
        ),
        "loose": overlap("loose"),
        "nickname": f"{overlap('nick')} OR {_is_part_sql(f'{p}_skel_l', f'{p}_skel_r')}",
        "close": f"{jw} >= {JW_CLOSE}",
        # features.faint: skeletons one letter apart, the longer of two letters or more
        "faint": (
            f"{p}_skel_l <> '' AND {p}_skel_r <> ''"
            f" AND GREATEST(LENGTH({p}_skel_l), LENGTH({p}_skel_r)) >= {FAINT_MIN_LEN}"
            f" AND levenshtein({p}_skel_l, {p}_skel_r) BETWEEN 1 AND {FAINT_MAX_EDITS}"
        ),
    }
    levels: list[cll.ComparisonLevelCreator] = [
        cll.CustomLevel(f"{p}_norm_l IS NULL OR {p}_norm_r IS NULL", "missing").configure(
            is_null_level=True
        )
    ]
    for level in PLACE_LEVELS if place else NAME_LEVELS:
        creator = cll.ElseLevel() if level == "different" else cll.CustomLevel(sql[level])
        conf = {**_mu(params, fld, level), "label_for_charts": level}
        if tf:
            conf.update(_tf(params, fld, level, p))
        levels.append(creator.configure(**conf))
    return cl.CustomComparison(
        comparison_levels=levels,
        output_column_name=p,
        comparison_description=fld,
    )


_GAP = "GREATEST(birth_lo_l - birth_hi_r, birth_lo_r - birth_hi_l, 0)"


def _birth_comparison(params: ModelParams | None) -> cl.CustomComparison:
    sql = {
        "same_day": "birth_day_l = birth_day_r",
        "same_year_other_day": (
            f"birth_day_l IS NOT NULL AND birth_day_r IS NOT NULL AND {_GAP} = 0"
        ),
        "same_year": f"{_GAP} = 0",
        "1_year": f"{_GAP} <= 1",
        "2_3_years": f"{_GAP} <= 3",
        "4_6_years": f"{_GAP} <= 6",
    }
    levels: list[cll.ComparisonLevelCreator] = [
        cll.CustomLevel("birth_lo_l IS NULL OR birth_lo_r IS NULL", "missing").configure(
            is_null_level=True
        )
    ]
    for level in BIRTH_LEVELS:
        creator = cll.ElseLevel() if level == "different" else cll.CustomLevel(sql[level])
        levels.append(creator.configure(**_mu(params, "birth", level), label_for_charts=level))
    return cl.CustomComparison(
        comparison_levels=levels, output_column_name="birth", comparison_description="birth"
    )


def _gender_comparison(params: ModelParams | None) -> cl.CustomComparison:
    levels = [
        cll.CustomLevel("gender_l IS NULL OR gender_r IS NULL", "missing").configure(
            is_null_level=True
        ),
        cll.CustomLevel("gender_l = gender_r").configure(
            **_mu(params, "gender", "same"), label_for_charts="same"
        ),
        cll.ElseLevel().configure(
            **_mu(params, "gender", "different"), label_for_charts="different"
        ),
    ]
    return cl.CustomComparison(
        comparison_levels=levels, output_column_name="gender", comparison_description="gender"
    )


def build_settings(
    params: ModelParams | None,
    *,
    dialect: str = "duckdb",
    link_type: str = "link_only",
    tf: bool = True,
    probability_two_random_records_match: float = 1e-6,
    blocking_rules: list[Any] | None = None,
    retain_matching_columns: bool = False,
    max_iterations: int = 25,
) -> SettingsCreator:
    """Splink settings with the engine's levels (and the params' m/u when given), in
    SQL for ``dialect`` ("duckdb" or "spark")."""
    comparisons = [
        _name_comparison("given_name", params, tf=tf, dialect=dialect),
        _name_comparison("family_name", params, tf=tf, dialect=dialect),
        _name_comparison("father_name", params, tf=tf, dialect=dialect),
        _name_comparison("mother_name", params, tf=tf, dialect=dialect),
        _birth_comparison(params),
        _gender_comparison(params),
        _name_comparison("birth_place", params, tf=tf, dialect=dialect),
    ]
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules or [],
        probability_two_random_records_match=probability_two_random_records_match,
        retain_matching_columns=retain_matching_columns,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["grp", "vidx", "penalty"],
        max_iterations=max_iterations,
    )


def level_of_gamma(fld: str, gamma: int | None) -> str:
    """Level name for a Splink comparison vector value (-1 = missing)."""
    if gamma is None or gamma < 0:
        return MISSING
    levels = LEVELS[fld]
    return levels[len(levels) - 1 - int(gamma)]
