"""Erasure and pseudonymisation take down the person's public tracing notices with their
photo, and the legal-basis texts that spell the person's values."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.db import connection
from PIL import Image, ImageDraw

from kinlink.people import basis as legal_basis
from kinlink.people.models import Consent
from kinlink.privacy import scrub
from kinlink.tracing import notices
from kinlink.tracing import services as tracing
from kinlink.tracing.models import Enquiry, TracingNotice

from .conftest import GIVEN, SECRETS
from .test_erasure import _carry_out, _request, where_in_database

COVERAGE = f"sending the file of {GIVEN} to the partner's tracing service"


def drawn_photo() -> bytes:
    image = Image.new("RGB", (64, 64), (90, 140, 200))
    ImageDraw.Draw(image).ellipse((16, 8, 48, 40), fill=(240, 200, 160))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def notice(world, staff):
    """The subject, as an enquirer, published a notice with their photo; a transfer basis
    whose coverage names them; then their enquiry was closed (an open one holds erasure)."""
    sara = staff["caseworker"]
    enquiry = tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        enquirer=world.subject,
        sought={"given_name": "Kaveh", "family_name": "Someone Else", "birth": "1962"},
    )
    notices.record_publication_consent(
        user=sara, enquiry=enquiry, obtained_on=dt.date(2025, 1, 2), method="in_person"
    )
    legal_basis.record_basis_by(
        user=sara,
        person=world.subject,
        purpose="transfer",
        basis="consent",
        method="in_person",
        coverage=COVERAGE,
        obtained_on=dt.date(2025, 1, 2),
    )
    return notices.prepare_notice(user=sara, enquiry=enquiry, photo=drawn_photo())


def _stored_photo(notice: TracingNotice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT photo FROM tracing_tracingnotice WHERE id = %s", [notice.pk])
        return cursor.fetchone()[0]


def _close(staff, enquiry: Enquiry) -> None:
    tracing.close_enquiry(user=staff["caseworker"], enquiry=enquiry, outcome="not_found")


def test_after_pseudonymisation_the_notice_its_photo_and_the_named_coverage_are_gone(
    world, staff, dpo, notice, client, media, django_capture_on_commit_callbacks
):
    assert client.get(f"/en/tracing/notices/{notice.token}/").status_code == 200
    jpeg = notices.published_photo(notice.token)
    sealed = _stored_photo(notice)
    assert jpeg and sealed and where_in_database((sealed,))
    enquiry = notice.enquiry
    _close(staff, enquiry)

    request = _request(dpo, world.subject)
    _carry_out(dpo, request, "pseudonymise", django_capture_on_commit_callbacks)
    # Reopened (by mistake or for the sibling still searching), the notice must not return.
    tracing.reopen_enquiry(user=staff["caseworker"], enquiry=enquiry, note="asked again")

    assert not TracingNotice.objects.filter(enquiry=enquiry).exists()
    assert client.get(f"/en/tracing/notices/{notice.token}/").status_code == 404
    assert client.get(f"/en/tracing/notices/{notice.token}/photo.jpg").status_code == 404
    assert where_in_database((sealed, base64.b64encode(jpeg).decode()[:200])) == []
    assert not any(jpeg[:400] in p.read_bytes() for p in media.rglob("*") if p.is_file())
    coverages = set(Consent.objects.filter(person=world.subject).values_list("coverage", flat=True))
    assert COVERAGE not in coverages and scrub.ERASED_LABEL in coverages
    assert notices.NOTICE_COVERAGE in coverages  # a text that names no one stays
    assert where_in_database(SECRETS) == []


def test_after_erasure_no_notice_or_photo_of_the_person_remains(
    world, staff, dpo, notice, client, django_capture_on_commit_callbacks
):
    sealed = _stored_photo(notice)
    _close(staff, notice.enquiry)
    _carry_out(dpo, _request(dpo, world.subject), "erase", django_capture_on_commit_callbacks)

    assert not TracingNotice.objects.filter(pk=notice.pk).exists()
    assert client.get(f"/en/tracing/notices/{notice.token}/").status_code == 404
    assert where_in_database((sealed, COVERAGE)) == []
    assert where_in_database(SECRETS) == []


def test_retention_of_a_closed_enquiry_deletes_its_notice(world, staff, notice):
    sealed = _stored_photo(notice)
    _close(staff, notice.enquiry)
    tally = scrub.Tally()
    scrub.pseudonymise_enquiry(Enquiry.objects.get(pk=notice.enquiry_id), tally=tally)

    assert tally["tracing.tracingnotice"] == 1
    assert where_in_database((sealed,)) == []
