"""Consent is a history of records: the newest one is in force, withdrawals included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.people.models import ConsentMethod
from kinlink.testimony import models, selectors, services
from kinlink.testimony.models import Purpose, Use
from kinlink.testimony.selectors import named_persons, uses_in_force

from .conftest import RECORDED


def _use(staff, testimony, use, granted, days=1):
    return services.record_use_consent(
        user=staff["caseworker"],
        testimony=testimony,
        use=use,
        granted=granted,
        given_on=RECORDED + dt.timedelta(days=days),
        method=ConsentMethod.IN_PERSON,
    )


def test_the_uses_given_when_recording_are_in_force(record):
    testimony = record(uses=[Use.INTERNAL, Use.COURT])
    assert uses_in_force(testimony) == {Use.INTERNAL, Use.COURT}


def test_a_withdrawal_is_a_new_record_and_the_history_stays(record, staff):
    testimony = record(uses=[Use.COURT])
    _use(staff, testimony, Use.COURT, granted=False)
    assert uses_in_force(testimony) == set()
    history = list(models.TestimonyConsent.objects.filter(testimony=testimony).order_by("id"))
    assert [(c.use, c.granted) for c in history] == [(Use.COURT, True), (Use.COURT, False)]
    _use(staff, testimony, Use.COURT, granted=True, days=2)
    assert uses_in_force(testimony) == {Use.COURT}


def test_which_testimonies_a_purpose_covers(record, staff):
    court = record(uses=[Use.COURT])
    named = record(uses=[Use.NAMED_REPORT])
    anonymised = record(uses=[Use.ANONYMISED])
    record(uses=[Use.INTERNAL])
    user = staff["supervisor"]

    def covered(purpose):
        return set(selectors.testimonies_for_purpose(user, purpose).values_list("pk", flat=True))

    assert covered(Purpose.COURT) == {court.pk}
    assert covered(Purpose.HUMAN_RIGHTS_REPORT) == {named.pk}
    assert covered(Purpose.ANONYMISED_REPORT) == {named.pk, anonymised.pk}


def test_naming_consent_is_per_person_and_purpose_and_withdrawable(staff, witness):
    def name(purpose, granted):
        services.record_naming_consent(
            user=staff["caseworker"],
            person=witness,
            purpose=purpose,
            granted=granted,
            given_on=RECORDED,
            method=ConsentMethod.WRITING,
        )

    assert named_persons([witness.pk], Purpose.COURT) == set()
    name(Purpose.COURT, True)
    assert named_persons([witness.pk], Purpose.COURT) == {witness.pk}
    assert named_persons([witness.pk], Purpose.HUMAN_RIGHTS_REPORT) == set()
    name(Purpose.COURT, False)
    assert named_persons([witness.pk], Purpose.COURT) == set()


def test_nobody_consents_to_be_named_in_an_anonymised_report(staff, witness):
    with pytest.raises(ValidationError):
        services.record_naming_consent(
            user=staff["caseworker"],
            person=witness,
            purpose=Purpose.ANONYMISED_REPORT,
            granted=True,
            given_on=RECORDED,
            method=ConsentMethod.WRITING,
        )


def test_consent_is_recorded_only_by_someone_who_can_see_the_testimony(record, staff):
    testimony = record()
    with pytest.raises(PermissionDenied):
        services.record_use_consent(
            user=staff["south_caseworker"],
            testimony=testimony,
            use=Use.COURT,
            granted=True,
            given_on=RECORDED,
            method=ConsentMethod.WRITING,
        )
