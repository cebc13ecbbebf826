"""How ambiguous are the enquiries? An upper bound on recall@1 for any matcher.

    .venv/bin/python -m bench.ambiguity --size 1m [--requests N]

Uses the generator's hidden truth files (the lexicon names behind each record). For
each present eval enquiry it counts the registry persons that fit the enquiry at
least as well as the true person on every field the enquiry gives, assuming the
names themselves were matched perfectly: same given name (or alias) and family
name; for father, mother, place and gender, recorded and equal wherever the true
person's record is recorded and equal; birth year at least as close. A perfect
matcher that sees only these fields can do no better than pick one of them, so
mean(1 / count) bounds recall@1 from above (ties broken at random).
"""

from __future__ import annotations

import argparse

import duckdb

from bench.common import BENCH


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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
