"""Attachments keep the fingerprint taken at upload; every download checks it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.audit.models import Action, Entry
from kinlink.testimony import services

CONTENT = b"\x89PNG a photograph of a confiscated passport"


def _upload(staff, testimony, content=CONTENT, name="Passport of Hossein.png"):
    return services.add_attachment(
        user=staff["caseworker"],
        testimony=testimony,
        upload=SimpleUploadedFile(name, content, "image/png"),
        kind="photo",
    )


def test_the_sha256_and_size_are_recorded_at_upload_and_the_file_is_real(record, staff, media):
    attachment = _upload(staff, record())
    assert attachment.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert attachment.size == len(CONTENT)
    stored = media / attachment.file.name
    assert stored.read_bytes() == CONTENT
    assert "Hossein" not in attachment.file.name


def test_a_download_serves_the_verified_bytes_and_is_audited(record, staff, client):
    attachment = _upload(staff, record())
    client.force_login(staff["caseworker"])
    response = client.get(f"/en/testimony/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert Entry.objects.filter(
        action=Action.READ, object_type="testimony.attachment", object_id=str(attachment.pk)
    ).exists()


def test_a_file_changed_on_disk_is_refused_at_download_and_audited(record, staff, client, media):
    attachment = _upload(staff, record())
    stored = media / attachment.file.name
    stored.write_bytes(CONTENT.replace(b"passport", b"PASSPORT"))  # same size, other bytes
    client.force_login(staff["caseworker"])
    response = client.get(f"/en/testimony/attachments/{attachment.pk}/")
    assert response.status_code == 409
    assert CONTENT not in response.content
    denied = Entry.objects.get(action=Action.DENIED, object_id=str(attachment.pk))
    assert denied.object_type == "testimony.attachment"
    assert "SHA-256" in denied.detail["integrity"]


def test_a_missing_file_is_refused_too(record, staff, media):
    attachment = _upload(staff, record())
    (media / attachment.file.name).unlink()
    with pytest.raises(services.AttachmentIntegrityError, match="missing"):
        services.open_attachment(user=staff["caseworker"], attachment=attachment)


def test_the_api_refuses_a_tampered_file_with_409(record, staff, client, media):
    attachment = _upload(staff, record())
    with open(media / attachment.file.name, "ab") as handle:
        handle.write(b"!")
    client.force_login(staff["caseworker"])
    response = client.get(f"/api/testimony-attachments/{attachment.pk}/")
    assert response.status_code == 409


def test_an_empty_file_is_rejected(record, staff):
    with pytest.raises(ValidationError):
        _upload(staff, record(), content=b"")


def test_others_cannot_download_an_attachment_outside_their_caseload(record, staff, client):
    attachment = _upload(staff, record())
    with pytest.raises(PermissionDenied):
        services.open_attachment(user=staff["south_caseworker"], attachment=attachment)
    client.force_login(staff["south_caseworker"])
    assert client.get(f"/en/testimony/attachments/{attachment.pk}/").status_code == 404


def test_the_stored_check_names_every_changed_file_and_audits_it(record, staff, media):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    intact = _upload(staff, record())
    changed = _upload(staff, record(), content=b"another file")
    call_command("evidence_verify", stored=True)
    (media / changed.file.name).write_bytes(b"another filE")
    with pytest.raises(CommandError, match=f"attachment {changed.pk} ") as failure:
        call_command("evidence_verify", stored=True)
    assert failure.value.returncode == 1
    assert f"attachment {intact.pk} " not in str(failure.value)
    assert Entry.objects.filter(action=Action.DENIED, object_id=str(changed.pk)).exists()
