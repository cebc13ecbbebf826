"""Subject access: everything held about a person, from every app, as JSON and PDF."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from kinlink.audit.models import Action, Entry
from kinlink.privacy import export, services

from .conftest import ACCOUNT, CONTACT, DOCUMENT_NUMBER, FAMILY, GIVEN, LOCATION, MESSAGE, PERSIAN


def _export(world, dpo, fmt="json"):
    return services.export_subject_data(
        user=dpo, person=world.subject, reason="request by letter of 3 May", fmt=fmt
    )


def test_the_json_export_holds_rows_from_people_tracing_cases_and_testimony(world, dpo):
    document = json.loads(_export(world, dpo).content)
    sections = document["sections"]
    for label in (
        "people.person",
        "people.personname",
        "people.relationship",
        "people.consent",
        "people.personversion",
        "tracing.enquiry",
        "tracing.familymessage",
        "tracing.statuschange",
        "cases.case",
        "cases.stagemove",
        "cases.task",
        "cases.document",
        "cases.referral",
        "testimony.testimony",
        "testimony.event",
        "testimony.participant",
        "testimony.attachment",
    ):
        assert sections.get(label), f"the export has no {label} rows"
    names = {row["given_name"] for row in sections["people.personname"]}
    assert names == {GIVEN, PERSIAN}
    enquiries = {row["reference"] for row in sections["tracing.enquiry"]}
    assert enquiries == {world.own_enquiry.reference, world.enquiry_about.reference}
    assert [row["text"] for row in sections["tracing.familymessage"]] == [MESSAGE]
    testimonies = {row["reference"] for row in sections["testimony.testimony"]}
    assert world.testimony.reference in testimonies
    # named as a victim in the relative's testimony: the participant row, with its event
    in_other = [
        row
        for row in sections["testimony.participant"]
        if row["event"]["testimony"] == world.other_testimony.reference
    ]
    assert in_other and in_other[0]["person"] == {
        "person": world.subject.reference,
        "is_subject": True,
    }
    attachment = sections["testimony.attachment"][0]
    assert attachment["sha256"] == world.attachment.sha256
    assert attachment["original_name"] == "voice.mp3"
    assert document["audit_entries"], "the audit entries about the person are missing"
    audited = {(e["object_type"], e["object_id"]) for e in document["audit_entries"]}
    assert ("people.person", str(world.subject.pk)) in audited
    assert ("cases.document", str(world.document.pk)) in audited


def test_sealed_values_are_in_the_export_only_through_audited_reads(world, dpo):
    before = Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    document = json.loads(_export(world, dpo).content)
    sections = document["sections"]
    person = sections["people.person"][0]
    assert person["contact"] == CONTACT
    assert person["last_known_location"] == LOCATION
    assert sections["cases.document"][0]["number"] == DOCUMENT_NUMBER
    own = [
        t for t in sections["testimony.testimony"] if t["reference"] == world.testimony.reference
    ]
    assert own[0]["account"] == ACCOUNT
    reads = list(Entry.objects.filter(action=Action.READ, seq__gt=before).order_by("seq"))
    read = {(e.object_type, e.object_id, e.field) for e in reads}
    for expected in (
        ("people.person", str(world.subject.pk), "contact"),
        ("people.person", str(world.subject.pk), "last_known_location"),
        ("cases.document", str(world.document.pk), "number"),
        ("testimony.testimony", str(world.testimony.pk), "account"),
        ("tracing.enquiry", str(world.own_enquiry.pk), "enquirer_contact"),
    ):
        assert expected in read, f"no audited read for {expected}"
    assert all(e.detail["reason"].startswith("subject access:") for e in reads)


def test_the_enquirers_contact_in_an_enquiry_about_the_person_is_withheld(world, dpo):
    document = json.loads(_export(world, dpo).content)
    about = next(
        e
        for e in document["sections"]["tracing.enquiry"]
        if e["reference"] == world.enquiry_about.reference
    )
    assert about["enquirer_contact"] == export.WITHHELD
    assert not Entry.objects.filter(
        action=Action.READ,
        object_type="tracing.enquiry",
        object_id=str(world.enquiry_about.pk),
        field="enquirer_contact",
    ).exists()


def test_the_export_is_audited_with_the_person_the_format_and_the_reason(world, dpo):
    _export(world, dpo, fmt="json")
    entry = Entry.objects.filter(action=Action.EXPORT).order_by("-seq").first()
    assert entry.object_type == "people.person"
    assert entry.object_id == str(world.subject.pk)
    assert entry.actor_username == dpo.username
    assert entry.detail["subject_access"] == world.subject.reference
    assert entry.detail["format"] == "json"
    assert entry.detail["reason"] == "request by letter of 3 May"


def test_version_snapshots_are_exported_without_their_ciphertext(world, dpo):
    document = json.loads(_export(world, dpo).content)
    for version in document["sections"]["people.personversion"]:
        assert "sealed" not in version["snapshot"]


def test_the_pdf_export_embeds_a_font_with_persian_letters(world, dpo):
    result = _export(world, dpo, fmt="pdf")
    assert result.content_type == "application/pdf"
    assert result.content.startswith(b"%PDF")
    assert b"DejaVuSans" in result.content
    assert result.filename == f"subject-access-{world.subject.reference}.pdf"


def test_persian_text_is_joined_and_put_in_visual_order_for_the_pdf():
    shaped = export.shape("یگانه")
    assert shaped != "یگانه"
    assert all("\ufb50" <= ch <= "\ufeff" for ch in shaped), "letters were not joined"
    assert export.shape("Yeganeh") == "Yeganeh"


def test_an_export_needs_a_reason(world, dpo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.export_subject_data(user=dpo, person=world.subject, reason=" ", fmt="json")


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "admin", "analyst"])
def test_only_a_data_protection_officer_exports(world, staff, role):
    with pytest.raises(PermissionDenied):
        services.export_subject_data(
            user=staff[role], person=world.subject, reason="curious", fmt="json"
        )
    assert not Entry.objects.filter(action=Action.EXPORT).exists()


def test_the_export_names_the_family_in_their_own_words(world, dpo):
    document = json.loads(_export(world, dpo).content)
    about = next(
        e
        for e in document["sections"]["tracing.enquiry"]
        if e["reference"] == world.enquiry_about.reference
    )
    assert about["sought_given_name"] == GIVEN
    assert about["sought_family_name"] == FAMILY
