"""Splink 5 (DuckDB backend) baseline for the cross-script benchmark and FEBRL4.

Trained the way Splink's documentation recommends for a link-only job:
comparisons from the comparison library (NameComparison = exact / Jaro-Winkler
0.92 / 0.88 / 0.70 on each name, a year-difference comparison for birth,
ExactMatch with term-frequency adjustment on gender and place), blocking rules
for predictions, ``estimate_probability_two_random_records_match`` from a
deterministic rule, u by random sampling, then expectation maximisation on two
different blocking rules so that every comparison's m is trained, then
``predict`` and rank per enquiry.

Splink has no cross-script matching, so its input gets the generic
preprocessing a Splink user would apply: names transliterated to ASCII with
``anyascii`` (a general-purpose transliterator), lower-cased, punctuation
removed; Solar Hijri birth dates converted to Gregorian years.
"""

from __future__ import annotations

import re
import time

import duckdb
import pyarrow as pa

from bench.common import gregorian, log

TOP_K = 10


def _clean_name(text: str | None) -> str | None:
    if not text:
        return None
    from anyascii import anyascii

    out = re.sub(r"[^a-z ]", "", anyascii(text).lower())
    out = re.sub(r"\s+", " ", out).strip()
    return out or None


def _prep(rows: list[dict], id_col: str) -> pa.Table:
    cols: dict[str, list] = {
        k: []
        for k in (
            "unique_id",
            "given_name",
            "family_name",
            "father_name",
            "mother_name",
            "birth_year",
            "dob",
            "gender",
            "birth_place",
        )
    }
    for r in rows:
        y, iso = gregorian(r.get("birth_date"))
        cols["unique_id"].append(r[id_col])
        cols["given_name"].append(_clean_name(r.get("given_name")))
        cols["family_name"].append(_clean_name(r.get("family_name")))
        cols["father_name"].append(_clean_name(r.get("father_name")))
        cols["mother_name"].append(_clean_name(r.get("mother_name")))
        cols["birth_year"].append(y)
        cols["dob"].append(iso)
        cols["gender"].append(r.get("gender") or None)
        cols["birth_place"].append(_clean_name(r.get("birth_place")))
    return pa.table(cols)


def link(
    registry: list[dict], enquiries: list[dict], top_k: int = TOP_K, max_u_pairs: float = 1e7
) -> tuple[dict[str, list[tuple[str, float]]], dict]:
    """Train and predict; returns (request_id -> ranked [(person_id, prob)], timings)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    reg = db_api.register(_prep(registry, "person_id"), table_name="registry")
    enq = db_api.register(_prep(enquiries, "request_id"), table_name="enquiries")
    t_prep = time.perf_counter() - t0

    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("father_name"),
            cl.NameComparison("mother_name"),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("birth_year"),
                    cll.ExactMatchLevel("birth_year"),
                    cll.AbsoluteDifferenceLevel("birth_year", 1),
                    cll.AbsoluteDifferenceLevel("birth_year", 3),
                    cll.ElseLevel(),
                ],
                output_column_name="birth_year",
            ),
            cl.ExactMatch("gender"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("family_name", "birth_year"),
            block_on("given_name", "birth_year"),
            block_on("father_name", "birth_year"),
            # a generic fuzzy block: initials and birth year
            block_on("substr(given_name, 1, 1)", "substr(family_name, 1, 1)", "birth_year"),
            # swapped given and family names
            "l.given_name = r.family_name and l.family_name = r.given_name",
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([reg, enq], settings, log_level="WARNING")
    t1 = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_year")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_year", "father_name")
    )
    t_train = time.perf_counter() - t1

    t2 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=0.001)
    rel = pred.as_duckdbpyrelation()
    con.register("pred_rel", rel)
    rows = con.execute(
        """
        select req, pid, p, rk from (
          select case when source_dataset_l = 'enquiries' then unique_id_l else unique_id_r end req,
                 case when source_dataset_l = 'enquiries' then unique_id_r else unique_id_l end pid,
                 match_probability p,
                 row_number() over (partition by
                     case when source_dataset_l = 'enquiries' then unique_id_l else unique_id_r end
                     order by match_probability desc) rk
          from pred_rel) where rk <= ? order by req, rk
    """,
        [int(top_k)],
    ).fetchall()
    t_predict = time.perf_counter() - t2
    out: dict[str, list[tuple[str, float]]] = {}
    for req, pid, p, _ in rows:
        out.setdefault(req, []).append((pid, float(p)))
    timings = {
        "prep_s": t_prep,
        "train_s": t_train,
        "predict_s": t_predict,
        "total_s": time.perf_counter() - t0,
    }
    log(f"splink: prep {t_prep:.1f}s train {t_train:.1f}s predict {t_predict:.1f}s")
    return out, timings
