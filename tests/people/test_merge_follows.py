"""Issue 10 item 1 and issue 4 item 1: every record about a person follows a merge to the
survivor (cases with their tasks and documents, testimonies, enquiries, candidates,
consents) and comes back when the merge is undone, exactly as it was."""

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from kinlink.cases import services as cases
from kinlink.cases.models import DocumentType
from kinlink.people import services as people
from kinlink.people.models import ConsentMethod, Person, PersonMerge, PersonVersion
from kinlink.testimony import services as testimony
from kinlink.testimony.models import Purpose
from kinlink.tracing import services as tracing
from kinlink.tracing.models import Candidate, Decision, PersonKey

pytestmark = pytest.mark.django_db

LOCATION = "Rruga e Durresit 12, Tirana"
CONTACT = "+355 69 123 4567"
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def links_to_person():
    """Every ForeignKey to Person in every app, found as the privacy export finds them."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.fields
        if field.related_model is Person
    ]


def snapshot(*persons: Person) -> dict[str, list]:
    """Every row of every model with a ForeignKey pointing at one of `persons`, every column
    but change timestamps; versions and merges only grow (they are the history), and search
    keys are rewritten with new ids whenever a person changes."""
    ids = [p.pk for p in persons]
    taken: dict[str, list] = {}
    for model, field in links_to_person():
        if model in (PersonVersion, PersonMerge):
            continue
        skip = {"updated_at", "id"} if model is PersonKey else {"updated_at"}
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = model._base_manager.filter(**{f"{field.attname}__in": ids})
        taken[f"{model._meta.label}.{field.name}"] = sorted(
            (tuple((n, str(getattr(getattr(row, n), "token", getattr(row, n)))) for n in names))
            for row in rows
        )
    names = [f.attname for f in Person._meta.concrete_fields if f.attname != "updated_at"]
    taken["persons"] = sorted(
        tuple((n, str(getattr(getattr(p, n), "token", getattr(p, n)))) for n in names)
        for p in Person.objects.filter(pk__in=ids)
    )
    return taken


@pytest.fixture
def world(make_user):
    """Omid keeps two records of one man (Persian script, and the organisational name he
    went by); the Persian record has a case with a task and a document, a testimony, a naming
    consent, a consent for a testimony, an enquiry he made and one made for him by Sara's
    family (candidate confirmed, verified, consent to share whereabouts)."""
    omid = make_user("omid", "caseworker", team="South")
    sara = make_user("sara", "caseworker", team="North")
    persian = people.register_person(
        user=omid,
        names=[{"given_name": "مسعود", "family_name": "حسینی", "father_name": "علی"}],
        birth="1344",
        birth_place="اهواز",
        gender="M",
        last_known_location=LOCATION,
        contact=CONTACT,
    )
    survivor = people.register_person(
        user=omid, names=[{"given_name": "Abu Bashir", "kind": "organisational"}]
    )
    case = cases.open_case(user=omid, person=persian, reason="left the group in 2019")
    task = cases.add_task(user=omid, case=case, title="Book the asylum interview")
    document = cases.add_document(
        user=omid,
        case=case,
        document_type=DocumentType.objects.get(code="passport"),
        number="X1234567",
        expires_on=TODAY + dt.timedelta(days=400),
    )
    told = testimony.record_testimony(
        user=omid,
        witness=persian,
        recorded_on=TODAY,
        account="A synthetic account of the years in the camp.",
        language="en",
    )
    testimony.record_naming_consent(
        user=omid,
        person=persian,
        purpose=Purpose.COURT,
        granted=True,
        given_on=TODAY,
        method=ConsentMethod.IN_PERSON,
    )
    people.record_consent(
        person=persian,
        context=f"testimony:{told.pk}",
        scope="messages",
        obtained_on=TODAY,
        method="in_person",
        by=omid,
    )
    by_him = tracing.create_enquiry(
        user=omid,
        relationship="sibling",
        enquirer=persian,
        sought={"given_name": "Shirin", "family_name": "Hosseini", "birth": "1972"},
    )
    about_him = tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Fereshteh", "family_name": "Hosseini"}]},
        sought={
            "given_name": "Massoud",
            "family_name": "Hosseini",
            "father_name": "Ali",
            "birth": "1965",
            "birth_place": "Ahvaz",
            "gender": "M",
        },
    )
    candidate = about_him.candidates.get(person=persian)
    tracing.decide_candidate(user=sara, candidate=candidate, decision="same", reason="father")
    tracing.record_verification(
        user=sara,
        candidate=candidate,
        kind="recognised",
        method="photo",
        verified_on=TODAY,
        note="recognised his photograph",
    )
    about_him.refresh_from_db()
    tracing.record_enquiry_consent(
        user=sara, enquiry=about_him, scope="whereabouts", obtained_on=TODAY, method="phone"
    )
    about_him.refresh_from_db()
    return {
        "omid": omid,
        "sara": sara,
        "persian": persian,
        "survivor": survivor,
        "case": case,
        "task": task,
        "document": document,
        "testimony": told,
        "by_him": by_him,
        "about_him": about_him,
        "candidate": candidate,
    }


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_record_follows_the_merge_and_the_undo_restores_exactly_the_prior_state(world):
    omid, persian, survivor = world["omid"], world["persian"], world["survivor"]
    about_him = world["about_him"]
    assert tracing.family_reply(about_him, user=world["sara"]).disclosure.location == LOCATION
    before = snapshot(persian, survivor)
    owned = {label: rows for label, rows in before.items() if rows}
    # the fixture gives the merged record a row in each kind the issue names
    for label in (
        "cases.Case.person",
        "testimony.Testimony.witness",
        "testimony.NamingConsent.person",
        "tracing.Enquiry.enquirer",
        "tracing.Enquiry.sought_person",
        "tracing.Candidate.person",
        "people.Consent.person",
    ):
        assert label in owned, f"the fixture made no {label}"

    merge = people.merge_persons(user=omid, survivor=survivor, merged=persian, reason="same man")

    merge.refresh_from_db()
    records = merge.moved["records"]
    assert records["cases.Case.person"] == [world["case"].pk]
    assert records["testimony.Testimony.witness"] == [world["testimony"].pk]
    assert records["tracing.Candidate.person"] == [world["candidate"].pk]
    assert len(records["people.Consent.person"]) == 2
    for model, field in links_to_person():
        label = f"{model._meta.label}.{field.name}"
        if label in people.STAYS_WITH_RECORD:
            continue
        left = model._base_manager.filter(**{field.attname: persian.pk})
        assert list(left.values_list("pk", flat=True)) == merge.moved["kept"].get(label, []), (
            f"{label} rows stayed on the merged record"
        )
    world["case"].refresh_from_db()
    about_him.refresh_from_db()
    world["by_him"].refresh_from_db()
    assert world["case"].person == survivor
    assert world["task"].case.person_id == survivor.pk
    assert world["document"].case.person_id == survivor.pk
    assert about_him.sought_person == survivor and world["by_him"].enquirer == survivor
    # the confirmation followed the candidate; the consent recorded under the old record
    # does not open a disclosure until the person is asked again under the survivor
    assert tracing.confirmed_candidate(about_him) == world["candidate"]
    assert tracing.consent_scope(about_him) is None
    assert not tracing.family_reply(about_him, user=world["sara"]).disclosure.shares_whereabouts

    people.undo_merge(user=omid, merge=merge, reason="different fathers after all")

    persian.refresh_from_db()
    survivor.refresh_from_db()
    after = snapshot(persian, survivor)
    for label in before:
        assert after[label] == before[label], f"{label} differs after the undo"
    about_him.refresh_from_db()
    assert tracing.family_reply(about_him, user=world["sara"]).disclosure.location == LOCATION


def test_the_survivors_pages_and_api_show_what_followed_the_merge(world, client):
    omid, persian, survivor = world["omid"], world["persian"], world["survivor"]
    people.merge_persons(user=omid, survivor=survivor, merged=persian, reason="same man")
    client.force_login(omid)
    page = client.get(reverse("tracing:person_record", args=[survivor.pk]))
    assert page.status_code == 200
    assert world["case"].reference in page.content.decode()
    api = api_for(omid)
    assert api.get(f"/api/cases/{world['case'].pk}/").json()["person"] == survivor.pk
    told = api.get(f"/api/testimonies/{world['testimony'].pk}/").json()
    assert told["witness"] == survivor.pk
    assert told["witness_reference"] == survivor.reference
    bases = api.get(f"/api/persons/{survivor.pk}/bases/").json()
    assert len(bases) == 2, bases
    assert api.get(f"/api/enquiries/{world['by_him'].pk}/").status_code == 200
    sought = api_for(world["sara"]).get(f"/api/enquiries/{world['about_him'].pk}/").json()
    assert sought["sought_person"] == survivor.reference


def test_a_merge_widens_no_access_beyond_the_survivors_caseworker(world, client):
    """Sara's enquiry now names the survivor, but the survivor stays in Omid's caseload:
    Sara still gets 404 for the record, and Omid does not see Sara's enquiry."""
    omid, sara, persian, survivor = (world[k] for k in ("omid", "sara", "persian", "survivor"))
    people.merge_persons(user=omid, survivor=survivor, merged=persian, reason="same man")
    client.force_login(sara)
    assert client.get(reverse("tracing:person_record", args=[survivor.pk])).status_code == 404
    assert api_for(sara).get(f"/api/cases/{world['case'].pk}/").status_code == 404
    assert api_for(omid).get(f"/api/enquiries/{world['about_him'].pk}/").status_code == 404


