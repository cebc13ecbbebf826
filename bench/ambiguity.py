"""How ambiguous are the enquiries? What the best possible matcher would score.

    .venv/bin/python -m bench.ambiguity --size 1m [--requests N]

Both figures use the generator's hidden truth files (the lexicon names behind each
record), so they assume the names themselves were matched perfectly, across every
script and spelling.

- **Recall@1 ceiling** (:func:`ceiling`). For each present eval enquiry, the registry
  persons that fit it at least as well as the true person on every field it gives:
  same given name (or alias) and family name; for father, mother, place and gender,
  recorded and equal wherever the true person's record is recorded and equal; birth
  year at least as close. A matcher can do no better than pick one of them, so
  mean(1 / count) bounds recall@1 from above (ties broken at random).
- **Bayes floor of the false alarms** (:func:`bayes_floor`). The exact posterior
  probability that each registry person is the one an enquiry is about, computed with
  the generator's own model: its prior (share of enquiries about absent persons), its
  name, father, mother and place frequencies, how often a birth year is wrong and by
  how much, and how often a compound given name is shortened to its second part.
  These probabilities are calibrated by construction and use everything the data
  holds, so the share of enquiries about absent persons whose best candidate reaches
  0.9 is what a calibrated score that misses nothing must show: a lower false-alarm
  rate needs scores below the evidence (or evidence a matcher cannot have).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

from bench.common import BENCH, THRESHOLD
from bench.generate import ABSENT_SHARE, COMPOUND_PART_SHARE, YEAR_OFF_SHARE, YEAR_OFFSETS


def ceiling(size: str, n_requests: int | None = None) -> dict:
    d = BENCH / "data" / size
    con = duckdb.connect()
    # the SQL below is built from this benchmark's own file paths and column names
    reg_path = d / "registry_truth.parquet"
    con.execute(f"create view reg as select * from read_parquet('{reg_path}')")  # noqa: S608
    con.execute(
        f"""create view enq_all as
        select t.*, e.true_person_id from read_parquet('{d / "enquiries_truth.parquet"}') t
        join read_parquet('{d / "enquiries.parquet"}') e using (request_id)
        where e.split = 'eval' and e.true_person_id <> ''"""  # noqa: S608
    )
    if not n_requests:
        con.execute("create view enq as select * from enq_all")
    else:
        con.execute(
            f"""create view enq as select * from enq_all
            where request_id in (
              select request_id from read_parquet('{d / "enquiries.parquet"}')
              where split = 'eval' order by request_id limit {int(n_requests)})"""  # noqa: S608
        )
    # per-field "fit" score of a registry record for an enquiry: 1 recorded and equal,
    # 0 not recorded or not asked, -1 recorded and different
    fit = """
      (case when e.{f} = {none} or r.{f} = {none} then 0
            when e.{f} = r.{f} then 1 else -1 end)"""
    fields = {"father": "-1", "mother": "-1", "place": "-1", "gender": "''"}

    def fits(alias: str) -> str:
        return ", ".join(
            fit.format(f=f, none=none).replace("r.", f"{alias}.") + f" as {alias}_{f}"
            for f, none in fields.items()
        )

    year = (
        "case when e.year = -1 or {a}.birth_year = -1 then 1000 "
        "else abs({a}.birth_year - e.year) end as {a}_dy"
    )
    sql = f"""
    with t as (
      select e.*, {fits("tr")}, {year.format(a="tr")}
      from enq e join reg tr on tr.person_id = e.true_person_id
    ),
    c as (
      select e.request_id, {fits("r")}, {year.format(a="r")},
             e.tr_father, e.tr_mother, e.tr_place, e.tr_gender, e.tr_dy
      from t e
      join reg r on r.family = e.family and (r.given = e.given or r.alias = e.given)
    )
    select request_id, count(*) as n from c
    where r_father >= tr_father and r_mother >= tr_mother and r_place >= tr_place
      and r_gender >= tr_gender and r_dy <= tr_dy
    group by request_id
    """  # noqa: S608
    rows = con.execute(sql).fetchall()
    n_present = con.execute("select count(*) from enq").fetchone()[0]
    counts = [n for _, n in rows]
    bound = sum(1.0 / n for n in counts) / n_present if n_present else float("nan")
    unique = sum(1 for n in counts if n == 1) / n_present if n_present else float("nan")
    return {
        "present": n_present,
        "recall_at_1_bound": bound,
        "unique_share": unique,
        "max_namesakes": max(counts) if counts else 0,
    }


def _year_kernel() -> dict[int, float]:
    """P(stated year - true year), as the generator draws it."""
    kernel = Counter({0: 1.0 - YEAR_OFF_SHARE})
    for off in YEAR_OFFSETS:
        kernel[off] += YEAR_OFF_SHARE / len(YEAR_OFFSETS)
    return dict(kernel)


def _compound_parts(data_dir: Path) -> list[tuple[int, int]]:
    """(compound given name, its second part) as lexicon numbers, from the manifest."""
    manifest = json.loads((data_dir / "manifest.json").read_text())
    if "compound_parts" in manifest:
        return [(int(a), int(b)) for a, b in manifest["compound_parts"]]
    # data written before the manifest kept them: the full lexicon gives the same numbers
    from bench.generate import compound_parts
    from bench.lexicon import build_lexicon

    entities = list(build_lexicon())
    if len(entities) != manifest.get("lexicon_names"):
        raise SystemExit(f"{data_dir}: regenerate the data (python -m bench.generate)")
    return [(a, b) for a, (_, b) in compound_parts(entities).items()]


SPLITS = ("eval", "train")


def _load_truth(data_dir: Path, split: str, n_requests: int | None) -> duckdb.DuckDBPyConnection:
    """Tables reg, enq (the split's enquiries with their true person) and comp."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    for name in ("registry_truth.parquet", "enquiries_truth.parquet", "enquiries.parquet"):
        if not (data_dir / name).exists():
            raise SystemExit(f"{data_dir / name} is missing: run python -m bench.generate")
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    # the SQL below is built from this benchmark's own file paths and column names
    con.execute(
        f"create table reg as select * from read_parquet('{data_dir / 'registry_truth.parquet'}')"  # noqa: S608
    )
    order = f"order by request_id limit {int(n_requests)}" if n_requests else ""
    con.execute(
        f"""create table enq as select t.*, e.true_person_id
        from read_parquet('{data_dir / "enquiries_truth.parquet"}') t
        join read_parquet('{data_dir / "enquiries.parquet"}') e using (request_id)
        where e.split = '{split}' {order}"""  # noqa: S608
    )
    con.execute("create table comp(full_name bigint, part bigint)")
    con.executemany("insert into comp values (?, ?)", _compound_parts(data_dir))
    return con


def _frequencies(con: duckdb.DuckDBPyConnection, col: str) -> dict[int, float]:
    """Share of each recorded value of a registry column."""
    sql = f"select {col}, count(*) from reg where {col} <> -1 group by 1"  # noqa: S608
    rows = con.execute(sql).fetchall()
    total = sum(n for _, n in rows)
    return {v: n / total for v, n in rows}


def _given_name_prior(f_given: dict[int, float], part_of: dict[int, int]) -> dict[int, float]:
    """P(an enquiry states given name g | it is about nobody in the registry)."""
    prior: dict[int, float] = defaultdict(float)
    for g, f in f_given.items():
        if g in part_of:
            prior[g] += f * (1 - COMPOUND_PART_SHARE)
            prior[part_of[g]] += f * COMPOUND_PART_SHARE
        else:
            prior[g] += f
    return prior


def _year_prior(f_year: dict[int, float], kernel: dict[int, float]) -> dict[int, float]:
    """P(an enquiry states year y | it is about nobody in the registry)."""
    prior: dict[int, float] = defaultdict(float)
    for y, f in f_year.items():
        for off, k in kernel.items():
            prior[y + off] += f * k
    return prior


def _likelihood_ratios(con: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    """(request -> true person id, request -> [(LR, person id)] of persons with LR > 0)."""
    part_of = dict(con.execute("select full_name, part from comp").fetchall())
    p_given = _given_name_prior(_frequencies(con, "given"), part_of)
    f_family = _frequencies(con, "family")
    f_other = {f: _frequencies(con, f) for f in ("father", "mother", "place")}
    kernel = _year_kernel()
    p_year = _year_prior(_frequencies(con, "birth_year"), kernel)
    rows = con.execute(
        """select e.request_id, e.true_person_id, e.given, e.family, e.father, e.mother,
                  e.place, e.year, r.person_id, r.given, r.father, r.mother, r.place,
                  r.birth_year
        from enq e left join reg r on r.family = e.family and (r.given = e.given
             or r.given in (select full_name from comp where part = e.given))"""
    ).fetchall()
    truth: dict[str, str] = {}
    ratios: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for rid, tid, g, fam, fa, mo, pl, yr, pid, rg, rfa, rmo, rpl, ryr in rows:
        truth[rid] = tid
        if pid is None:
            continue
        if rg == g:
            lr = 1.0 - (COMPOUND_PART_SHARE if rg in part_of else 0.0)
        else:  # the enquiry gives the second part of the person's compound name
            lr = COMPOUND_PART_SHARE
        lr /= p_given[g] * f_family[fam]
        for name, ev, rv in (("father", fa, rfa), ("mother", mo, rmo), ("place", pl, rpl)):
            if ev != -1 and rv != -1:
                lr *= 1.0 / f_other[name][ev] if ev == rv else 0.0
        if yr != -1 and ryr != -1:
            off = kernel.get(yr - ryr, 0.0)
            lr *= off / p_year[yr] if off else 0.0
        if lr > 0:
            ratios[rid].append((lr, pid))
    return truth, ratios


def bayes_floor(data_dir: Path, split: str = "eval", n_requests: int | None = None) -> dict:
    """The generator's exact posterior for every (enquiry, registry person): false
    alarms, precision and recall at score >= THRESHOLD, recall@1 (see the module doc).

    A registry person j has likelihood ratio P(enquiry | about j) / P(enquiry | about
    nobody in the registry), a product over the fields both sides recorded: 1/f(v) for
    an equal value v of frequency f and 0 for a different one (names, father, mother,
    place); for the birth year P(stated - true) / P(stated). With N persons and prior
    p that the person is present, j's posterior is (p/N) LR_j / ((1 - p) + (p/N) sum LR).
    """
    con = _load_truth(data_dir, split, n_requests)
    n_persons = con.execute("select count(*) from reg").fetchone()[0]
    truth, ratios = _likelihood_ratios(con)
    prior = 1.0 - ABSENT_SHARE
    n_absent = n_present = above_true = above_false = first = 0
    alarms: list[str] = []
    bands: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0])  # n, sum, true
    for rid, tid in truth.items():
        cands = ratios.get(rid, [])
        denom = (1 - prior) + prior / n_persons * sum(lr for lr, _ in cands)
        for lr, pid in cands:
            post = prior / n_persons * lr / denom
            band = bands[min(int(post * 10), 9)]
            band[0] += 1
            band[1] += post
            band[2] += pid == tid
            if post >= THRESHOLD:
                above_true += pid == tid
                above_false += pid != tid
        best = max(cands, default=None)
        if tid:
            n_present += 1
            first += best is not None and best[1] == tid
        else:
            n_absent += 1
            if best is not None and prior / n_persons * best[0] / denom >= THRESHOLD:
                alarms.append(rid)
    return {
        "present": n_present,
        "absent": n_absent,
        "false_alarms": len(alarms),
        "false_alarm_requests": sorted(alarms),
        "false_alarm_rate": len(alarms) / n_absent if n_absent else float("nan"),
        "precision_at_threshold": above_true / max(above_true + above_false, 1),
        "recall_at_threshold": above_true / n_present if n_present else float("nan"),
        "recall_at_1": first / n_present if n_present else float("nan"),
        # (band's lower edge, candidates, mean posterior, share true): calibration
        "bands": [
            (b / 10, int(n), total / n, true / n) for b, (n, total, true) in sorted(bands.items())
        ],
    }


def floor_line(r: dict) -> str:
    return (
        f"Bayes floor (the generator's own posterior, perfect name matching): false alarms "
        f"at >= {THRESHOLD} {100 * r['false_alarm_rate']:.2f}% ({r['false_alarms']:,} of "
        f"{r['absent']:,} absent), precision {100 * r['precision_at_threshold']:.1f}%, "
        f"recall at >= {THRESHOLD} {100 * r['recall_at_threshold']:.1f}%, "
        f"recall@1 {100 * r['recall_at_1']:.1f}%"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="20k")
    ap.add_argument("--requests", type=int)
    a = ap.parse_args(argv)
    r = ceiling(a.size, a.requests)
    print(
        f"{a.size}: {r['present']:,} present eval enquiries; "
        f"true person the only equally good fit: {100 * r['unique_share']:.1f}%; "
        f"recall@1 upper bound (perfect name matching): {100 * r['recall_at_1_bound']:.1f}%; "
        f"most equally good fits for one enquiry: {r['max_namesakes']}"
    )
    print(f"{a.size}: " + floor_line(bayes_floor(BENCH / "data" / a.size, "eval", a.requests)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
