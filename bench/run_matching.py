"""Cross-script matching benchmark: kinlink vs Splink (DuckDB), same data, same run.

    .venv/bin/python -m bench.run_matching --size 20k
    .venv/bin/python -m bench.run_matching --size 1m --requests 10000     # quicker 1M run
    .venv/bin/python -m bench.run_matching --size both
    .venv/bin/python -m bench.run_matching --size 20k --systems kinlink --show-misses 10

Each system runs in its own subprocess so that its peak memory (ru_maxrss of
that process, data loading included) is its own. Figures are measured on the
``eval`` split only; the ``train`` split goes to kinlink's tuning function when
kinlink exposes one (Splink trains unsupervised, as its documentation
recommends). Results are written to bench/out/<size>-<system>.json and printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import (
    BENCH,
    THRESHOLD,
    compute_metrics,
    eval_enquiries,
    false_alarm_cases,
    load,
    log,
    missed_cases,
    peak_rss_mb,
    per_noise_recall,
    per_source_recall,
    write_candidates,
    write_json,
)

OUT = BENCH / "out"
DEFAULT_REQUESTS = {"tiny": 500, "20k": 5_000, "1m": 100_000}
LATENCY_SAMPLE = 1_000
_current_data = Path(".")
TOP_K = 10


# --------------------------------------------------------------------------- kinlink


def _kinlink_records(rows: list[dict], id_col: str, request: bool):
    from kinlink.calendars import parse_birth_date
    from kinlink.matching.records import MatchRequest, PersonRecord

    cls = MatchRequest if request else PersonRecord
    out = []
    for r in rows:
        birth = None
        if r.get("birth_date"):
            try:
                birth = parse_birth_date(r["birth_date"])
            except ValueError:
                birth = None
        out.append(
            cls(
                id=r[id_col],
                given_name=r.get("given_name") or None,
                family_name=r.get("family_name") or None,
                father_name=r.get("father_name") or None,
                mother_name=r.get("mother_name") or None,
                birth=birth,
                gender=r.get("gender") or None,
                birth_place=r.get("birth_place") or None,
                aliases=[a for a in (r.get("aliases") or "").split("|") if a],
            )
        )
    return out


def run_kinlink_fit(data_dir: Path, n_requests: int | None, show_misses: int) -> dict:
    """Tune kinlink on the train split only (the held-out source is not in it) and save
    the parameters for the search and batch workers."""
    from kinlink.matching.train import fit_model

    registry_rows, enquiry_rows, _ = load(data_dir)
    train = [e for e in enquiry_rows if e["split"] == "train"]
    persons = _kinlink_records(registry_rows, "person_id", request=False)
    del registry_rows
    train_requests = _kinlink_records(train, "request_id", request=True)
    truth = {e["request_id"]: (e["true_person_id"] or None) for e in train}
    t0 = time.perf_counter()
    params = fit_model(persons, requests=train_requests, truth=truth)
    fit_s = time.perf_counter() - t0
    path = _params_path(data_dir)
    params.to_json(path)
    return {
        "fit_s": fit_s,
        "params": str(path),
        "train_requests": len(train),
        "peak_rss_mb": peak_rss_mb(),
    }


def _params_path(data_dir: Path) -> Path:
    return OUT / f"{data_dir.name}-kinlink-params.json"


def _fit(train_rows: list[dict], persons: list, timings: dict):
    """The parameters the fit worker saved for this data set (None: engine defaults)."""
    path = _params_path(_current_data)
    if not path.exists():
        return None
    from kinlink.matching.model import ModelParams

    return ModelParams.from_json(path)


def run_kinlink_search(data_dir: Path, n_requests: int | None, show_misses: int) -> dict:
    """Interactive search: build the index, time one search per request on a sample."""
    from kinlink.matching.index import MatchIndex

    registry_rows, enquiry_rows, _manifest = load(data_dir)
    evals = eval_enquiries(enquiry_rows, n_requests)[:LATENCY_SAMPLE]
    train = [e for e in enquiry_rows if e["split"] == "train"]
    timings: dict[str, float] = {}
    persons = _kinlink_records(registry_rows, "person_id", request=False)
    requests = _kinlink_records(evals, "request_id", request=True)
    del registry_rows
    params = _fit(train, persons, timings)

    t0 = time.perf_counter()
    index = MatchIndex(params=params)
    index.add_many(persons)
    timings["index_build_s"] = time.perf_counter() - t0

    lat = []
    interactive: dict[str, list[tuple[str, float]]] = {}
    for req in requests:
        t = time.perf_counter()
        found = index.search(req, top_k=TOP_K)
        lat.append((time.perf_counter() - t) * 1000)
        interactive[str(req.id)] = [(str(c.person_id), float(c.score)) for c in found]
    lat.sort()
    return {
        "latency": {
            "p50_ms": statistics.median(lat),
            "p95_ms": lat[min(len(lat) - 1, math.ceil(0.95 * len(lat)) - 1)],
            "n": len(lat),
        },
        "timings": timings,
        "interactive_candidates": interactive,
        "interactive_sample": compute_metrics(evals, interactive).__dict__,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_kinlink(data_dir: Path, n_requests: int | None, show_misses: int) -> dict:
    """Batch linkage of all eval requests with kinlink's link_batch on DuckDB."""
    from kinlink.matching.batch import link_batch

    registry_rows, enquiry_rows, manifest = load(data_dir)
    evals = eval_enquiries(enquiry_rows, n_requests)
    train = [e for e in enquiry_rows if e["split"] == "train"]
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    persons = _kinlink_records(registry_rows, "person_id", request=False)
    requests = _kinlink_records(evals, "request_id", request=True)
    timings["records_s"] = time.perf_counter() - t0
    params = _fit(train, persons, timings)

    candidates: dict[str, list[tuple[str, float]]] = {}
    t0 = time.perf_counter()
    last = [0.0, ""]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != last[1] or now - last[0] > 30:
            log(f"kinlink batch: {stage} {done:,}/{total:,} ({now - t0:.0f}s)")
            last[:] = [now, stage]

    results = link_batch(
        requests,
        persons,
        top_k=TOP_K,
        threshold=0.0,
        backend="duckdb",
        params=params,
        progress=progress,
    )
    for res in results:
        candidates[str(res.request_id)] = [
            (str(c.person_id), float(c.score)) for c in res.candidates
        ]
    timings["batch_s"] = time.perf_counter() - t0
    report = _report(
        "kinlink",
        manifest,
        evals,
        candidates,
        registry_rows,
        timings,
        {"p50_ms": None, "p95_ms": None},
        "link_batch(duckdb)",
        show_misses,
    )
    report["batch_candidates_sample"] = {
        e["request_id"]: candidates.get(e["request_id"], []) for e in evals[:LATENCY_SAMPLE]
    }
    return report