def test_a_candidate_that_duplicates_the_survivors_stays_with_the_merged_record(world):
    """Both records were proposed for Sara's enquiry; after the merge the survivor's own
    candidate (undecided) is the one that counts, so nothing stands confirmed."""
    omid, sara, persian = world["omid"], world["sara"], world["persian"]
    latin = people.register_person(
        user=omid,
        names=[{"given_name": "Masoud", "family_name": "Hosseyni", "father_name": "Ali"}],
        birth="1965",
    )
    about_him = world["about_him"]
    theirs = about_him.candidates.get(person=latin)
    assert theirs.decision == Decision.PENDING
    merge = people.merge_persons(user=omid, survivor=latin, merged=persian, reason="same man")
    merge.refresh_from_db()
    assert merge.moved["kept"]["tracing.Candidate.person"] == [world["candidate"].pk]
    assert Candidate.objects.get(pk=world["candidate"].pk).person_id == persian.pk
    about_him.refresh_from_db()
    assert about_him.sought_person == latin
    assert tracing.confirmed_candidate(about_him) is None
    assert not tracing.family_reply(about_him, user=sara).disclosure.found

    people.undo_merge(user=omid, merge=merge, reason="not the same")
    about_him.refresh_from_db()
    assert about_him.sought_person == persian
    assert tracing.confirmed_candidate(about_him) == world["candidate"]


def test_a_second_open_case_stays_with_the_merged_record_and_the_undo_keeps_both(world):
    """One open case per person: the survivor's own stays its case, the merged record's
    keeps its person (listed as kept on the merge), and nothing is lost either way."""
    omid, persian, survivor = world["omid"], world["persian"], world["survivor"]
    own = cases.open_case(user=omid, person=survivor, reason="asked for help in 2021")
    merge = people.merge_persons(user=omid, survivor=survivor, merged=persian, reason="same man")
    merge.refresh_from_db()
    assert merge.moved["kept"] == {"cases.Case.person": [world["case"].pk]}
    world["case"].refresh_from_db()
    own.refresh_from_db()
    assert (world["case"].person_id, own.person_id) == (persian.pk, survivor.pk)
    people.undo_merge(user=omid, merge=merge, reason="not the same")
    world["case"].refresh_from_db()
    own.refresh_from_db()
    assert (world["case"].person_id, own.person_id) == (persian.pk, survivor.pk)
