"""A small, hostile world for the security tests: users of every role, and records whose names
and free text are Persian and Arabic strings carrying markup, and whose sealed fields carry
sentinels that must never leave the system except through an audited reveal.

Everything is created through the apps' own services, as a caseworker would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import override_settings
from rest_framework.authtoken.models import Token

PASSWORD = "a-long-test-password"

# Markup in names and free text. Each one, rendered unescaped, would run script or add an element.
XSS = [
    "<script>alert(1)</script>حسین",
    '"><img src=x onerror=alert(1) id=kl-injected>محمد',
    "عبدالله<svg/onload=alert(1) id=kl-injected-svg>",
    "'><iframe src=javascript:alert(1) id=kl-injected-frame>فاطمه",
]
JS_URL = "javascript:alert(1)//زهرا"
# What an unescaped rendering would leave in the HTML; escaped, none of these appear.
RAW_MARKERS = [
    "<script>alert(1)",
    "<img src=x onerror",
    "<svg/onload",
    "<iframe src=javascript",
]

# Sealed-field sentinels: records in the caller's reach (NEAR) and outside it (FAR).
NEAR = "SENTINEL-NEAR-7f3a"
FAR = "SENTINEL-FAR-9c1e"
# A name of a person in another team's caseload: only the data-protection officer may see it.
FAR_NAME = "Qzxoutsiderq"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (plus "south": another caseworker)
    tokens: dict = field(default_factory=dict)  # role -> API token key
    persons: dict = field(default_factory=dict)
    enquiry: object = None
    case: object = None
    document: object = None
    testimony: object = None
    far_objects: dict = field(default_factory=dict)

    def sentinels(self) -> list[str]:
        return [f"{NEAR}-{part}" for part in SEALED_PARTS] + [
            f"{FAR}-{part}" for part in SEALED_PARTS
        ]


SEALED_PARTS = ["contact", "location", "enquirer-contact", "document-number", "account"]


def _person(services, user, given: str, family: str, sealed: str, **extra):
    return services.register_person(
        user=user,
        names=[
            {"given_name": given, "family_name": family, "father_name": XSS[2], "language": "fa"},
            {"given_name": "Hossein", "family_name": family[-6:], "language": "en"},
        ],
        gender="M",
        birth="1344",
        birth_place=XSS[3],
        contact=f"{sealed}-contact",
        last_known_location=f"{sealed}-location",
        **extra,
    )


def build_world() -> World:
    """Create the users and records. Needs database access."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kinlink.accounts import services as accounts
    from kinlink.cases import services as cases
    from kinlink.cases.models import DocumentType, Pathway, Stage
    from kinlink.people import services as people
    from kinlink.testimony import services as testimony
    from kinlink.tracing import services as tracing

    world = World()
    _make_users(world, accounts, TOTPDevice)
    cw, south_cw = world.users["caseworker"], world.users["south"]
    near = _person(people, cw, XSS[0], XSS[1], NEAR, nationality=JS_URL)
    far = _person(people, south_cw, FAR_NAME, XSS[1], FAR)
    world.persons = {"near": near, "far": far}

    world.enquiry = tracing.create_enquiry(
        user=cw,
        relationship="parent",
        sought={"given_name": XSS[0], "family_name": XSS[1], "birth": "1344"},
        enquirer=near,
        relationship_detail=XSS[3],
        last_news_where=XSS[2],
        last_news_circumstances=JS_URL,
        enquirer_contact=f"{NEAR}-enquirer-contact",
    )
    far_enquiry = tracing.create_enquiry(
        user=south_cw,
        relationship="sibling",
        sought={"given_name": "Zed", "family_name": "Nobody"},
        enquirer=far,
        enquirer_contact=f"{FAR}-enquirer-contact",
    )

    pathway = Pathway.objects.create(name="مسیر <i>خروج</i> " + XSS[0][:20])
    Stage.objects.create(pathway=pathway, name=XSS[1][:100], code="first", position=10)
    Stage.objects.create(pathway=pathway, name=XSS[2][:100], code="last", position=20)
    doc_type = DocumentType.objects.create(name=XSS[3][:100], code="hostile")

    world.case = cases.open_case(user=cw, person=near, pathway=pathway, reason=XSS[0])
    cases.add_task(user=cw, case=world.case, title=XSS[1], notes=JS_URL)
    world.document = cases.add_document(
        user=cw,
        case=world.case,
        document_type=doc_type,
        issuing_country=XSS[2][:60],
        number=f"{NEAR}-document-number",
        expires_on=dt.date.today() + dt.timedelta(days=20),
    )
    cases.add_referral(user=cw, case=world.case, service_type=_first_service_type(), partner=XSS[3])
    far_case = cases.open_case(user=south_cw, person=far, pathway=pathway, reason="x")
    far_document = cases.add_document(
        user=south_cw, case=far_case, document_type=doc_type, number=f"{FAR}-document-number"
    )

    world.testimony = testimony.record_testimony(
        user=cw,
        witness=near,
        recorded_on=dt.date.today() - dt.timedelta(days=3),
        account=f"{NEAR}-account " + XSS[0],
        recorded_place=XSS[2],
        language="fa",
    )
    place = testimony.create_place(user=cw, name=XSS[1][:100])
    event_type = testimony.add_event_type(user=cw, name=XSS[3][:60], code="hostile_event")
    testimony.add_event(
        user=cw,
        testimony=world.testimony,
        event_type=event_type,
        place=place,
        place_detail=XSS[0],
        start=dt.date(2001, 5, 1),
    )
    far_testimony = testimony.record_testimony(
        user=south_cw,
        witness=far,
        recorded_on=dt.date.today() - dt.timedelta(days=3),
        account=f"{FAR}-account",
    )
    world.far_objects = {
        "enquiry": far_enquiry,
        "case": far_case,
        "document": far_document,
        "testimony": far_testimony,
    }
    return world


_FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
_HASH: list[str] = []


def _password_hash() -> str:
    if not _HASH:
        from django.contrib.auth.hashers import make_password

        _HASH.append(make_password(PASSWORD))
    return _HASH[0]


def _make_users(world, accounts, TOTPDevice) -> dict:
    north = accounts.team_named("North <b>شمال</b>")
    south = accounts.team_named("South")
    specs = {
        "caseworker": ("cw", "caseworker", north),
        "supervisor": ("sup", "supervisor", north),
        "dpo": ("dpo", "dpo", None),
        "admin": ("admin", "admin", None),
        "analyst": ("analyst", "analyst", None),
        "south": ("cw_south", "caseworker", south),
    }
    for key, (username, role, team) in specs.items():
        with override_settings(PASSWORD_HASHERS=[_FAST_HASHER]):
            user = accounts.create_user(
                username=username,
                password=PASSWORD,
                role=role,
                team=team,
                first_name=XSS[0],
                last_name=XSS[1],
                validate=False,
            )
        if role in ("dpo", "admin"):
            TOTPDevice.objects.create(user=user, name="sec", confirmed=True)
        world.users[key] = user
        world.tokens[key] = Token.objects.create(user=user).key
    # Real Argon2 hashes, computed once: hashing each user's password costs a second.
    User = type(world.users["caseworker"])
    User.objects.filter(pk__in=[u.pk for u in world.users.values()]).update(
        password=_password_hash()
    )
    for user in world.users.values():
        user.refresh_from_db()
    return world.users


def _first_service_type() -> str:
    from kinlink.cases.models import ServiceType

    return ServiceType.values[0]
