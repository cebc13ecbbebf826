"""Does the batch linkage on Apache Spark give the same top candidates as on DuckDB?

    .venv/bin/python -m bench.spark_agreement --size 20k --requests 1000

Links the first N eval enquiries of the cross-script benchmark against its registry twice
with `link_batch`, on DuckDB and on Spark (local[2]), with the same parameters, and prints
how often the two agree on the top candidate and on the set of the top 10, how far their
scores are apart, and each engine's time. Scores may differ a little: Splink's Spark
Jaro-Winkler UDF and DuckDB's disagree on some strings (docs/matching.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import BENCH, eval_enquiries, load
from bench.run_matching import _kinlink_records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="20k")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--spark-master", default="local[2]")
    a = ap.parse_args(argv)
    from kinlink.matching.batch import link_batch
    from kinlink.matching.model import ModelParams

    data = BENCH / "data" / a.size
    registry_rows, enquiry_rows, _ = load(data)
    persons = _kinlink_records(registry_rows, "person_id", request=False)
    requests = _kinlink_records(eval_enquiries(enquiry_rows, a.requests), "request_id", True)
    fitted = BENCH / "out" / f"{a.size}-kinlink-params.json"
    params = ModelParams.from_json(fitted) if fitted.exists() else None
    results = {}
    for backend in ("duckdb", "spark"):
        t0 = time.perf_counter()
        results[backend] = link_batch(
            requests, persons, top_k=10, backend=backend, spark_master=a.spark_master, params=params
        )
        print(f"{backend}: {time.perf_counter() - t0:.1f} s", flush=True)
    same_top1 = same_top10 = with_any = 0
    diffs = []
    for d, s in zip(results["duckdb"], results["spark"], strict=True):
        dc, sc = d.candidates, s.candidates
        if not dc and not sc:
            continue
        with_any += 1
        same_top1 += bool(dc and sc and dc[0].person_id == sc[0].person_id)
        same_top10 += {c.person_id for c in dc} == {c.person_id for c in sc}
        by_id = {c.person_id: c.score for c in sc}
        diffs += [abs(c.score - by_id[c.person_id]) for c in dc if c.person_id in by_id]
    print(
        f"{a.size}, {len(requests):,} enquiries with candidates on either engine: {with_any:,}\n"
        f"same top candidate: {100 * same_top1 / with_any:.1f}%\n"
        f"same set of top 10: {100 * same_top10 / with_any:.1f}%\n"
        f"score difference of shared candidates: median {statistics.median(diffs):.2e}, "
        f"max {max(diffs):.2e}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