def merge_kinlink(batch: dict, search: dict | None) -> dict:
    """One kinlink column: batch figures, plus latency and memory of the search index."""
    if search is None:
        return batch
    batch["latency"] = search["latency"]
    batch["timings"] = {**search["timings"], **batch["timings"]}
    batch["interactive_sample"] = search["interactive_sample"]
    batch["peak_rss_search_mb"] = search["peak_rss_mb"]
    # do the interactive search and the batch agree on the sample's top candidate?
    inter = search.get("interactive_candidates", {})
    both = [r for r in inter if r in batch.get("batch_candidates_sample", {})]
    same = sum(
        1
        for r in both
        if inter[r][:1]
        and batch["batch_candidates_sample"][r][:1]
        and inter[r][0][0] == batch["batch_candidates_sample"][r][0][0]
    )
    batch["search_batch_top1_agreement"] = same / len(both) if both else None
    batch.pop("batch_candidates_sample", None)
    return batch


# --------------------------------------------------------------------------- splink


def run_splink(data_dir: Path, n_requests: int | None, show_misses: int) -> dict:
    from bench.splink_baseline import link

    registry_rows, enquiry_rows, manifest = load(data_dir)
    evals = eval_enquiries(enquiry_rows, n_requests)
    candidates, timings = link(registry_rows, evals, top_k=TOP_K)
    timings["batch_s"] = timings["total_s"]
    latency = {
        "p50_ms": None,
        "p95_ms": None,
        "batch_per_query_ms": 1000 * timings["total_s"] / max(len(evals), 1),
    }
    return _report(
        "splink",
        manifest,
        evals,
        candidates,
        registry_rows,
        timings,
        latency,
        "predict (duckdb)",
        show_misses,
    )


