"""Testimony search at scale: build N synthetic testimonies, time the searches people type.

    .venv/bin/python -m bench.testimony_search                  # 100,000 testimonies, SQLite
    .venv/bin/python -m bench.testimony_search --size 10000
    DATABASE_URL=postgresql://user@host/throwaway .venv/bin/python -m bench.testimony_search

Accounts are encrypted and indexed exactly as `testimony.services` does (Fernet, keyed
hashes of `search.text_terms`), but inserted in bulk without audit entries, so that building
100,000 takes minutes rather than hours. Each query is timed as the search page runs it:
the first page of 25 plus, for a search driven by a rare word or filter, the count (up to
1,000; a broad search is shown page by page, uncounted), repeated, median and 95th percentile,
once for a data-protection officer (sees everything) and once for one caseworker.
Prints the figures; writes them to bench/out/testimony_search.json.

With `--export N`, N testimonies of one team get court consent and the evidence export is
timed as the page's background job runs it (progress rows written per testimony): the
registry-name detection of the redaction over the person registry, the whole job, and the
check of the bundle it wrote (`kinlink evidence verify`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SYLLABLES = "ba be bo da de di fa fe ga go ha hi ka ke ko la le lo ma me mi na ne no ra re ri "
SYLLABLES += "sa se so ta te ti va ve za zo sha kha"
FILLER_EN = [
    "then",
    "after",
    "we",
    "were",
    "told",
    "that",
    "nobody",
    "could",
    "leave",
    "the",
    "camp",
    "and",
    "the",
    "meetings",
    "went",
    "on",
    "every",
    "night",
    "for",
    "months",
    "while",
    "the",
    "others",
    "watched",
    "and",
    "said",
    "nothing",
    "about",
    "it",
]
FILLER_FA = [
    "بعد",
    "از",
    "آن",
    "به",
    "ما",
    "گفتند",
    "که",
    "هیچ",
    "کس",
    "حق",
    "ندارد",
    "از",
    "اردوگاه",
    "خارج",
    "شود",
    "و",
    "جلسات",
    "هر",
    "شب",
    "ادامه",
    "داشت",
]


def _setup(data_dir: Path) -> None:
    os.environ.setdefault("KINLINK_DATA", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinlink.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = SYLLABLES.split()
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words)


def _staff():
    from kinlink.accounts.models import Team, User

    team = Team.objects.create(name="bench")
    dpo = User.objects.create(username="bench-dpo", role="dpo")
    caseworkers = [
        User.objects.create(username=f"bench-cw{i}", role="caseworker", team=team)
        for i in range(20)
    ]
    return dpo, caseworkers


def _persons(rng: random.Random, count: int, caseworkers):
    from kinlink.demo import FAMILY, GIVEN_FEMALE, GIVEN_MALE
    from kinlink.people.models import Person, PersonName

    persons = [
        Person(reference=f"P-{i:07d}", caseworker=caseworkers[i % len(caseworkers)])
        for i in range(1, count + 1)
    ]
    Person.objects.bulk_create(persons, batch_size=2000)
    persons = list(Person.objects.order_by("id"))
    names, spoken = [], {}
    for person in persons:
        given, family = rng.choice(GIVEN_MALE + GIVEN_FEMALE), rng.choice(FAMILY)
        names.append(PersonName(person=person, given_name=given[0], family_name=family[0]))
        names.append(PersonName(person=person, given_name=given[1], family_name=family[1]))
        spoken[person.pk] = (f"{given[0]} {family[0]}", f"{given[1]} {family[1]}")
    PersonName.objects.bulk_create(names, batch_size=5000)
    return persons, spoken


def _account(rng, witness_names, victims, places, vocabulary, weights) -> tuple[str, list]:
    from kinlink.testimony.demo import SCENES

    persian = rng.random() < 0.5
    scenes = rng.sample(SCENES, rng.randint(1, 3))
    cast = []
    sentences = [witness_names[0] if persian else witness_names[1]]
    for scene in scenes:
        victim_pk, victim_names = rng.choice(victims)
        place, latin, script = rng.choice(places)
        text = scene[2] if persian else scene[1]
        sentences.append(
            text.format(
                victim=victim_names[0 if persian else 1], place=script if persian else latin
            )
        )
        cast.append((scene[0], victim_pk, place))
    filler = FILLER_FA if persian else FILLER_EN
    sentences.append(" ".join(rng.choice(filler) for _ in range(20)))
    sentences.append(" ".join(rng.choices(vocabulary, weights=weights, k=20)))
    return " ".join(sentences), cast


def build(size: int, seed: int) -> dict:
    from django.db import connection, transaction

    from kinlink.testimony import search, services
    from kinlink.testimony.demo import PLACES
    from kinlink.testimony.models import Event, EventType, Participant, Testimony

    rng = random.Random(seed)
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a throwaway database: speed over durability
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
    dpo, caseworkers = _staff()
    persons, spoken = _persons(rng, max(size // 20, 100), caseworkers)
    places = []
    for name, kind, country, aliases in PLACES:
        place = services.create_place(
            user=caseworkers[0], name=name, kind=kind, country=country, aliases=aliases
        )
        script = next((a for a in aliases if not a.isascii()), name)
        places.append((place, name, script))
    place_terms = {
        place.pk: set().union(*(search.text_terms(a.name) for a in place.aliases.all()))
        for place, _, _ in places
    }
    types = {t.code: t for t in EventType.objects.all()}
    type_terms = {code: search.text_terms(t.name) for code, t in types.items()}
    vocabulary = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    by_caseworker: dict[int, list] = {}
    for person in persons:
        by_caseworker.setdefault(person.caseworker_id, []).append((person.pk, spoken[person.pk]))
    key = search._index_key()
    rows = 0
    batch = 2000
    for start in range(0, size, batch):
        n = min(batch, size - start)
        with transaction.atomic():
            drafts = []
            for i in range(start, start + n):
                witness = persons[rng.randrange(len(persons))]
                victims = by_caseworker[witness.caseworker_id]
                account, cast = _account(
                    rng, spoken[witness.pk], victims, places, vocabulary, weights
                )
                drafts.append((witness, account, cast, i))
            testimonies = Testimony.objects.bulk_create(
                [
                    Testimony(
                        reference=f"T-{i + 1:07d}",
                        witness=witness,
                        recorded_on=dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3600)),
                        language="fa",
                        account=account,  # SealedTextField encrypts it on save
                        caseworker=witness.caseworker,
                        team=witness.caseworker.team,
                    )
                    for witness, account, _cast, i in drafts
                ]
            )
            events, participants, term_rows = [], [], []
            for testimony, (witness, account, cast, _i) in zip(testimonies, drafts, strict=True):
                terms = search.text_terms(account) | search.text_terms(spoken[witness.pk][1])
                for code, victim_pk, place in cast:
                    year = rng.randint(1995, 2022)
                    day = dt.date(year, rng.randint(1, 12), 1)
                    event = Event(
                        testimony=testimony,
                        event_type=types[code],
                        place=place,
                        start=day,
                        start_precision="month",
                        earliest=day,
                        latest=day + dt.timedelta(days=27),
                    )
                    events.append(event)
                    participants.append((event, victim_pk))
                    terms |= place_terms[place.pk] | type_terms[code]
                term_rows += [(testimony.pk, h) for h in search.hashes(terms, key)]
            Event.objects.bulk_create(events, batch_size=5000)
            Participant.objects.bulk_create(
                [Participant(event=e, role="victim", person_id=pk) for e, pk in participants],
                batch_size=5000,
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO testimony_searchterm (testimony_id, term) VALUES (%s, %s)",
                    term_rows,
                )
            rows += len(term_rows)
        print(f"  {start + n:>8} testimonies, {rows:>10} index rows", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print()
    return {
        "testimonies": size,
        "persons": len(persons),
        "index_rows": rows,
        "index_rows_per_testimony": round(rows / size, 1),
        "build_s": round(time.perf_counter() - started, 1),
        "dpo": dpo.pk,
        "caseworker": caseworkers[3].pk,
        "rare_word": vocabulary[-1],
        "person": persons[len(persons) // 2].pk,
    }


def _queries(stats: dict) -> list[tuple[str, dict]]:
    from kinlink.people.models import Person
    from kinlink.testimony.models import EventType, Place

    ashraf = Place.objects.get(name="Camp Ashraf")
    beating = EventType.objects.get(code="beating")
    confiscation = EventType.objects.get(code="document_confiscation")
    person = Person.objects.get(pk=stats["person"])
    return [
        ("common name, Latin: Hossein", {"text": "Hossein"}),
        ("full name, Persian: حسین موسوی", {"text": "حسین موسوی"}),
        ("spelling variants: Fereshte Yaganeh", {"text": "Fereshte Yaganeh"}),
        ("place alias: Hurriyeh", {"text": "Hurriyeh"}),
        ("rare word", {"text": stats["rare_word"]}),
        (
            "words + type + period",
            {
                "text": "passport",
                "event_type": confiscation,
                "since": dt.date(2005, 1, 1),
                "until": dt.date(2010, 12, 31),
            },
        ),
        ("filters only: Camp Ashraf, beating", {"place": ashraf, "event_type": beating}),
        ("person", {"person": person}),
        (
            "name + place + period",
            {
                "text": "Masoud",
                "place": ashraf,
                "since": dt.date(2000, 1, 1),
                "until": dt.date(2005, 12, 31),
            },
        ),
    ]


def _time(user, query, repeat: int) -> tuple[int | str, float, float]:
    from kinlink.testimony.selectors import SearchQuery, search_testimonies

    timings, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        page = search_testimonies(user, SearchQuery(**query)).page(1)
        count = page.count if page.count is not None else f"{len(page.testimonies)}+"
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return count, statistics.median(timings), p95


def run(stats: dict, repeat: int) -> list[dict]:
    from kinlink.accounts.models import User

    users = {
        "dpo": User.objects.get(pk=stats["dpo"]),
        "caseworker": User.objects.get(pk=stats["caseworker"]),
    }
    results = []
    print(f"{'query':<40} {'who':<11} {'matches':>8} {'median ms':>10} {'p95 ms':>8}")
    for label, query in _queries(stats):
        for who, user in users.items():
            _time(user, query, 1)  # warm the cache as a second search would
            count, median, p95 = _time(user, query, repeat)
            results.append(
                {
                    "query": label,
                    "who": who,
                    "matches": count,
                    "median_ms": round(median, 2),
                    "p95_ms": round(p95, 2),
                }
            )
            print(f"{label:<40} {who:<11} {count:>8} {median:>10.1f} {p95:>8.1f}")
    return results


def export_figures(stats: dict, count: int) -> dict:
    from django.conf import settings

    from kinlink.accounts.models import Team, User
    from kinlink.audit import crypto
    from kinlink.testimony import evidence, jobs
    from kinlink.testimony.models import ExportJob, Participant, Testimony, TestimonyConsent
    from kinlink.testimony.verify import verify_bundle

    settings.TESTIMONY_EXPORT_THREADS = False  # run the job here, to time it
    supervisor = User.objects.create(
        username="bench-supervisor", role="supervisor", team=Team.objects.get(name="bench")
    )
    chosen = list(Testimony.objects.order_by("id")[:count])
    TestimonyConsent.objects.bulk_create(
        TestimonyConsent(
            testimony=t, use="court", granted=True, given_on=dt.date(2024, 1, 1), method="in_person"
        )
        for t in chosen
    )
    accounts = [crypto.decrypt(t.account.token) for t in chosen]
    linked = {t.witness_id for t in chosen} | set(
        Participant.objects.filter(event__testimony__in=chosen).values_list("person_id", flat=True)
    )
    started = time.perf_counter()
    found = evidence.registry_names(accounts, exclude=linked)
    detect_s = time.perf_counter() - started
    job = jobs.request_export(user=supervisor, recipient="Bench court", purpose="court")
    updates = []
    started = time.perf_counter()
    job = jobs.run_job(job.pk, on_progress=lambda done, total: updates.append(done))
    job_s = time.perf_counter() - started
    job = ExportJob.objects.select_related("export").get(pk=job.pk)
    started = time.perf_counter()
    report = verify_bundle(job.export.file.path)
    verify_s = time.perf_counter() - started
    figures = {
        "testimonies": job.export.testimony_count,
        "events": job.export.event_count,
        "registry_names_found": len(found),
        "registry_detection_s": round(detect_s, 2),
        "job_s": round(job_s, 2),
        "testimonies_per_s": round(job.export.testimony_count / job_s, 1),
        "progress_updates": len(updates),
        "bundle_bytes": job.export.size,
        "verify_s": round(verify_s, 2),
        "verified": report.ok,
        "status": job.status,
    }
    print("export:", json.dumps(figures))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--data", help="data directory (default: a fresh temporary one)")
    parser.add_argument("--export", type=int, default=0, help="time an export of N testimonies")
    args = parser.parse_args(argv)
    data_dir = Path(args.data or tempfile.mkdtemp(prefix="kinlink-bench-testimony-"))
    _setup(data_dir)
    from django.db import connection

    print(f"building {args.size} testimonies on {connection.vendor} in {data_dir} ...")
    stats = build(args.size, args.seed)
    print(
        f"built in {stats['build_s']} s: {stats['index_rows']} index rows "
        f"({stats['index_rows_per_testimony']} per testimony)"
    )
    results = run(stats, args.repeat)
    exported = export_figures(stats, args.export) if args.export else None
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / "testimony_search.json"
    out.write_text(
        json.dumps(
            {"database": connection.vendor, **stats, "queries": results, "export": exported},
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
