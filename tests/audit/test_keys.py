import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from kinlink.audit import crypto
from kinlink.audit.keys import canary_opens, rotate_field_keys
from kinlink.audit.sensitive import reveal
from kinlink.people.models import Person
from kinlink.people.services import create_person

pytestmark = pytest.mark.django_db


def _stored_contact(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _use_keys(settings, *keys: str) -> None:
    settings.FIELD_KEYS = list(keys)
    crypto.reset_cache()


def test_rotation_re_encrypts_every_value_so_the_old_key_can_go(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _use_keys(settings, old)
    from kinlink.audit.keys import ensure_canary
    from kinlink.audit.models import KeyCanary

    KeyCanary.objects.all().delete()
    ensure_canary()
    people = [
        create_person(names=[{"given_name": f"N{i}"}], contact=f"+355 69 000 {i:04d}")
        for i in range(7)
    ]
    before = _stored_contact(people[0].pk)
    _use_keys(settings, new, old)
    report = rotate_field_keys(batch=3)
    assert report.values == 7 and report.by_model == {"people.person": 7}
    assert _stored_contact(people[0].pk) != before
    _use_keys(settings, new)
    assert canary_opens() is True
    for i, person in enumerate(people):
        assert reveal(Person.objects.get(pk=person.pk), "contact") == f"+355 69 000 {i:04d}"


def test_a_wrong_key_is_a_clear_error_at_start_up_never_garbage(settings):
    create_person(names=[{"given_name": "Maryam"}], contact="+355 69 123 4567")
    _use_keys(settings, Fernet.generate_key().decode())
    assert canary_opens() is False
    with pytest.raises(SystemCheckError, match=r"kinlink\.E002"):
        call_command("check", fail_level="ERROR")
    person = Person.objects.get()
    with pytest.raises(crypto.FieldKeyError, match="cannot be decrypted"):
        reveal(person, "contact")
