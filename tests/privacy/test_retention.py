"""Retention: what is past its period is pseudonymised or deleted, nothing else, and a second
run changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from kinlink.audit.models import Action, Entry
from kinlink.audit.services import verify_chain
from kinlink.cases import services as cases
from kinlink.cases.models import Document, DocumentType, Stage
from kinlink.people import services as people
from kinlink.people.models import Person
from kinlink.privacy import services
from kinlink.privacy.models import ErasureRequest, RetentionRule
from kinlink.tracing import services as tracing
from kinlink.tracing.models import Enquiry

YEAR = dt.timedelta(days=365)
SOUGHT = "Fereshte who wrote letters from the camp"
OLD_NAME = "Masoud who nobody has asked about in years"


def _later(years: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=round(365.25 * years))


@pytest.fixture
def sara(staff):
    return staff["caseworker"]


@pytest.fixture
def closed_enquiry(sara):
    enquiry = tracing.create_enquiry(
        user=sara,
        relationship="parent",
        new_enquirer={"names": [{"given_name": "Parwin", "family_name": "Letters"}]},
        sought={"given_name": SOUGHT, "family_name": "Yaganeh", "birth": "1971"},
        last_news_where="Camp Ashraf gate",
        enquirer_contact="the enquirer's phone +98 21 1234",
    )
    tracing.close_enquiry(user=sara, enquiry=enquiry, outcome="not_found")
    enquiry.refresh_from_db()
    return enquiry


@pytest.fixture
def open_enquiry(sara):
    return tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Reza", "family_name": "Open"}]},
        sought={"given_name": "Still searched for", "family_name": "Open"},
    )


@pytest.fixture
def closed_case(sara):
    person = people.create_person(names=[{"given_name": "Case person"}], caseworker=sara)
    case = cases.open_case(user=sara, person=person, opened_on=dt.date(2024, 2, 1))
    cases.add_document(
        user=sara,
        case=case,
        document_type=DocumentType.objects.get(code="residence_permit"),
        number="PERMIT-000-RETAINED",
        scan=SimpleUploadedFile("permit.png", b"a permit scan\n", "image/png"),
    )
    closed = Stage.objects.get(pathway=case.pathway, code="closed")
    cases.move_case(user=sara, case=case, to_stage=closed, reason="done", outcome="settled")
    case.refresh_from_db()
    return case


def test_a_closed_enquiry_is_pseudonymised_once_its_period_is_over(closed_enquiry, open_enquiry):
    services.apply_retention(now=_later(9))
    assert Enquiry.objects.get(pk=closed_enquiry.pk).sought_given_name == SOUGHT
    results = {r.record_type: r for r in services.apply_retention(now=_later(10.1))}
    assert results["closed_enquiry"].acted_on == [closed_enquiry.reference]
    enquiry = Enquiry.objects.get(pk=closed_enquiry.pk)
    assert enquiry.sought_given_name == "" and enquiry.sought_family_name == ""
    assert enquiry.last_news_where == "" and enquiry.enquirer_contact is None
    assert enquiry.status == "closed" and enquiry.outcome == "not_found"
    assert enquiry.sought_birth_year == 1972  # the middle of its five-year band
    assert Enquiry.objects.get(pk=open_enquiry.pk).sought_given_name == "Still searched for"


def test_a_second_run_changes_nothing_and_writes_no_entry(closed_enquiry, closed_case):
    services.apply_retention(now=_later(11))
    last = Entry.objects.order_by("-seq").first().seq
    again = services.apply_retention(now=_later(11))
    assert all(r.count == 0 for r in again), [(r.record_type, r.acted_on) for r in again]
    assert Entry.objects.order_by("-seq").first().seq == last
    assert verify_chain().ok


def test_a_closed_case_loses_document_numbers_and_scans_after_seven_years(
    closed_case, media, django_capture_on_commit_callbacks
):
    document = Document.objects.get(case=closed_case)
    scan = document.scan.path
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_retention(now=_later(6.5))
    assert Document.objects.get(pk=document.pk).number is not None
    with django_capture_on_commit_callbacks(execute=True):
        results = {r.record_type: r for r in services.apply_retention(now=_later(7.2))}
    assert results["closed_case"].acted_on == [closed_case.reference]
    document.refresh_from_db()
    assert document.number is None and not document.scan
    assert document.document_type.code == "residence_permit"
    import os

    assert not os.path.exists(scan)


def test_login_records_are_deleted_after_their_period(db):
    AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.1",
        user_agent="x",
        http_accept="*/*",
        path_info="/en/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=3,
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - 200 * dt.timedelta(days=1))
    AccessAttempt.objects.create(
        username="recent",
        ip_address="10.0.0.2",
        user_agent="x",
        http_accept="*/*",
        path_info="/en/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    results = {r.record_type: r for r in services.apply_retention()}
    assert results["login_records"].count == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent"]


def test_an_inactive_person_is_pseudonymised_with_a_retention_tombstone(sara, open_enquiry):
    old = people.create_person(names=[{"given_name": OLD_NAME}], caseworker=sara)
    results = {r.record_type: r for r in services.apply_retention(now=_later(10.1))}
    assert old.reference in results["inactive_person"].acted_on
    # the enquirer of an enquiry still open is kept
    assert open_enquiry.enquirer.reference not in results["inactive_person"].acted_on
    person = Person.objects.get(pk=old.pk)
    assert OLD_NAME not in [n.given_name for n in person.names.all()]
    request = ErasureRequest.objects.get(person=person)
    assert request.ground == "retention" and request.method == "pseudonymise"
    assert request.requested_by == "retention" and request.state == "done"
    assert Person.objects.get(pk=open_enquiry.enquirer_id).names.first().given_name == "Reza"


def test_a_disabled_rule_is_not_applied(closed_enquiry, dpo):
    rule = RetentionRule.objects.get(record_type="closed_enquiry")
    services.update_retention_rule(user=dpo, rule=rule, period_days=rule.period_days, enabled=False)
    results = {r.record_type for r in services.apply_retention(now=_later(20))}
    assert "closed_enquiry" not in results
    assert Enquiry.objects.get(pk=closed_enquiry.pk).sought_given_name == SOUGHT


def test_an_administrator_or_officer_sets_a_period_and_others_may_not(staff, closed_enquiry):
    rule = RetentionRule.objects.get(record_type="closed_enquiry")
    services.update_retention_rule(user=staff["admin"], rule=rule, period_days=30, enabled=True)
    services.update_retention_rule(user=staff["dpo"], rule=rule, period_days=60, enabled=True)
    entry = Entry.objects.filter(object_type="privacy.retentionrule").order_by("-seq").first()
    assert entry.action == Action.CHANGE and entry.actor_username == staff["dpo"].username
    for role in ("caseworker", "supervisor", "analyst"):
        with pytest.raises(PermissionDenied):
            services.update_retention_rule(user=staff[role], rule=rule, period_days=1, enabled=True)
    with pytest.raises(ValidationError):
        services.update_retention_rule(user=staff["dpo"], rule=rule, period_days=0, enabled=True)
    results = {r.record_type: r for r in services.apply_retention(now=_later(0.5))}
    assert results["closed_enquiry"].acted_on == [closed_enquiry.reference]


def test_the_command_prints_what_it_did_and_is_idempotent(closed_enquiry):
    day = (timezone.localdate() + 11 * YEAR).isoformat()
    out = StringIO()
    call_command("apply_retention", "--date", day, "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and "closed_enquiry: pseudonymised 1" in out.getvalue()
    assert Enquiry.objects.get(pk=closed_enquiry.pk).sought_given_name == SOUGHT
    out = StringIO()
    call_command("apply_retention", "--date", day, stdout=out)
    assert "closed_enquiry: pseudonymised 1" in out.getvalue()
    entries = Entry.objects.filter(action=Action.SYSTEM, object_type="privacy.retentionrule")
    entry = entries.filter(detail__retention="closed_enquiry").order_by("-seq").first()
    assert entry.detail["retention"] == "closed_enquiry" and entry.actor_username == "system"
    out = StringIO()
    call_command("apply_retention", "--date", day, stdout=out)
    assert "closed_enquiry: pseudonymised 0" in out.getvalue()
