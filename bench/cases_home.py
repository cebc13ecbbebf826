"""The caseworker's home page with 100,000 cases on PostgreSQL: time the deadlines it shows.

    .venv/bin/python -m bench.cases_home                     # throwaway cluster (scripts/pg_up.sh)
    .venv/bin/python -m bench.cases_home --cases 20000
    DATABASE_URL=postgresql://user@host/throwaway .venv/bin/python -m bench.cases_home

Builds N cases (100 caseworkers in 10 teams with a supervisor each, so about 1,000 cases per
caseworker), one person and name per case, the stage moves that brought each case to its
stage, eight plan tasks per case (most done, due dates spread over a year around today, so
each caseworker has a few hundred overdue) and a document with an expiry date per case, a
third of them with a renewal task. Rows are inserted in bulk, without audit entries.

Then times, repeated, median and 95th percentile, in process (server time, no network):
- `cases.selectors.deadlines_for` for a caseworker and for a supervisor (team overdue);
- the deadlines panel the home page includes (`{% deadlines_panel %}`), query and rendering;
- the whole request for the current home page (`/en/`) and for `/en/cases/deadlines/`
  (the panel plus documents expiring in 90 days) and the caseload page `/en/cases/`.
Prints the figures; writes them to bench/out/cases_home.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
TEAMS, CASEWORKERS_PER_TEAM, TASKS_PER_CASE = 10, 10, 8
BATCH = 5000
UNUSABLE = "!"  # Django's mark for "no password": nobody logs in with it


def _start_postgres() -> tuple[str, str]:
    out = subprocess.run(
        [str(ROOT / "scripts" / "pg_up.sh")], check=True, capture_output=True, text=True
    ).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return values["PGTMP"], f"postgresql://postgres@127.0.0.1:{values['PGPORT']}/kinlink_test"


def _setup() -> None:
    os.environ.setdefault("KINLINK_DATA", tempfile.mkdtemp(prefix="kinlink-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.settings")
    os.environ["KINLINK_ALLOWED_HOSTS"] = "testserver,localhost"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _staff():
    from kinlink.accounts.models import Team, User

    teams = Team.objects.bulk_create([Team(name=f"Team {t}") for t in range(TEAMS)])
    users = [
        User(username=f"cw{t}-{c}", role="caseworker", team=team, password=UNUSABLE)
        for t, team in enumerate(teams)
        for c in range(CASEWORKERS_PER_TEAM)
    ]
    users += [
        User(username=f"sup{t}", role="supervisor", team=team, password=UNUSABLE)
        for t, team in enumerate(teams)
    ]
    User.objects.bulk_create(users)
    caseworkers = list(User.objects.filter(role="caseworker").order_by("id"))
    supervisors = list(User.objects.filter(role="supervisor").order_by("id"))
    return caseworkers, supervisors


def _bulk(model, rows: list) -> list:
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH])
    return created


def build(size: int, seed: int) -> dict:
    """Insert the data set; returns counts and the users to time."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kinlink.cases.models import (
        Case,
        Document,
        DocumentType,
        Pathway,
        StageMove,
        Task,
        TaskKind,
        TaskStatus,
    )
    from kinlink.people.models import Person, PersonName

    rng = random.Random(seed)
    today = timezone.localdate()
    started = time.perf_counter()
    with transaction.atomic():
        caseworkers, supervisors = _staff()
        pathway = Pathway.objects.get(is_default=True)
        stages = list(pathway.stages.order_by("position"))
        templates = [t for s in stages for t in s.task_templates.all()]
        permit = DocumentType.objects.get(code="residence_permit")
        persons = _bulk(
            Person,
            [
                Person(
                    reference=f"P-{i + 1:06d}",
                    caseworker=caseworkers[i % len(caseworkers)],
                    team_id=caseworkers[i % len(caseworkers)].team_id,
                )
                for i in range(size)
            ],
        )
        _bulk(
            PersonName,
            [
                PersonName(person=p, given_name=f"Given{i}", family_name=f"Family{i % 997}")
                for i, p in enumerate(persons)
            ],
        )
        cases, moves_per_case = [], []
        for i, person in enumerate(persons):
            reached = rng.randrange(len(stages))
            opened = today - dt.timedelta(days=rng.randrange(30, 900))
            moments = sorted(
                opened + dt.timedelta(days=rng.randrange(0, 30 * (k + 1)))
                for k in range(reached + 1)
            )
            moments[0] = opened
            when = [timezone.make_aware(dt.datetime.combine(day, dt.time(12))) for day in moments]
            stage = stages[reached]
            cases.append(
                Case(
                    reference=f"C-{i + 1:06d}",
                    person=person,
                    pathway=pathway,
                    stage=stage,
                    stage_entered_at=when[-1],
                    caseworker=person.caseworker,
                    team_id=person.team_id,
                    opened_on=opened,
                    closed_on=moments[-1] if stage.is_final else None,
                    outcome="relocated" if stage.is_final else "",
                )
            )
            moves_per_case.append(list(zip(stages[: reached + 1], when, strict=True)))
        cases = _bulk(Case, cases)
        moves = [
            StageMove(
                case=case,
                from_stage=stages[k - 1] if k else None,
                to_stage=stage,
                moved_at=moment,
                moved_by=case.caseworker,
                reason="bench",
            )
            for case, stays in zip(cases, moves_per_case, strict=True)
            for k, (stage, moment) in enumerate(stays)
        ]
        _bulk(StageMove, moves)
        documents = _bulk(
            Document,
            [
                Document(
                    case=case,
                    document_type=permit,
                    issuing_country="Albania",
                    expires_on=today + dt.timedelta(days=rng.randrange(-60, 730)),
                )
                for case in cases
            ],
        )
        tasks = []
        for case, document in zip(cases, documents, strict=True):
            for template in rng.sample(templates, TASKS_PER_CASE):
                due = today + dt.timedelta(days=rng.randrange(-200, 200))
                # Closing a case cancels its open tasks (cases.services): a closed case
                # has none.
                done = (
                    case.closed_on is not None
                    or (due < today - dt.timedelta(days=3) and rng.random() < 0.9)
                    or rng.random() < 0.5
                )
                tasks.append(
                    Task(
                        case=case,
                        title=template.title,
                        kind=TaskKind.PLAN,
                        owner=case.caseworker,
                        due_on=due,
                        status=TaskStatus.DONE if done else TaskStatus.OPEN,
                        template=template,
                    )
                )
            if case.closed_on is None and rng.random() < 0.33:
                tasks.append(
                    Task(
                        case=case,
                        title="Renew Residence permit",
                        kind=TaskKind.RENEWAL,
                        owner=case.caseworker,
                        due_on=document.expires_on - dt.timedelta(days=60),
                        document=document,
                        for_expiry=document.expires_on,
                    )
                )
        _bulk(Task, tasks)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "cases": len(cases),
        "stage_moves": len(moves),
        "tasks": len(tasks),
        "documents": len(documents),
        "caseworker": caseworkers[0].pk,
        "supervisor": supervisors[0].pk,
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def existing() -> dict:
    """The counts and users of a data set built by an earlier run."""
    from kinlink.accounts.models import User
    from kinlink.cases.models import Case, Document, StageMove, Task

    return {
        "cases": Case.objects.count(),
        "stage_moves": StageMove.objects.count(),
        "tasks": Task.objects.count(),
        "documents": Document.objects.count(),
        "caseworker": User.objects.get(username="cw0-0").pk,
        "supervisor": User.objects.get(username="sup0").pk,
        "build_seconds": 0,
    }


