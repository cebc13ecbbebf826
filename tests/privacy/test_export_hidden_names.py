"""Issue 10, safe exports: the subject-access export (JSON and PDF) and the evidence bundle
hold no hidden name, and each is audited with who, what, why and for whom."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re
import zipfile
import zlib

import pytest

from kinlink.audit.models import Entry
from kinlink.people.models import ConsentMethod, PersonName
from kinlink.people.services import update_person
from kinlink.privacy import export as subject_export
from kinlink.privacy import services
from kinlink.testimony import evidence
from kinlink.testimony import services as testimony
from kinlink.testimony.models import Purpose, Use

from .conftest import GIVEN

pytestmark = pytest.mark.django_db

HIDDEN = [("Zhaleh", "Kamranpour"), ("ژاله", "کامرانپور")]
HIDDEN_TEXTS = [part for pair in HIDDEN for part in pair]


@pytest.fixture
def hidden(world, staff):
    """The subject's organisational names, hidden, then a change that snapshots them."""
    for given, family in HIDDEN:
        PersonName.objects.create(
            person=world.subject,
            given_name=given,
            family_name=family,
            kind="organisational",
            hidden=True,
        )
    update_person(
        user=staff["caseworker"], person=world.subject, changes={"nationality": "Iranian"}
    )
    assert any("Zhaleh" in repr(v.snapshot) for v in world.subject.versions.all()), (
        "the version snapshot holds the hidden name, so the export must leave it out"
    )
    return world


def _pdf_text(pdf: bytes) -> bytes:
    """The content streams of a PDF, decoded (ASCII85, then Flate)."""
    text = b""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        text += raw
    return text


def test_the_subject_access_json_holds_no_hidden_name(hidden, dpo):
    result = services.export_subject_data(
        user=dpo, person=hidden.subject, reason="request by letter", fmt="json"
    )
    text = result.content.decode("utf-8")
    assert GIVEN in text  # the visible names are there
    assert not [t for t in HIDDEN_TEXTS if t in text]
    assert '"hidden_names_withheld": 2' in text


def test_the_subject_access_pdf_holds_no_hidden_name(hidden, dpo, monkeypatch):
    # A standard font writes the text as it is, so the PDF's streams can be searched
    # (the embedded DejaVu subset writes glyph numbers instead).
    monkeypatch.setattr(subject_export, "_fonts", lambda: ("Helvetica", "Helvetica-Bold"))
    result = services.export_subject_data(
        user=dpo, person=hidden.subject, reason="request by letter", fmt="pdf"
    )
    text = _pdf_text(result.content)
    assert GIVEN.split()[0].encode() in text
    assert b"Zhaleh" not in text and b"Kamranpour" not in text


def test_the_subject_access_export_is_audited_with_who_what_why_and_for_whom(hidden, dpo):
    services.export_subject_data(user=dpo, person=hidden.subject, reason="letter", fmt="pdf")
    entry = Entry.objects.filter(action="export").order_by("seq").last()
    assert entry.actor_username == dpo.username
    detail = entry.detail
    assert detail["by"] == dpo.username and detail["format"] == "pdf"
    assert detail["purpose"] == "subject access" and detail["reason"] == "letter"
    assert detail["for"] == f"data subject {hidden.subject.reference}"
    assert detail["rows"] > 5 and "people.personname" in detail["columns"]
    assert detail["hidden_names_withheld"] == 2


def test_an_evidence_bundle_holds_no_hidden_name_and_is_audited(hidden, staff, tmp_path):
    subject = hidden.subject
    sara = staff["caseworker"]
    told = testimony.record_testimony(
        user=sara,
        witness=subject,
        recorded_on=dt.date(2024, 3, 5),
        account="I was moved to another camp in 2012.",
        uses=(Use.INTERNAL, Use.COURT),
    )
    testimony.record_naming_consent(
        user=sara,
        person=subject,
        purpose=Purpose.COURT,
        granted=True,
        given_on=dt.date(2024, 3, 5),
        method=ConsentMethod.IN_PERSON,
        note="may be named in court",
    )
    bundle = evidence.export_evidence(
        user=staff["supervisor"], recipient="International Criminal Court", purpose="court"
    )
    with zipfile.ZipFile(bundle.file.path) as archive:
        texts = [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    assert told.reference in " ".join(texts)
    assert any(GIVEN in text for text in texts)  # named with consent, by visible names
    assert not [t for t in HIDDEN_TEXTS for text in texts if t in text]
    entry = Entry.objects.filter(action="export").order_by("seq").last()
    assert entry.detail["by"] == staff["supervisor"].username
    assert entry.detail["for"] == "International Criminal Court"
    assert entry.detail["purpose"] == "court" and entry.detail["format"] == "zip"
    assert entry.detail["counts"]["testimonies"] == 1


def test_free_text_that_spells_a_hidden_name_in_other_letters_case_is_withheld(hidden, staff, dpo):
    testimony.record_testimony(
        user=staff["caseworker"],
        witness=hidden.subject,
        recorded_on=dt.date(2024, 3, 5),
        account="In the camp they called me ZHALEH KAMRANPOUR; my sister said zhaleh too.",
        uses=(Use.INTERNAL,),
    )
    result = services.export_subject_data(
        user=dpo, person=hidden.subject, reason="request by letter", fmt="json"
    )
    text = result.content.decode("utf-8")
    mark = subject_export.HIDDEN_NAME
    assert f"In the camp they called me {mark}; my sister said {mark} too." in text
    assert not [t for t in HIDDEN_TEXTS if t.lower() in text.lower()]