# --------------------------------------------------------------------------- report


def _report(
    system, manifest, evals, candidates, registry_rows, timings, latency, batch_mode, show_misses
) -> dict:
    held = manifest["held_out_source"]
    write_candidates(OUT / f"{manifest['size']}-{system}-candidates.parquet", candidates)
    m = compute_metrics(evals, candidates)
    held_rows = [e for e in evals if e["source"] == held]
    rest_rows = [e for e in evals if e["source"] != held]
    hm = compute_metrics(held_rows, candidates)
    rm = compute_metrics(rest_rows, candidates)
    by_id = {r["person_id"]: r for r in registry_rows}
    return {
        "system": system,
        "size": manifest["size"],
        "registry_persons": len(registry_rows),
        "requests": len(evals),
        "held_out_source": held,
        "metrics": m.__dict__,
        "held_out": hm.__dict__,
        "not_held_out": rm.__dict__,
        "per_source": per_source_recall(evals, candidates),
        "per_noise": per_noise_recall(evals, candidates),
        "latency": latency,
        "timings": timings,
        "batch_mode": batch_mode,
        "peak_rss_mb": peak_rss_mb(),
        "misses": missed_cases(evals, candidates, by_id, limit=show_misses),
        "false_alarms": false_alarm_cases(evals, candidates, by_id, limit=show_misses),
    }


# --------------------------------------------------------------------------- driver


