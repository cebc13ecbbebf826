"""Issue 10: two records confirmed as the same person can be merged, and the merge can be
undone without loss: names, relationships, consents, candidates, decisions, verifications,
search keys and the enquiries that followed the merge all come back as they were."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kinlink.people import services as people
from kinlink.people.models import (
    Consent,
    Person,
    PersonMerge,
    PersonName,
    Relationship,
)
from kinlink.tracing import services
from kinlink.tracing.models import (
    Candidate,
    CandidateDecision,
    Enquiry,
    EnquiryKey,
    Notification,
    PersonKey,
    Verification,
)

from .conftest import CONTACT, LOCATION, consent

pytestmark = pytest.mark.django_db

# Every row that hangs on a person, with every column except the change timestamps that a
# save touches (history of the merge and its undo lives in versions and the audit log).
SNAPSHOT = {
    Person: {"exclude": {"updated_at"}},
    PersonName: {},
    Relationship: {},
    Consent: {},
    Candidate: {"exclude": {"updated_at"}},
    CandidateDecision: {},
    Verification: {},
    # search keys are derived and rewritten whenever a person changes: same keys, new row ids
    PersonKey: {"exclude": {"id"}},
    EnquiryKey: {"exclude": {"id"}},
    Enquiry: {"exclude": {"updated_at"}},
    Notification: {},
}


def snapshot() -> dict[str, list[dict]]:
    taken = {}
    for model, options in SNAPSHOT.items():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in options.get("exclude", set())
        ]
        rows = [
            {name: _plain(getattr(row, name)) for name in fields} for row in model.objects.all()
        ]
        taken[model.__name__] = sorted(rows, key=lambda row: sorted(map(str, row.items())))
    return taken


def _plain(value):
    return getattr(value, "token", value)  # a sealed value compares by its ciphertext


@pytest.fixture
def setting(found, sara, staff, registered):
    """The found person (verified, with full consent for the enquiry), a relative of theirs,
    and a second record of the same man (Latin script) that the keeper of the registry holds."""
    keeper = staff["other_caseworker"]
    consent(found, sara, "whereabouts")
    sister = people.register_person(
        user=keeper, names=[{"given_name": "Fereshteh", "family_name": "Hosseini"}]
    )
    father = people.register_person(user=keeper, names=[{"given_name": "Ali"}])
    people.add_relationship(user=keeper, person=sister, kind="sibling", relative=registered)
    people.add_relationship(user=keeper, person=registered, kind="child", relative=father)
    latin = people.register_person(
        user=keeper,
        names=[{"given_name": "Masoud", "family_name": "Hosseyni", "father_name": "Ali"}],
        birth="1965",
    )
    # the sister is related to both records: the merge drops one row, the undo brings it back
    people.add_relationship(user=keeper, person=sister, kind="sibling", relative=latin)
    people.record_consent(
        person=latin,
        context="testimony:1",
        scope="messages",
        obtained_on=dt.date.today(),
        method="in_person",
        by=keeper,
    )
    return {"keeper": keeper, "latin": latin, "sister": sister, "father": father}


def test_a_merge_and_its_undo_lose_nothing(setting, found, sara, registered):
    keeper, latin = setting["keeper"], setting["latin"]
    before = snapshot()
    merge = people.merge_persons(user=keeper, survivor=latin, merged=registered, reason="same")
    found.refresh_from_db()
    assert found.sought_person == latin
    assert Relationship.objects.filter(relative=registered).count() == 0
    assert not services.family_reply(found, user=sara).disclosure.shares_whereabouts
    assert snapshot() != before

    people.undo_merge(user=keeper, merge=merge, reason="different birth places after all")

    after = snapshot()
    for table in before:
        assert after[table] == before[table], table
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == keeper
    found.refresh_from_db()
    reply = services.family_reply(found, user=sara)
    assert (reply.disclosure.location, reply.disclosure.contact) == (LOCATION, CONTACT)


def test_a_merge_is_undone_once_and_only_with_a_reason(setting, registered):
    keeper, latin = setting["keeper"], setting["latin"]
    merge = people.merge_persons(user=keeper, survivor=latin, merged=registered, reason="same")
    with pytest.raises(ValidationError):
        people.undo_merge(user=keeper, merge=merge, reason=" ")
    people.undo_merge(user=keeper, merge=merge, reason="not the same")
    with pytest.raises(ValidationError):
        people.undo_merge(user=keeper, merge=merge, reason="again")


def test_a_merge_whose_survivor_was_merged_since_waits_for_that_undo(setting, registered):
    keeper, latin, father = setting["keeper"], setting["latin"], setting["father"]
    first = people.merge_persons(user=keeper, survivor=latin, merged=registered, reason="same")
    second = people.merge_persons(user=keeper, survivor=father, merged=latin, reason="test")
    with pytest.raises(ValidationError):
        people.undo_merge(user=keeper, merge=first, reason="wrong")
    people.undo_merge(user=keeper, merge=second, reason="wrong")
    people.undo_merge(user=keeper, merge=first, reason="wrong")
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_the_undo_is_offered_on_the_person_page(client, setting, registered):
    keeper, latin = setting["keeper"], setting["latin"]
    merge = people.merge_persons(user=keeper, survivor=latin, merged=registered, reason="same")
    client.force_login(keeper)
    html = client.get(f"/en/tracing/persons/{latin.pk}/").content.decode()
    assert f'data-merge="{merge.pk}"' in html
    response = client.post(
        f"/en/tracing/persons/{latin.pk}/merges/{merge.pk}/undo/", {"reason": "two men"}
    )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.merged_into is None
    assert PersonMerge.objects.get().undone_at is not None
