"""Synthetic demo data: users for every role and persons with names in several scripts.

Everyone here is invented: given and family names are drawn at random from lists of
common names, so no record describes a real person.
"""

from __future__ import annotations

import random

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinlink.accounts import services as accounts
from kinlink.accounts.roles import Role
from kinlink.audit.models import Action
from kinlink.audit.services import record
from kinlink.people.models import LifeStatus, NameKind, Person, PersonName

DEMO_PASSWORD = "kinlink-demo-2026"  # noqa: S105 - printed by `kinlink demo`, demo only
DEMO_PERSONS = 240

# (Persian script, usual Latin spelling)
GIVEN_MALE = [
    ("حسین", "Hossein"),
    ("محمد", "Mohammad"),
    ("علی", "Ali"),
    ("رضا", "Reza"),
    ("مسعود", "Masoud"),
    ("مهدی", "Mehdi"),
    ("حمید", "Hamid"),
    ("جواد", "Javad"),
    ("مجید", "Majid"),
    ("سعید", "Saeed"),
    ("محمدرضا", "Mohammadreza"),
    ("عبدالله", "Abdollah"),
    ("کریم", "Karim"),
    ("بهروز", "Behrouz"),
]
GIVEN_FEMALE = [
    ("فرشته", "Fereshteh"),
    ("مریم", "Maryam"),
    ("زهرا", "Zahra"),
    ("یگانه", "Yeganeh"),
    ("پروین", "Parvin"),
    ("فاطمه", "Fatemeh"),
    ("لیلا", "Leila"),
    ("نرگس", "Narges"),
    ("سمیه", "Somayeh"),
    ("منیژه", "Manijeh"),
    ("شهلا", "Shahla"),
    ("مهری", "Mehri"),
]
FAMILY = [
    ("موسوی", "Mousavi"),
    ("حسینی", "Hosseini"),
    ("رضایی", "Rezaei"),
    ("احمدی", "Ahmadi"),
    ("کریمی", "Karimi"),
    ("محمدی", "Mohammadi"),
    ("جعفری", "Jafari"),
    ("قاسمی", "Ghasemi"),
    ("رحیمی", "Rahimi"),
    ("صادقی", "Sadeghi"),
    ("نوری", "Nouri"),
    ("حسین‌نیا", "Hosseinnia"),
    ("عباس‌زاده", "Abbaszadeh"),
    ("کاظم‌پور", "Kazempour"),
    ("یزدانی", "Yazdani"),
]
PLACES = [
    ("اهواز", "Ahvaz"),
    ("تهران", "Tehran"),
    ("مشهد", "Mashhad"),
    ("تبریز", "Tabriz"),
    ("شیراز", "Shiraz"),
    ("اصفهان", "Isfahan"),
    ("کرمانشاه", "Kermanshah"),
    ("بغداد", "Baghdad"),
]
LOCATIONS = [
    "Durres, Albania",
    "Tirana, Albania",
    "Cologne, Germany",
    "Paris, France",
    "Baghdad, Iraq",
]

USERS = [
    (Role.CASEWORKER, "sara", "Sara", "Demir", "Team North"),
    (Role.CASEWORKER, "omid", "Omid", "Rahmani", "Team North"),
    (Role.CASEWORKER, "elira", "Elira", "Hoxha", "Team South"),
    (Role.SUPERVISOR, "nadia", "Nadia", "Karimi", "Team North"),
    (Role.DPO, "dpo", "Dana", "Petrovic", ""),
    (Role.ADMIN, "admin", "Arben", "Kola", ""),
    (Role.ANALYST, "analyst", "Lina", "Haddad", ""),
]

# Fixed secrets so that the demo's two-factor logins can be tried at once:
# `kinlink demo-otp admin` prints the current code. Never used outside the demo.
DEMO_TOTP_KEYS = {
    "admin": "3132333435363738393031323334353637383930",
    "dpo": "3837363534333231303938373635343332313039",
}


def _make_users() -> dict[str, object]:
    users = {}
    for role, username, first, last, team_name in USERS:
        team = accounts.team_named(team_name) if team_name else None
        user = accounts.create_user(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            team=team,
            first_name=first,
            last_name=last,
            validate=False,
        )
        if username in DEMO_TOTP_KEYS:
            TOTPDevice.objects.create(
                user=user, name="demo", key=DEMO_TOTP_KEYS[username], confirmed=True
            )
        users[username] = user
    return users


