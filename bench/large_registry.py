"""Fill a PostgreSQL database with a large synthetic registry, for the page and load benchmarks.

    .venv/bin/python -m bench.large_registry                       # 1,000,000 persons, 20,000
                                                                    # enquiries, throwaway cluster
    .venv/bin/python -m bench.large_registry --keep                # keep the cluster for reuse
    .venv/bin/python -m bench.large_registry --drop                # stop a kept cluster
    .venv/bin/python -m bench.large_registry --persons 100000 --enquiries 2000

Persons come from the cross-script benchmark registry (bench/data/<size>/registry.parquet,
made by `python -m bench.generate --size 1m`: synthetic people only); without that file a
small built-in list of synthetic names serves (meant for tests and small runs). Each person
gets 1 to 3 `PersonName` rows (the registry's name, its aliases, and for half of those written
in Persian or Arabic script a Latin spelling), a caseworker among 200 in 20 teams, and the
blocking keys `tracing.matching` files them under (`PersonKey`, computed in bulk exactly as
`store_person_keys` does), so candidate search works on the filled database. Enquiries come
from the same benchmark's enquiries, spread over every status with their status changes,
candidates (the true person first when the registry holds them) and decisions.

Rows go in with COPY on PostgreSQL (executemany on SQLite) without audit entries; the
(key, person) index is built after the load. With --keep the cluster stays up and its address
is written to bench/out/large_registry.json: bench.tracing_pages and bench.load reuse it
(`--keep` there too) instead of building again when the sizes match.

Every bench user's password is BENCH_PASSWORD; the users are `bench-cw-<team>-<n>`
(caseworkers), `bench-sup-<team>` (supervisors).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
DATA = Path(__file__).resolve().parent / "data"
STATE = OUT / "large_registry.json"
TEAMS, CASEWORKERS_PER_TEAM = 20, 10
BENCH_PASSWORD = "bench-registry-password"  # noqa: S105 (synthetic users, throwaway database)
CHUNK = 20_000
STATUSES = [  # share of enquiries in each status
    ("open", 0.20),
    ("searching", 0.20),
    ("candidate_found", 0.20),
    ("person_asked", 0.15),
    ("closed", 0.25),
]
OUTCOMES = ["contact_restored", "alive_no_contact", "no_answer", "deceased", "not_found"]
RELATIONSHIPS = ["parent", "child", "sibling", "spouse", "other_relative"]
NATIONALITIES = ["Afghanistan", "Iran", "Iraq", "Syria", "Albania"]
LANGUAGES = ["fa", "fa, en", "ar", "ps, fa", "sq"]

# Built-in synthetic names for runs without the benchmark data (combinations, nobody real).
GIVEN = ["Zahra", "Ali", "Maryam", "Reza", "Fatemeh", "Hossein", "Leila", "Omid", "زهرا", "علی"]
GIVEN += ["مریم", "رضا", "فاطمه", "حسین", "لیلا", "امید", "Arta", "Besa", "Dritan", "Elira"]
FAMILY = ["Ahmadi", "Karimi", "Rahimi", "Hosseini", "Moradi", "احمدی", "کریمی", "رحیمی"]
FAMILY += ["حسینی", "مرادی", "Hoxha", "Krasniqi", "Shehu", "Al-Hassan", "Haddad", "الحسن"]
PLACES = ["Herat", "Kabul", "Mashhad", "هرات", "کابل", "مشهد", "Tirana", "Aleppo"]


# -- the cluster ---------------------------------------------------------------------------


def shared_buffers() -> str:
    """PostgreSQL's page cache as docs/OPERATIONS.md tells an operator to set it: a quarter
    of the machine's memory, at most 8 GB. The default 128 MB holds too little of a 1M
    registry: the load benchmark's pages then read 170 blocks per request from the
    operating system's cache (27% of reads); with 6 GB, about 1 in 7,000."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(128, min(memory // 4, 8 << 30) >> 20)}MB"


