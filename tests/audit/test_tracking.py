import pytest
from django.db import connection

from kinlink.audit.context import Actor, acting_as
from kinlink.audit.models import Entry
from kinlink.audit.sensitive import Sealed, reveal
from kinlink.people.models import Person
from kinlink.people.services import create_person

pytestmark = pytest.mark.django_db


def _person(**extra) -> Person:
    return create_person(names=[{"given_name": "Hossein", "family_name": "Mousavi"}], **extra)


def test_creating_changing_and_deleting_a_record_are_audited_with_actor_and_address():
    with acting_as(Actor(user_id=7, username="sara", ip="10.1.2.3")):
        person = _person()
        person.birth_place = "Ahvaz"
        person.save()
        person.delete()
    entries = Entry.objects.filter(object_type="people.person").order_by("seq")
    assert [e.action for e in entries] == ["create", "change", "delete"]
    assert {e.actor_username for e in entries} == {"sara"}
    assert {e.ip for e in entries} == {"10.1.2.3"}
    assert entries[1].detail == {"fields": ["birth_place"]}


def test_a_change_lists_field_names_but_never_values():
    person = _person(contact="+355 69 111 2222")
    person.contact = "+355 69 333 4444"
    person.save()
    change = Entry.objects.filter(action="change", object_type="people.person").get()
    assert change.detail == {"fields": ["contact"]}
    # A space is in no hash or token, so "333 4444" can only be the value itself.
    assert "333 4444" not in change.payload().decode()


def test_sensitive_fields_are_stored_encrypted():
    person = _person(contact="+355 69 123 4567", last_known_location="Durres")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact, last_known_location FROM people_person WHERE id = %s", [person.pk]
        )
        contact, location = cursor.fetchone()
    assert "123 4567" not in contact and "Durres" not in location
    assert contact.startswith("gAAAA")  # a Fernet token


def test_a_sensitive_value_prints_as_a_placeholder_and_reveal_audits_the_read():
    person = Person.objects.get(pk=_person(contact="+355 69 123 4567").pk)
    assert isinstance(person.contact, Sealed)
    assert "123 4567" not in str(person.contact) and "123 4567" not in repr(person.contact)
    with acting_as(Actor(user_id=3, username="dpo", ip="127.0.0.1")):
        assert reveal(person, "contact", reason="erasure request") == "+355 69 123 4567"
    read = Entry.objects.filter(action="read").get()
    assert (read.field, read.actor_username, read.detail) == (
        "contact",
        "dpo",
        {"reason": "erasure request"},
    )


def test_saving_without_touching_a_sensitive_field_does_not_report_it_changed():
    person = Person.objects.get(pk=_person(contact="+355 69 123 4567").pk)
    person.birth_place = "Tehran"
    person.save()
    change = Entry.objects.filter(action="change", object_type="people.person").get()
    assert change.detail == {"fields": ["birth_place"]}