def _pct(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def print_table(results: list[dict]) -> None:
    if not results:
        return
    r0 = results[0]
    print(
        f"\n== cross-script benchmark: {r0['registry_persons']:,} registry persons, "
        f"{r0['requests']:,} eval enquiries "
        f"({r0['metrics']['n_present']:,} present, {r0['metrics']['n_absent']:,} absent); "
        f"held-out source: {r0['held_out_source']}"
    )
    rows = [
        ("recall@1", lambda r: _pct(r["metrics"]["recall_at_1"]), "≥ 93%"),
        ("recall@10", lambda r: _pct(r["metrics"]["recall_at_10"]), "≥ 98%"),
        (
            f"precision @ score ≥ {THRESHOLD}",
            lambda r: _pct(r["metrics"]["precision_at_threshold"]),
            "≥ 98%",
        ),
        (
            f"false alarms (absent) @ ≥ {THRESHOLD}",
            lambda r: _pct(r["metrics"]["false_alarm"]),
            "≤ 1%",
        ),
        (f"recall @ score ≥ {THRESHOLD}", lambda r: _pct(r["metrics"]["recall_at_threshold"]), ""),
        ("held-out recall@1", lambda r: _pct(r["held_out"]["recall_at_1"]), ""),
        ("held-out recall@10", lambda r: _pct(r["held_out"]["recall_at_10"]), ""),
        ("other sources recall@1", lambda r: _pct(r["not_held_out"]["recall_at_1"]), ""),
        ("other sources recall@10", lambda r: _pct(r["not_held_out"]["recall_at_10"]), ""),
        (
            "interactive search recall@1 (sample)",
            lambda r: (
                _pct(r["interactive_sample"]["recall_at_1"]) if "interactive_sample" in r else "n/a"
            ),
            "",
        ),
        ("search latency p50", lambda r: _ms(r["latency"].get("p50_ms"), r), "≤ 20 ms"),
        ("search latency p95", lambda r: _ms(r["latency"].get("p95_ms"), r), "≤ 50 ms"),
        (
            "index build (search)",
            lambda r: (
                f"{r['timings']['index_build_s']:.1f} s"
                if "index_build_s" in r["timings"]
                else "n/a"
            ),
            "",
        ),
        ("batch time (all requests)", lambda r: f"{r['timings']['batch_s']:.1f} s", ""),
        (
            "search/top-1 agrees with batch",
            lambda r: _pct(r.get("search_batch_top1_agreement")),
            "",
        ),
        (
            "peak memory, search (RSS)",
            lambda r: f"{r.get('peak_rss_search_mb', r['peak_rss_mb']) / 1024:.2f} GB",
            "",
        ),
        ("peak memory, batch (RSS)", lambda r: f"{r['peak_rss_mb'] / 1024:.2f} GB", "≤ 6 GB"),
    ]
    names = [r["system"] for r in results]
    w0 = max(len(x[0]) for x in rows) + 2
    print(f"{'':<{w0}}" + "".join(f"{n:>22}" for n in names) + f"{'target':>12}")
    for label, fn, target in rows:
        print(f"{label:<{w0}}" + "".join(f"{fn(r):>22}" for r in results) + f"{target:>12}")
    print("\nrecall@1 / recall@10 by source of the enquiry's spelling:")
    srcs = sorted({s for r in results for s in r["per_source"]})
    print(f"{'source':<16}{'n':>7}" + "".join(f"{n:>22}" for n in names))
    for s in srcs:
        n = results[0]["per_source"].get(s, {}).get("n", 0)
        cells = []
        for r in results:
            p = r["per_source"].get(s)
            cells.append(f"{_pct(p['recall@1'])} / {_pct(p['recall@10'])}" if p else "-")
        tag = " (held out)" if s == r0["held_out_source"] else ""
        print(f"{s + tag:<16}{n:>7}" + "".join(f"{c:>22}" for c in cells))
    print("\nrecall@1 / recall@10 by noise label of the enquiry (present enquiries):")
    labels = sorted({k for r in results for k in r.get("per_noise", {})})
    print(f"{'noise':<22}{'n':>7}" + "".join(f"{n:>22}" for n in names))
    for lab in labels:
        n = results[0].get("per_noise", {}).get(lab, {}).get("n", 0)
        cells = []
        for r in results:
            p = r.get("per_noise", {}).get(lab)
            cells.append(f"{_pct(p['recall@1'])} / {_pct(p['recall@10'])}" if p else "-")
        print(f"{lab:<22}{n:>7}" + "".join(f"{c:>22}" for c in cells))
    for r in results:
        t = ", ".join(f"{k} {v:.1f}s" for k, v in r["timings"].items())
        print(f"{r['system']}: {r['batch_mode']}; {t}")


def _ms(v, r) -> str:
    if v is None:
        per = r["latency"].get("batch_per_query_ms")
        return f"n/a (batch {per:.1f} ms/q)" if per is not None else "n/a"
    return f"{v:.1f} ms"


def print_misses(result: dict) -> None:
    if not result["misses"]:
        return
    print(f"\n{result['system']}: enquiries whose true person is not ranked first")
    for m in result["misses"]:
        print(
            f"- {m['request_id']} [{m['source']}; {m['noise'] or 'no noise'}] "
            f"true rank {m['true_rank']}, top {m['top']}"
        )
        print(f"    enquiry: {_fmt(m['enquiry'])}")
        print(f"    true   : {_fmt(m['true'])}")


def print_false_alarms(result: dict) -> None:
    if not result.get("false_alarms"):
        return
    print(
        f"\n{result['system']}: enquiries about ABSENT persons with a candidate scored "
        f">= {THRESHOLD}"
    )
    for m in result["false_alarms"]:
        print(f"- {m['request_id']} [{m['source']}; {m['noise'] or 'no noise'}]")
        print(f"    enquiry  : {_fmt(m['enquiry'])}")
        print(f"    candidate: {_fmt(m['candidate'])}")


def _fmt(d: dict) -> str:
    return " | ".join(f"{k}={v}" for k, v in d.items() if v)


def ensure_data(size: str, seed: int) -> Path:
    data_dir = BENCH / "data" / size
    if not (data_dir / "enquiries.parquet").exists():
        log(f"generating {size} benchmark data ...")
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "--size", size, "--seed", str(seed)],
            check=True,
            cwd=BENCH.parent,
        )
    return data_dir


