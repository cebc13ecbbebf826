"""Server time of the tracing pages with a large registry on PostgreSQL (issue 4, item 8).

    .venv/bin/python -m bench.tracing_pages                  # 1,000,000 persons (throwaway)
    .venv/bin/python -m bench.large_registry --keep          # build once ...
    .venv/bin/python -m bench.tracing_pages --keep           # ... and time it as often as needed
    .venv/bin/python -m bench.tracing_pages --persons 20000 --enquiries 500 --repeat 20

The registry comes from bench.large_registry (200 caseworkers in 20 teams: about 5,000
persons and 100 enquiries per caseworker, 50,000 persons and 1,000 enquiries per
supervisor). Each page is requested in process through Django's test client as a logged-in
caseworker or supervisor, a different record each time, and the whole request is timed
(URL resolution, middleware, queries, template): server time without the network. Prints
median, 95th percentile and queries per request; the target is under 200 ms for each;
writes bench/out/tracing_pages.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from bench import large_registry

OUT = Path(__file__).resolve().parent / "out"
TARGET_MS = 200.0


def _pages(caseworker, supervisor, rng: random.Random) -> list[tuple[str, object, list[str]]]:
    """(label, user, URLs to request in turn)."""
    from kinlink.people.selectors import persons_visible_to
    from kinlink.tracing.models import Candidate
    from kinlink.tracing.selectors import enquiries_visible_to

    def persons_of(user, n=200):
        ids = list(persons_visible_to(user).values_list("id", flat=True)[:5000])
        return rng.sample(ids, min(n, len(ids)))

    def enquiries_of(user, n=200):
        ids = list(enquiries_visible_to(user).values_list("id", flat=True))
        with_candidates = set(
            Candidate.objects.filter(enquiry_id__in=ids).values_list("enquiry_id", flat=True)
        )
        ids = [i for i in ids if i in with_candidates] or ids
        return rng.sample(ids, min(n, len(ids)))

    def names_of(user, n=50):
        from kinlink.people.models import PersonName

        ids = persons_of(user, n)
        return [
            name.split()[0]
            for name in PersonName.objects.filter(person_id__in=ids, kind="legal").values_list(
                "family_name", flat=True
            )
            if name.strip()
        ]

    pages = []
    for role, user in (("caseworker", caseworker), ("supervisor", supervisor)):
        pages += [
            (f"person page ({role})", user, [
                f"/en/tracing/persons/{i}/" for i in persons_of(user)
            ]),
            (f"person detail ({role})", user, [f"/en/persons/{i}/" for i in persons_of(user)]),
            (f"enquiry page ({role})", user, [f"/en/tracing/{i}/" for i in enquiries_of(user)]),
            (f"caseload list ({role})", user, ["/en/tracing/"] + [
                f"/en/tracing/?page={p}" for p in range(2, 5)
            ]),
            (f"caseload search ({role})", user, [f"/en/tracing/?q={q}" for q in names_of(user)]),
            (f"persons list ({role})", user, ["/en/persons/"] + [
                f"/en/persons/?page={p}" for p in range(2, 9)
            ]),
            (f"persons search ({role})", user, [f"/en/persons/?q={q}" for q in names_of(user)]),
            (f"home ({role})", user, ["/en/"]),
        ]  # fmt: skip
    return pages


def time_pages(repeat: int, seed: int = 7) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kinlink.accounts.models import User

    rng = random.Random(seed)
    caseworker = User.objects.filter(username__startswith="bench-cw-").order_by("id")[33]
    supervisor = User.objects.filter(username__startswith="bench-sup-").order_by("id")[3]
    results = []
    for label, user, urls in _pages(caseworker, supervisor, rng):
        client = Client()
        client.force_login(user)
        client.get(urls[0])  # warm: first request of a kind compiles templates
        times, queries, sizes = [], [], []
        for k in range(repeat):
            url = urls[k % len(urls)]
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{label}: {url} answered {response.status_code}")
            times.append(elapsed * 1000)
            queries.append(len(captured))
            sizes.append(len(response.content))
        times.sort()
        row = {
            "page": label,
            "requests": repeat,
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1),
            "queries": max(queries),
            "kb": round(statistics.median(sizes) / 1024, 1),
        }
        row["ok"] = row["p95_ms"] < TARGET_MS
        results.append(row)
        print(
            f"{label:<30} median {row['median_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms   "
            f"max {row['max_ms']:7.1f} ms   {row['queries']:3d} queries   "
            f"{'ok' if row['ok'] else 'OVER ' + str(int(TARGET_MS)) + ' ms'}",
            flush=True,
        )
    return results


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--enquiries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=50, help="requests per page (>= 50)")
    parser.add_argument("--keep", action="store_true", help="reuse / keep the filled cluster")
    args = parser.parse_args(argv)
    state = large_registry.prepare(args.persons, args.enquiries, keep=args.keep)
    try:
        print(f"load average before: {_load()}", flush=True)
        results = time_pages(args.repeat)
        print(f"load average after: {_load()}", flush=True)
    finally:
        large_registry.finish(state)
    OUT.mkdir(exist_ok=True)
    report = {
        "persons": args.persons,
        "enquiries": args.enquiries,
        "target_ms": TARGET_MS,
        "load_average": _load(),
        "pages": results,
    }
    (OUT / "tracing_pages.json").write_text(json.dumps(report, indent=2))
    over = [r["page"] for r in results if not r["ok"]]
    print("all pages under the target" if not over else f"over the target: {', '.join(over)}")


if __name__ == "__main__":
    main()
