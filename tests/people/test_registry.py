import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Entry
from kinlink.people import services
from kinlink.people.models import Person, PersonMerge, Relationship
from kinlink.people.selectors import (
    consent_in_force,
    persons_visible_to,
    relationships_of,
    versions_of,
)
from kinlink.people.signals import person_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(make_user):
    return make_user("sara", "caseworker", team="North")


def person(user, given="Masoud", family="Hosseini", **kwargs):
    return services.register_person(
        user=user, names=[{"given_name": given, "family_name": family}], **kwargs
    )


def test_a_name_is_stored_with_the_script_it_is_written_in(sara):
    p = services.register_person(
        user=sara,
        names=[
            {"given_name": "مسعود", "family_name": "حسینی", "language": "fa"},
            {"kind": "organisational", "given_name": "Ray"},
        ],
    )
    assert [(n.kind, n.script) for n in p.names.all()] == [
        ("legal", "arabic"),
        ("organisational", "latin"),
    ]


def test_a_name_needs_a_given_or_family_name(sara):
    with pytest.raises(ValidationError):
        services.register_person(user=sara, names=[{"father_name": "Ali"}])


def test_a_solar_hijri_year_is_stored_as_the_two_gregorian_years_it_spans(sara):
    p = person(sara, birth="۱۳۴۴")
    assert (p.birth_year, p.birth_year_end, p.birth_calendar) == (1965, 1966, "solar_hijri")
    assert p.birth_entered == "۱۳۴۴"


def test_an_approximate_birth_year_keeps_its_margin(sara):
    p = person(sara, birth="about 1965±3")
    assert (p.birth_year, p.birth_year_margin, p.birth_calendar) == (1965, 3, "gregorian")


def test_an_exact_birth_date_is_stored_as_a_date(sara):
    p = person(sara, birth="1344-01-01 SH")
    assert p.birth_date == dt.date(1965, 3, 21)


def test_an_impossible_birth_date_names_the_problem(sara):
    with pytest.raises(ValidationError) as info:
        person(sara, birth="1965-02-30")
    assert "day 30" in str(info.value.message_dict["birth"])


def test_contact_and_location_are_sealed_and_reading_them_is_audited(sara):
    p = person(sara, contact="+355 69 000 0000", last_known_location="Durres")
    stored = Person.objects.get(pk=p.pk)
    assert str(stored.contact) == "•••"
    assert "Durres" not in str(Person.objects.filter(pk=p.pk).values_list("last_known_location"))
    value = services.read_sensitive_field(
        user=sara, person=stored, field="last_known_location", reason="visit"
    )
    assert value == "Durres"
    assert Entry.objects.filter(action="read", field="last_known_location").exists()


def test_every_change_keeps_a_version_with_what_changed(sara):
    p = person(sara, birth="1965", birth_place="Ahvaz")
    services.update_person(
        user=sara, person=p, changes={"birth_place": "Tehran", "birth": "1966", "status": "alive"}
    )
    versions = list(versions_of(p))
    assert [v.action for v in versions] == ["edit", "create"]
    assert versions[0].changed == ["birth", "birth_place", "status"]
    assert versions[1].snapshot["birth_place"] == "Ahvaz"
    assert versions[0].snapshot["birth_year"] == 1966


def test_an_edit_is_written_to_the_audit_log_by_field_name(sara):
    p = person(sara)
    services.update_person(user=sara, person=p, changes={"nationality": "Iranian"})
    entry = Entry.objects.filter(action="change", object_type="people.person").first()
    assert entry.detail["fields"] == ["nationality"]


def test_a_caseworker_cannot_edit_a_person_outside_their_caseload(sara, make_user):
    other = make_user("omid", "caseworker", team="North")
    p = person(other)
    with pytest.raises(PermissionDenied):
        services.update_person(user=sara, person=p, changes={"nationality": "Iranian"})


