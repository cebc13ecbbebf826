"""Shared helpers for the benchmark runners: data loading, metrics, memory."""

from __future__ import annotations

import json
import re
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
THRESHOLD = 0.9
FIELDS = [
    "given_name",
    "family_name",
    "father_name",
    "mother_name",
    "birth_date",
    "gender",
    "birth_place",
]


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(data_dir: Path):
    """(registry rows, enquiry rows, manifest) as lists of dicts."""
    registry = pq.read_table(data_dir / "registry.parquet").to_pylist()
    enquiries = pq.read_table(data_dir / "enquiries.parquet").to_pylist()
    manifest = json.loads((data_dir / "manifest.json").read_text())
    return registry, enquiries, manifest


def eval_enquiries(enquiries: list[dict], n: int | None) -> list[dict]:
    rows = [e for e in enquiries if e["split"] == "eval"]
    return rows[:n] if n else rows


_DATE = re.compile(r"^\s*(\d{4})(?:-?(\d{1,2})(?:-?(\d{1,2}))?)?\s*$")


def gregorian(text: str | None) -> tuple[int | None, str | None]:
    """(birth year, ISO date or None) for the Splink baseline's own preprocessing.

    YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD; a year below 1500 is Solar Hijri."""
    if not text:
        return None, None
    m = _DATE.match(text)
    if not m:
        return None, None
    y = int(m.group(1))
    mo = int(m.group(2)) if m.group(2) else None
    d = int(m.group(3)) if m.group(3) else None
    if y < 1500:
        if mo and d:
            import jdatetime

            try:
                g = jdatetime.date(y, mo, d).togregorian()
                return g.year, g.isoformat()
            except ValueError:
                return y + 621, None
        return y + 621, None
    if mo and d:
        return y, f"{y:04d}-{mo:02d}-{d:02d}"
    return y, None


# --------------------------------------------------------------------------- metrics


@dataclass
class Metrics:
    n_present: int
    n_absent: int
    recall_at_1: float
    recall_at_10: float
    recall_at_threshold: float
    false_alarm: float
    precision_at_threshold: float
    n_above_threshold: int


def compute_metrics(
    enquiries: list[dict], candidates: dict[str, list[tuple[str, float]]]
) -> Metrics:
    """``candidates``: request_id -> [(person_id, score)] ranked best first."""
    present = [e for e in enquiries if e["true_person_id"]]
    absent = [e for e in enquiries if not e["true_person_id"]]
    r1 = r10 = rt = 0
    for e in present:
        cands = candidates.get(e["request_id"], [])
        ids = [p for p, _ in cands[:10]]
        if ids[:1] == [e["true_person_id"]]:
            r1 += 1
        if e["true_person_id"] in ids:
            r10 += 1
        if any(p == e["true_person_id"] and s >= THRESHOLD for p, s in cands):
            rt += 1
    fa = sum(
        1 for e in absent if any(s >= THRESHOLD for _, s in candidates.get(e["request_id"], []))
    )
    above = correct = 0
    for e in enquiries:
        for p, s in candidates.get(e["request_id"], []):
            if s >= THRESHOLD:
                above += 1
                correct += p == e["true_person_id"]
    return Metrics(
        n_present=len(present),
        n_absent=len(absent),
        recall_at_1=r1 / max(len(present), 1),
        recall_at_10=r10 / max(len(present), 1),
        recall_at_threshold=rt / max(len(present), 1),
        false_alarm=fa / max(len(absent), 1),
        precision_at_threshold=correct / above if above else float("nan"),
        n_above_threshold=above,
    )


def per_source_recall(
    enquiries: list[dict], candidates: dict[str, list[tuple[str, float]]]
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for src in sorted({e["source"] for e in enquiries}):
        rows = [e for e in enquiries if e["source"] == src]
        m = compute_metrics(rows, candidates)
        out[src] = {
            "n": m.n_present,
            "recall@1": m.recall_at_1,
            "recall@10": m.recall_at_10,
            "false_alarm": m.false_alarm,
        }
    return out


def per_noise_recall(
    enquiries: list[dict], candidates: dict[str, list[tuple[str, float]]]
) -> dict[str, dict[str, float]]:
    """recall@1 / @10 of present enquiries by noise label (an enquiry counts under each)."""
    out: dict[str, dict[str, float]] = {}
    labels = sorted({n for e in enquiries for n in (e["noise"] or "none").split("|")})
    for lab in labels:
        rows = [e for e in enquiries if lab in (e["noise"] or "none").split("|")]
        m = compute_metrics(rows, candidates)
        if m.n_present:
            out[lab] = {"n": m.n_present, "recall@1": m.recall_at_1, "recall@10": m.recall_at_10}
    return out


def write_candidates(path: Path, candidates: dict[str, list[tuple[str, float]]]) -> None:
    """All ranked candidates, for analysis after the run."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    req, pid, rank, score = [], [], [], []
    for r, cands in candidates.items():
        for i, (p, s) in enumerate(cands):
            req.append(r)
            pid.append(p)
            rank.append(i + 1)
            score.append(s)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table({"request_id": req, "person_id": pid, "rank": rank, "score": score}), path
    )


def missed_cases(
    enquiries: list[dict],
    candidates: dict[str, list[tuple[str, float]]],
    registry_by_id: dict[str, dict],
    limit: int = 10,
) -> list[dict]:
    """Present enquiries whose true person is not ranked first, with both records."""
    fields = [
        "given_name",
        "family_name",
        "father_name",
        "mother_name",
        "birth_date",
        "gender",
        "birth_place",
    ]
    out = []
    for e in enquiries:
        if not e["true_person_id"]:
            continue
        cands = candidates.get(e["request_id"], [])
        if cands and cands[0][0] == e["true_person_id"]:
            continue
        true = registry_by_id[e["true_person_id"]]
        rank = next((i + 1 for i, (p, _) in enumerate(cands) if p == e["true_person_id"]), None)
        out.append(
            {
                "request_id": e["request_id"],
                "source": e["source"],
                "noise": e["noise"],
                "enquiry": {f: e[f] for f in fields},
                "true": {
                    "person_id": true["person_id"],
                    **{f: true[f] for f in fields},
                    "aliases": true["aliases"],
                    "source": true["source"],
                },
                "true_rank": rank,
                "top": [(p, round(s, 3)) for p, s in cands[:3]],
            }
        )
        if len(out) >= limit:
            break
    return out


def false_alarm_cases(
    enquiries: list[dict],
    candidates: dict[str, list[tuple[str, float]]],
    registry_by_id: dict[str, dict],
    limit: int = 10,
) -> list[dict]:
    """Absent-person enquiries that got a candidate scored >= THRESHOLD, with it."""
    out = []
    for e in enquiries:
        if e["true_person_id"]:
            continue
        hits = [(p, s) for p, s in candidates.get(e["request_id"], []) if s >= THRESHOLD]
        if not hits:
            continue
        p, s = hits[0]
        cand = registry_by_id[p]
        out.append(
            {
                "request_id": e["request_id"],
                "source": e["source"],
                "noise": e["noise"],
                "enquiry": {f: e[f] for f in FIELDS},
                "candidate": {
                    "person_id": p,
                    "score": round(s, 3),
                    **{f: cand[f] for f in FIELDS},
                    "aliases": cand["aliases"],
                },
            }
        )
        if len(out) >= limit:
            break
    return out


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False, default=str))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