def _person_rows(rng: random.Random, caseworkers: list) -> list[tuple[Person, list[PersonName]]]:
    rows = []
    for index in range(1, DEMO_PERSONS + 1):
        female = rng.random() < 0.45
        given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        family = rng.choice(FAMILY)
        father = rng.choice(GIVEN_MALE)
        place = rng.choice(PLACES)
        caseworker = caseworkers[index % len(caseworkers)]
        year = rng.randint(1950, 2000)
        person = Person(
            reference=f"P-{index:06d}",
            gender="F" if female else "M",
            birth_year=year,
            birth_year_margin=rng.choice([0, 0, 0, 1, 2, 3]),
            birth_place=place[1] if rng.random() < 0.6 else place[0],
            nationality="Iranian",
            status=rng.choice(
                [LifeStatus.ALIVE] * 6 + [LifeStatus.UNKNOWN] * 3 + [LifeStatus.DECEASED]
            ),
            caseworker=caseworker,
            team=caseworker.team,
            contact=f"+355 69 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            last_known_location=rng.choice(LOCATIONS),
        )
        names = [
            PersonName(
                kind=NameKind.LEGAL,
                given_name=given[0],
                family_name=family[0],
                father_name=father[0],
                script="arabic",
                language="fa",
            ),
            PersonName(
                kind=NameKind.SPELLING,
                given_name=given[1],
                family_name=family[1],
                father_name=father[1],
                script="latin",
                language="en",
            ),
        ]
        if rng.random() < 0.2:
            names.append(
                PersonName(
                    kind=NameKind.ORGANISATIONAL,
                    given_name=rng.choice(GIVEN_MALE + GIVEN_FEMALE)[1],
                    script="latin",
                    language="en",
                )
            )
        rows.append((person, names))
    return rows


def _load_app_demos(users: dict, rng: random.Random, progress: bool) -> None:
    """Each app's own demo: enquiries at every stage, cases at every stage, testimonies."""
    from kinlink.testimony.demo import load_demo_testimonies
    from kinlink.tracing.demo import load_tracing_demo

    enquiries = load_tracing_demo()
    persons = list(Person.objects.select_related("caseworker").prefetch_related("names"))
    testimonies = load_demo_testimonies(users, persons, rng)
    if progress:
        print(f"  {enquiries} enquiries at every stage, testimonies: {testimonies}")


def _hide_one_name() -> None:
    """One person has a name that only those who see their record may see (the name they
    used inside the group, which they want left out of every file)."""
    from kinlink.people import services as people

    person = Person.objects.filter(reference="P-000002").select_related("caseworker").first()
    if person is None or person.caseworker is None:
        return
    people.add_name(
        user=person.caseworker,
        person=person,
        kind=NameKind.ORGANISATIONAL,
        given_name="Sepideh Nouri",
        script="latin",
        language="en",
        hidden=True,
    )


@transaction.atomic
def load_demo_data(progress: bool = False, seed: int = 1965) -> list[tuple[str, str, str]]:
    """Load users and persons; return (role, username, note) per demo login."""
    rng = random.Random(seed)
    users = _make_users()
    caseworkers = [u for u in users.values() if u.role == Role.CASEWORKER]
    rows = _person_rows(rng, caseworkers)
    for person, _names in rows:
        # Encrypt sealed fields the way a save would, then insert in bulk.
        for field in ("contact", "last_known_location"):
            Person._meta.get_field(field).pre_save(person, add=True)
    Person.objects.bulk_create([person for person, _ in rows], batch_size=500)
    saved = {p.reference: p for p in Person.objects.all()}
    names = []
    for person, person_names in rows:
        for name in person_names:
            name.person = saved[person.reference]
            names.append(name)
    PersonName.objects.bulk_create(names, batch_size=1000)
    record(Action.SYSTEM, detail={"demo_data": {"persons": len(rows), "users": len(users)}})
    if progress:
        print(f"  {len(users)} users, {len(rows)} persons, {len(names)} names")
    _load_app_demos(users, rng, progress)
    _hide_one_name()
    notes = {
        "admin": "two-factor: `kinlink demo-otp admin` prints the code",
        "dpo": "two-factor: `kinlink demo-otp dpo`",
    }
    return [(users[u].get_role_display(), u, notes.get(u, "")) for _, u, *_ in USERS]