def test_an_administrator_cannot_register_a_person(make_user):
    admin = make_user("arben", "admin")
    with pytest.raises(PermissionDenied):
        person(admin)


def test_a_relationship_reads_the_right_way_from_both_sides(sara):
    mother = person(sara, given="Parvin")
    son = person(sara, given="Reza")
    services.add_relationship(user=sara, person=mother, kind="parent", relative=son)
    assert [(kind, other.pk) for kind, other, _ in relationships_of(mother)] == [("child", son.pk)]
    assert [(kind, other.pk) for kind, other, _ in relationships_of(son)] == [("parent", mother.pk)]


def test_two_persons_are_related_only_once(sara):
    a, b = person(sara, given="A"), person(sara, given="B")
    services.add_relationship(user=sara, person=a, kind="sibling", relative=b)
    with pytest.raises(ValidationError):
        services.add_relationship(user=sara, person=b, kind="sibling", relative=a)


def test_merging_moves_names_and_relationships_and_keeps_the_other_record(sara):
    keep = person(sara, given="Masoud", birth="1965")
    dup = person(sara, given="مسعود", family="حسینی", birth_place="Ahvaz", contact="x@example.org")
    sister = person(sara, given="Fereshteh")
    services.add_relationship(user=sara, person=sister, kind="sibling", relative=dup)
    merge = services.merge_persons(user=sara, survivor=keep, merged=dup, reason="same father")
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert sorted(n.given_name for n in keep.names.all()) == ["Masoud", "مسعود"]
    assert keep.birth_place == "Ahvaz" and keep.birth_year == 1965
    assert str(keep.contact) == "•••"
    assert Relationship.objects.get().relative == keep
    assert set(merge.moved["filled"]) == {"birth_place", "contact"}
    assert dup.pk not in persons_visible_to(sara).values_list("pk", flat=True)
    assert dup.pk in persons_visible_to(sara, include_merged=True).values_list("pk", flat=True)
    # the merged record's state before the merge is kept for an undo
    before = versions_of(dup).filter(changed=["before merge"]).get()
    assert before.snapshot["names"][0]["given_name"] == "مسعود"
    assert PersonMerge.objects.get().reason == "same father"


def test_a_merge_needs_a_reason_and_two_different_records(sara):
    a, b = person(sara), person(sara)
    with pytest.raises(ValidationError):
        services.merge_persons(user=sara, survivor=a, merged=b, reason=" ")
    with pytest.raises(ValidationError):
        services.merge_persons(user=sara, survivor=a, merged=a, reason="same")


def test_creating_a_person_tells_the_apps_that_listen(sara):
    heard = []

    def listener(sender, person, created, **kwargs):
        heard.append((person.reference, created))

    person_changed.connect(listener)
    try:
        p = person(sara)
    finally:
        person_changed.disconnect(listener)
    assert heard == [(p.reference, True)]


def test_the_newest_consent_is_in_force_until_it_is_withdrawn(sara):
    p, family = person(sara), person(sara, given="Parvin")
    today = dt.date.today()
    first = services.record_consent(
        person=p, context="enquiry:1", scope="messages", obtained_on=today, method="phone", by=sara
    )
    assert consent_in_force(p, "enquiry:1") == first
    second = services.record_consent(
        person=p,
        context="enquiry:1",
        scope="whereabouts",
        obtained_on=today,
        method="in_person",
        by=sara,
        recipient=family,
    )
    assert consent_in_force(p, "enquiry:1") == second
    services.withdraw_consent(consent=second, by=sara, reason="changed their mind")
    assert consent_in_force(p, "enquiry:1") is None
    assert consent_in_force(p, "enquiry:2") is None


def test_a_consent_cannot_be_dated_in_the_future(sara):
    with pytest.raises(ValidationError):
        services.record_consent(
            person=person(sara),
            context="enquiry:1",
            scope="messages",
            obtained_on=dt.date.today() + dt.timedelta(days=2),
            method="phone",
            by=sara,
        )