def start_postgres() -> tuple[str, str]:
    """A throwaway cluster from scripts/pg_up.sh: (its directory, DATABASE_URL)."""
    out = subprocess.run(
        [str(ROOT / "scripts" / "pg_up.sh")],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PG_UP_OPTIONS": f"-c shared_buffers={shared_buffers()}"},
    ).stdout
    values = dict(line.split("=", 1) for line in out.split())
    return values["PGTMP"], f"postgresql://postgres@127.0.0.1:{values['PGPORT']}/kinlink_test"


def stop_postgres(pgtmp: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "pg_down.sh"), pgtmp], check=False)


def _reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def kept_state(persons: int, enquiries: int) -> dict | None:
    """The kept cluster's state when it is up and holds the sizes asked for."""
    if not STATE.exists():
        return None
    state = json.loads(STATE.read_text())
    if (state.get("persons"), state.get("enquiries")) != (persons, enquiries):
        return None
    if not state.get("complete") or not _reachable(state["database_url"]):
        return None
    return state


def setup_django(database_url: str | None) -> None:
    """Point kinlink at the database and migrate it (before anything imports a model)."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("KINLINK_DATA", tempfile.mkdtemp(prefix="kinlink-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.settings")
    os.environ.setdefault("KINLINK_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def prepare(persons: int, enquiries: int, *, keep: bool, seed: int = 1) -> dict:
    """A filled database, reused when a kept one matches; Django set up on it. Returns the
    state (database_url, pgtmp, sizes, users); `finish(state)` stops it unless kept."""
    state = kept_state(persons, enquiries) if keep else None
    if state is not None:
        print(f"reusing the kept cluster {state['pgtmp']} ({persons:,} persons)", flush=True)
        # The data directory holds the field keys the database was written with.
        os.environ["KINLINK_DATA"] = state["kinlink_data"]
        setup_django(state["database_url"])
        state["keep"] = True
        return state
    if keep and STATE.exists():
        old = json.loads(STATE.read_text())
        if old.get("pgtmp"):
            stop_postgres(old["pgtmp"])
        STATE.unlink()
    pgtmp, url = start_postgres()
    state = {"pgtmp": pgtmp, "database_url": url, "persons": persons, "enquiries": enquiries}
    state["keep"] = keep
    if keep:
        OUT.mkdir(exist_ok=True)
        STATE.write_text(json.dumps(state, indent=2))
    setup_django(url)
    state["kinlink_data"] = os.environ["KINLINK_DATA"]
    state.update(build(persons, enquiries, seed=seed))
    state["complete"] = True
    if keep:
        STATE.write_text(json.dumps(state, indent=2))
    return state


def finish(state: dict) -> None:
    from django.db import connections

    connections.close_all()
    if not state.get("keep"):
        stop_postgres(state["pgtmp"])


# -- the rows ------------------------------------------------------------------------------


def _progress(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(
        total=total, desc=desc, unit=" rows", unit_scale=True, mininterval=2, file=sys.stderr
    )


def _insert(model, objs: list) -> int:
    """Insert model instances (ids given) with COPY on PostgreSQL, executemany elsewhere.

    Every concrete field goes in as the model declares it, so a field added later needs no
    change here; timestamps left empty are set to now."""
    from django.db import connection
    from django.utils import timezone

    if not objs:
        return 0
    fields = list(model._meta.concrete_fields)
    if objs[0].pk is None:  # ids from the database
        fields = [f for f in fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()

    def rows() -> Iterator[tuple]:
        for obj in objs:
            for f in stamped:
                if getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, now)
            yield tuple(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
            batch: list[tuple] = []
            for row in rows():
                batch.append(row)
                if len(batch) >= CHUNK:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def _copy_rows(model, fields: list[str], rows: list[tuple]) -> int:
    """Plain tuples straight into COPY (the millions of key rows; no instances to build)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        return _insert(model, objs)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    return len(rows)