def run_worker(
    system: str, data_dir: Path, n_requests: int | None, show_misses: int, timeout: float | None
) -> dict | None:
    out = OUT / f"{data_dir.name}-{system}.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.run_matching",
        "--worker",
        system,
        "--data",
        str(data_dir),
        "--out",
        str(out),
        "--show-misses",
        str(show_misses),
    ]
    if n_requests:
        cmd += ["--requests", str(n_requests)]
    log(f"running {system} on {data_dir.name} ...")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=BENCH.parent, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        log(f"{system} did not finish within {timeout:.0f}s; stopped")
        return None
    if proc.returncode != 0:
        log(f"{system} failed (exit {proc.returncode}) after {time.perf_counter() - t0:.0f}s")
        return None
    return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kinlink vs Splink on the cross-script benchmark")
    ap.add_argument("--size", default="20k", choices=["tiny", "20k", "1m", "both"])
    ap.add_argument("--requests", type=int, help="eval enquiries to link (default: all)")
    ap.add_argument("--systems", default="kinlink,splink")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show-misses", type=int, default=10)
    ap.add_argument("--timeout", type=float, help="seconds per system before giving up")
    ap.add_argument("--no-fit", action="store_true", help="kinlink with its default parameters")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        workers = {
            "kinlink": run_kinlink,
            "kinlink-search": run_kinlink_search,
            "kinlink-fit": run_kinlink_fit,
            "splink": run_splink,
        }
        fn = workers[a.worker]
        global _current_data
        _current_data = a.data
        result = fn(a.data, a.requests, a.show_misses)
        write_json(a.out, result)
        return 0

    sizes = ["20k", "1m"] if a.size == "both" else [a.size]
    for size in sizes:
        data_dir = ensure_data(size, a.seed)
        results = []
        for system in a.systems.split(","):
            system = system.strip()
            if system == "kinlink":
                _params_path(data_dir).unlink(missing_ok=True)
                fit = None if a.no_fit else run_worker("kinlink-fit", data_dir, None, 0, a.timeout)
                search = run_worker("kinlink-search", data_dir, a.requests, 0, a.timeout)
                r = run_worker("kinlink", data_dir, a.requests, a.show_misses, a.timeout)
                r = merge_kinlink(r, search) if r is not None else None
                if r is not None and fit is not None:
                    r["timings"]["fit_s"] = fit["fit_s"]
                    r["fit"] = fit
                if r is not None:
                    write_json(OUT / f"{data_dir.name}-kinlink.json", r)
            else:
                r = run_worker(system, data_dir, a.requests, a.show_misses, a.timeout)
            if r is not None:
                results.append(r)
        print_table(results)
        if (data_dir / "registry_truth.parquet").exists():
            from bench.ambiguity import bayes_floor, ceiling, floor_line

            c = ceiling(size, a.requests)
            print(
                f"ambiguity: the true person is the only equally good fit for "
                f"{100 * c['unique_share']:.1f}% of present enquiries; recall@1 upper bound "
                f"for a perfect name matcher: {100 * c['recall_at_1_bound']:.1f}% "
                f"(python -m bench.ambiguity)"
            )
            print(floor_line(bayes_floor(data_dir, "eval", a.requests)))
        for r in results:
            print_misses(r)
            print_false_alarms(r)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