def _time(call: Callable[[], object], repeat: int) -> dict:
    from django.db import connection

    call()  # warm caches (templates, query plans)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(int(len(samples) * 0.95) - 1, 0)], 1),
        "min_ms": round(samples[0], 1),
        "python_cpu_ms": round(statistics.median(cpu), 1),
        "queries": len(queries),
    }


def _panel(user) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/en/")
    request.user = user
    return Template("{% load cases %}{% deadlines_panel %}").render(
        Context({"request": request, "calendar": "gregorian"})
    )


def _get(client, url: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def run(stats: dict, repeat: int) -> list[dict]:
    from django.test import Client

    from kinlink.accounts.models import User
    from kinlink.cases.selectors import deadlines_for

    caseworker = User.objects.get(pk=stats["caseworker"])
    supervisor = User.objects.get(pk=stats["supervisor"])
    client = Client()
    client.force_login(caseworker)
    deadlines = deadlines_for(caseworker)
    team = deadlines_for(supervisor)
    print(
        f"caseworker {caseworker.username}: {deadlines.overdue_count} overdue, "
        f"{deadlines.due_soon_count} due within 7 days; supervisor {supervisor.username}: "
        f"{team.team_overdue_count} overdue in the team"
    )
    measures = [
        ("deadlines_for (caseworker)", lambda: deadlines_for(caseworker)),
        ("deadlines_for (supervisor)", lambda: deadlines_for(supervisor)),
        ("deadlines panel: query + render", lambda: _panel(caseworker)),
        ("GET /en/ (home page today)", _get(client, "/en/")),
        ("GET /en/cases/deadlines/", _get(client, "/en/cases/deadlines/")),
        ("GET /en/cases/ (caseload)", _get(client, "/en/cases/")),
    ]
    return [{"measure": name, **_time(call, repeat)} for name, call in measures]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with DATABASE_URL: time the data a previous run built there, build nothing",
    )
    args = parser.parse_args(argv)
    pgtmp = None
    if not os.environ.get("DATABASE_URL"):
        pgtmp, os.environ["DATABASE_URL"] = _start_postgres()
    try:
        _setup()
        from django.db import connection

        version = getattr(connection, "pg_version", "")
        print(f"database: {connection.vendor} {version}")
        stats = existing() if args.reuse else build(args.cases, args.seed)
        print(
            f"built {stats['cases']:,} cases, {stats['stage_moves']:,} stage moves, "
            f"{stats['tasks']:,} tasks, {stats['documents']:,} documents "
            f"in {stats['build_seconds']} s"
        )
        results = run(stats, args.repeat)
    finally:
        if pgtmp:
            from django.db import connections

            connections.close_all()
            subprocess.run([str(ROOT / "scripts" / "pg_down.sh"), pgtmp], check=False)
    width = max(len(r["measure"]) for r in results)
    load = os.getloadavg()[0]
    print(f"\nload average {load:.1f} on {os.cpu_count()} CPUs (timings are wall clock)")
    print(f"{'measure':<{width}}  median ms  p95 ms  min ms  python cpu ms  queries")
    for r in results:
        print(
            f"{r['measure']:<{width}}  {r['median_ms']:>9}  {r['p95_ms']:>6}  {r['min_ms']:>6}"
            f"  {r['python_cpu_ms']:>13}  {r['queries']:>7}"
        )
    OUT.mkdir(exist_ok=True)
    report = {"stats": stats, "load_average": load, "cpus": os.cpu_count(), "results": results}
    (OUT / "cases_home.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