def _registry_rows(persons: int, rng: random.Random) -> Iterator[dict]:
    """Registry records: the benchmark's parquet when there, else built-in combinations."""
    for size in ("1m", "20k", "tiny"):
        path = DATA / size / "registry.parquet"
        if path.exists():
            import pyarrow.parquet as pq

            table = pq.ParquetFile(path)
            if table.metadata.num_rows >= persons:
                given = 0
                for batch in table.iter_batches(batch_size=CHUNK):
                    for row in batch.to_pylist():
                        if given == persons:
                            return
                        given += 1
                        yield row
                return
    if persons > 100_000:
        raise SystemExit(
            "no benchmark registry that large: run `python -m bench.generate --size 1m` first"
        )
    for i in range(persons):
        year = rng.randrange(1940, 2010)
        yield {
            "person_id": f"P{i:07d}",
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "father_name": rng.choice(GIVEN) if rng.random() < 0.5 else "",
            "mother_name": "",
            "birth_date": f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            if rng.random() < 0.7
            else str(year),
            "gender": rng.choice("MF"),
            "birth_place": rng.choice(PLACES) if rng.random() < 0.6 else "",
            "aliases": rng.choice(GIVEN) if rng.random() < 0.2 else "",
        }


def _enquiry_rows(count: int, rng: random.Random) -> Iterator[dict]:
    for size in ("1m", "20k", "tiny"):
        path = DATA / size / "enquiries.parquet"
        registry = DATA / size / "registry.parquet"
        if path.exists() and registry.exists():
            import pyarrow.parquet as pq

            if pq.ParquetFile(path).metadata.num_rows >= count:
                yield from pq.read_table(path).slice(0, count).to_pylist()
                return
    for i in range(count):
        yield {
            "request_id": f"R{i:07d}",
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "father_name": "",
            "mother_name": "",
            "birth_date": str(rng.randrange(1940, 2010)),
            "gender": rng.choice("MF"),
            "birth_place": "",
            "true_person_id": f"P{rng.randrange(count * 10):07d}" if rng.random() < 0.7 else "",
        }


def _staff() -> tuple[list, list]:
    from django.contrib.auth.hashers import make_password

    from kinlink.accounts.models import Team, User

    password = make_password(BENCH_PASSWORD)  # hashed once: argon2 is slow on purpose
    teams = Team.objects.bulk_create([Team(name=f"Bench team {t}") for t in range(TEAMS)])
    users = [
        User(username=f"bench-cw-{t}-{c}", role="caseworker", team=team, password=password)
        for t, team in enumerate(teams)
        for c in range(CASEWORKERS_PER_TEAM)
    ]
    users += [
        User(username=f"bench-sup-{t}", role="supervisor", team=team, password=password)
        for t, team in enumerate(teams)
    ]
    User.objects.bulk_create(users)
    caseworkers = list(User.objects.filter(username__startswith="bench-cw-").order_by("id"))
    supervisors = list(User.objects.filter(username__startswith="bench-sup-").order_by("id"))
    return caseworkers, supervisors


def _latin(text: str) -> str:
    from anyascii import anyascii

    return " ".join(w.capitalize() for w in anyascii(text).split())


def _row(model, values: dict) -> tuple:
    """Column values in the order of `_columns(model)`, defaults for what is not given."""
    row = []
    for f in _columns(model):
        value = values[f.attname] if f.attname in values else f.get_default()
        row.append(json.dumps(value) if isinstance(value, dict | list) else value)
    return tuple(row)


def _columns(model) -> list:
    return list(model._meta.concrete_fields)


class _Name(SimpleNamespace):
    def __str__(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


def _person_chunk(job: tuple) -> tuple[list, list, list]:
    """Rows for one chunk of registry records (runs in a worker process; no database)."""
    from django.core.exceptions import ValidationError

    from kinlink.matching.keys import record_keys
    from kinlink.names import detect_script
    from kinlink.people.models import Person, PersonName
    from kinlink.people.services import birth_fields
    from kinlink.tracing.matching import _keys, person_record

    first, records, seed, caseworkers, now = job
    rng = random.Random(seed * 1_000_003 + first)
    name_fields = [f.attname for f in _columns(PersonName) if not f.primary_key]
    persons, names, keys = [], [], []
    for i, row in enumerate(records):
        pid = first + i + 1
        cw_id, team_id = caseworkers[(first + i) % len(caseworkers)]
        try:
            birth = birth_fields(row["birth_date"] or "")
        except ValidationError:
            birth = birth_fields("")
        created = now - dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
        own = []
        for n, (kind, given, family, father, mother) in enumerate(_names_of(row, rng)):
            values = {
                "person_id": pid,
                "kind": kind,
                "given_name": given[:200],
                "family_name": family[:200],
                "father_name": father[:200],
                "mother_name": mother[:200],
                "script": detect_script(f"{given} {family}").value,
                "language": "",
            }
            full = {f.attname: f.get_default() for f in _columns(PersonName)} | values
            own.append(_Name(pk=n + 1, **full))
            names.append(tuple(full[f] for f in name_fields))
        stub = SimpleNamespace(
            pk=pid,
            gender=row["gender"] or "",
            birth_place=row["birth_place"] or "",
            names=SimpleNamespace(all=lambda own=own: own),
            **birth,
        )
        keys += [(pid, key) for key in _keys(record_keys(person_record(stub)))]
        persons.append(
            _row(
                Person,
                {
                    "id": pid,
                    "reference": f"P-{pid:07d}",
                    "external_id": row["person_id"],
                    "gender": row["gender"] or "",
                    "birth_place": (row["birth_place"] or "")[:200],
                    "nationality": rng.choice(NATIONALITIES),
                    "languages": rng.choice(LANGUAGES),
                    "status": rng.choice(["alive", "alive", "unknown", "deceased"]),
                    "last_known_location": None,
                    "contact": None,
                    "caseworker_id": cw_id,
                    "team_id": team_id,
                    "merged_into_id": None,
                    "created_at": created,
                    "updated_at": created,
                    **birth,
                },
            )
        )
    return persons, names, keys


def _chunks(persons: int, rng: random.Random, seed: int, caseworkers: list, now) -> Iterator:
    batch: list[dict] = []
    first = 0
    for row in _registry_rows(persons, rng):
        batch.append(row)
        if len(batch) == CHUNK:
            yield (first, batch, seed, caseworkers, now)
            first += len(batch)
            batch = []
    if batch:
        yield (first, batch, seed, caseworkers, now)


def build(persons: int, enquiries: int, *, seed: int = 1, workers: int = 3) -> dict:
    """Insert the registry, keys, enquiries and candidates; returns counts and timings.

    Rows are computed by `workers` processes (names, birth dates and matching keys are pure
    Python) while this one streams them into the database."""
    import multiprocessing

    from django.core.management.color import no_style
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from kinlink.people.models import Person, PersonName
    from kinlink.tracing.models import PersonKey

    rng = random.Random(seed)
    started = time.perf_counter()
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    key_index = PersonKey._meta.indexes[0]
    key_unique = PersonKey._meta.constraints[0]
    # One transaction per chunk: a single one would queue millions of deferred key checks.
    with transaction.atomic():
        caseworkers, supervisors = _staff()
    staff = [(u.pk, u.team_id) for u in caseworkers]
    pool = None
    if workers > 1:
        connections.close_all()  # the forked workers must not inherit an open connection
        pool = multiprocessing.get_context("fork").Pool(workers)
    if pg:
        # Indexes are built once after the load, and the load's foreign keys are not checked
        # row by row (replica mode; the ids are consistent by construction).
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute("SET session_replication_role = replica")
        with connection.schema_editor() as editor:
            editor.remove_index(PersonKey, key_index)
            editor.remove_constraint(PersonKey, key_unique)
    counts = {"names": 0, "keys": 0}
    person_fields = [f.attname for f in _columns(Person)]
    name_fields = [f.attname for f in _columns(PersonName) if not f.primary_key]
    bar = _progress(persons, "persons")
    done = 0
    jobs = _chunks(persons, rng, seed, staff, now)
    results = pool.imap(_person_chunk, jobs) if pool else map(_person_chunk, jobs)
    try:
        for person_rows, name_rows, key_rows in results:
            with transaction.atomic():
                _copy_rows(Person, person_fields, person_rows)
                counts["names"] += _copy_rows(PersonName, name_fields, name_rows)
                counts["keys"] += _copy_rows(PersonKey, ["person_id", "key"], key_rows)
            done += len(person_rows)
            bar.update(len(person_rows))
    finally:
        if pool:
            pool.terminate()
    bar.close()
    persons = done
    loaded = time.perf_counter()
    if pg:
        print("building the key indexes ...", file=sys.stderr, flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
        with connection.schema_editor() as editor:
            editor.add_index(PersonKey, key_index)
            editor.add_constraint(PersonKey, key_unique)
    indexed = time.perf_counter()
    with transaction.atomic():
        counts.update(_enquiries(enquiries, persons, caseworkers, rng, now))
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person, PersonName, PersonKey]):
            cursor.execute(sql)
    finished = time.perf_counter()
    if pg and not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
        print("VACUUM ANALYZE ...", file=sys.stderr, flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    figures = {
        "persons": persons,
        "enquiries": enquiries,
        "person_names": counts["names"],
        "person_keys": counts["keys"],
        "candidates": counts["candidates"],
        "load_s": round(loaded - started, 1),
        "index_s": round(indexed - loaded, 1),
        "enquiries_s": round(finished - indexed, 1),
        "vacuum_s": round(time.perf_counter() - finished, 1),
        "caseworkers": [u.username for u in caseworkers],
        "supervisors": [u.username for u in supervisors],
    }
    print(
        f"built {persons:,} persons, {counts['names']:,} names, {counts['keys']:,} keys, "
        f"{enquiries:,} enquiries, {counts['candidates']:,} candidates in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return figures


def _names_of(row: dict, rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """(kind, given, family, father, mother): 1 to 3 names for a registry record."""
    given, family = row["given_name"] or "", row["family_name"] or ""
    names = [("legal", given, family, row["father_name"] or "", row["mother_name"] or "")]
    for alias in (row.get("aliases") or "").split("|"):
        if alias.strip() and len(names) < 3:
            names.append(("alias", alias.strip(), family, "", ""))
    written = f"{given}{family}"
    if len(names) < 3 and not written.isascii() and rng.random() < 0.5:
        names.append(("spelling", _latin(given), _latin(family), "", ""))
    return names


def _enquiries(count: int, persons: int, caseworkers: list, rng: random.Random, now) -> dict:
    """Enquiries over every status, their changes, keys of the open ones, candidates."""
    from django.core.management.color import no_style
    from django.db import connection

    from kinlink.matching.keys import request_keys
    from kinlink.tracing.matching import _keys, enquiry_request
    from kinlink.tracing.models import Candidate, Enquiry, EnquiryKey, StatusChange

    bar = _progress(count, "enquiries")
    enquiry_objs, changes, keys, candidates = [], [], [], []
    order = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    for i, row in enumerate(_enquiry_rows(count, rng)):
        eid = i + 1
        c = i % len(caseworkers)
        cw = caseworkers[c]
        # The enquirer is a registered person in the same caseload.
        enquirer = c + 1 + len(caseworkers) * rng.randrange(max(1, persons // len(caseworkers)))
        enquirer = min(enquirer, persons)
        truth = row.get("true_person_id") or ""
        true_pid = int(truth[1:]) + 1 if truth and int(truth[1:]) < persons else None
        status = rng.choices(order, weights)[0]
        outcome = ""
        if status == "closed":
            outcome = rng.choice(OUTCOMES) if true_pid else "not_found"
        found = true_pid is not None and status in ("person_asked", "closed")
        found = found and outcome != "not_found"
        created = now - dt.timedelta(days=rng.randrange(1, 900))
        enquiry = Enquiry(
            pk=eid,
            reference=f"E-{eid:06d}",
            external_id=row["request_id"],
            enquirer_id=enquirer,
            relationship=rng.choice(RELATIONSHIPS),
            sought_given_name=(row["given_name"] or "")[:200],
            sought_family_name=(row["family_name"] or "")[:200],
            sought_father_name=(row["father_name"] or "")[:200],
            sought_mother_name=(row["mother_name"] or "")[:200],
            sought_gender=row["gender"] or "",
            sought_birth_entered=(row["birth_date"] or "")[:40],
            sought_birth_place=(row["birth_place"] or "")[:200],
            last_news_when="2015",
            last_news_where=row["birth_place"] or "",
            sought_person_id=true_pid if found else None,
            status=status,
            outcome=outcome,
            caseworker_id=cw.pk,
            team_id=cw.team_id,
            created_at=created,
            updated_at=created + dt.timedelta(days=rng.randrange(0, 30)),
            closed_at=created + dt.timedelta(days=30) if status == "closed" else None,
        )
        enquiry_objs.append(enquiry)
        previous = ""
        for step, to in enumerate(order[: order.index(status) + 1]):
            if to == "closed" and previous == "":
                previous = "open"
            changes.append(
                StatusChange(
                    enquiry_id=eid,
                    from_status=previous,
                    to_status=to,
                    outcome=enquiry.outcome if to == "closed" else "",
                    at=created + dt.timedelta(days=step * 7),
                    by_id=cw.pk,
                )
            )
            previous = to
        if status != "closed":
            for key in _keys(request_keys(enquiry_request(enquiry))):
                keys.append(EnquiryKey(enquiry_id=eid, key=key))
        if status != "open":
            proposed = [true_pid] if true_pid else []
            while len(proposed) < 5:
                other = rng.randrange(1, persons + 1)
                if other not in proposed and other != enquirer:
                    proposed.append(other)
            for rank, pid in enumerate(proposed, start=1):
                decision = "pending"
                if status in ("person_asked", "closed") and enquiry.sought_person_id:
                    decision = "same" if pid == true_pid else "not_same"
                candidates.append(
                    Candidate(
                        enquiry_id=eid,
                        person_id=pid,
                        rank=rank,
                        score=round(0.95 - 0.15 * rank + rng.random() * 0.05, 3),
                        match_weight=round(12 - 3 * rank, 2),
                        explanation="given name agrees across scripts; birth year within 2",
                        evidence=[],
                        decision=decision,
                        decided_by_id=cw.pk if decision != "pending" else None,
                        decided_at=created + dt.timedelta(days=14)
                        if decision != "pending"
                        else None,
                    )
                )
        bar.update(1)
    bar.close()
    for model, objs in (
        (Enquiry, enquiry_objs),
        (StatusChange, changes),
        (EnquiryKey, keys),
        (Candidate, candidates),
    ):
        for start in range(0, len(objs), 5000):
            model.objects.bulk_create(objs[start : start + 5000])
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Enquiry]):
            cursor.execute(sql)
    # auto_now fields were overwritten by bulk_create: put the spread dates back.
    _restore_dates(enquiry_objs)
    return {"candidates": len(candidates), "enquiry_keys": len(keys)}


def _restore_dates(enquiry_objs: list) -> None:
    from django.db import connection

    from kinlink.tracing.models import Enquiry

    table = connection.ops.quote_name(Enquiry._meta.db_table)
    rows = [(e.created_at, e.updated_at, e.pk) for e in enquiry_objs]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                f"UPDATE {table} SET created_at = %s, updated_at = %s WHERE id = %s",  # noqa: S608
                rows[start : start + 5000],
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--enquiries", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the cluster for reuse")
    parser.add_argument("--drop", action="store_true", help="stop the kept cluster and exit")
    args = parser.parse_args(argv)
    if args.drop:
        if STATE.exists():
            stop_postgres(json.loads(STATE.read_text())["pgtmp"])
            STATE.unlink()
        return
    state = prepare(args.persons, args.enquiries, keep=args.keep, seed=args.seed)
    shown = {k: v for k, v in state.items() if k not in ("caseworkers", "supervisors")}
    print(json.dumps(shown, indent=2))
    finish(state)


if __name__ == "__main__":
    main()
