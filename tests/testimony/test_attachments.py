"""Attachments are encrypted at rest and keep the fingerprint of the original taken at
upload; every download decrypts and checks it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.audit import crypto
from kinlink.audit.keys import rotate_field_keys
from kinlink.audit.models import Action, Entry
from kinlink.testimony import filecrypt, services
from kinlink.testimony.models import Attachment

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
    assert attachment.encrypted
    stored = (media / attachment.file.name).read_bytes()
    assert stored.startswith(filecrypt.MAGIC)
    assert b"passport" not in stored, "the file on disk must be encrypted"
    with open(media / attachment.file.name, "rb") as handle:
        assert b"".join(filecrypt.decrypt_stream(handle)) == CONTENT
    assert "Hossein" not in attachment.file.name


def _flip_last_token_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[-5] = ord("A") if data[-5] != ord("A") else ord("B")
    path.write_bytes(bytes(data))


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
    _flip_last_token_byte(media / attachment.file.name)  # same size, other bytes
    client.force_login(staff["caseworker"])
    response = client.get(f"/en/testimony/attachments/{attachment.pk}/")
    assert response.status_code == 409
    assert CONTENT not in response.content
    denied = Entry.objects.get(action=Action.DENIED, object_id=str(attachment.pk))
    assert denied.object_type == "testimony.attachment"
    assert "altered" in denied.detail["integrity"]


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
    _flip_last_token_byte(media / changed.file.name)
    with pytest.raises(CommandError, match=f"attachment {changed.pk} ") as failure:
        call_command("evidence_verify", stored=True)
    assert failure.value.returncode == 1
    assert f"attachment {intact.pk} " not in str(failure.value)
    assert Entry.objects.filter(action=Action.DENIED, object_id=str(changed.pk)).exists()


def test_a_large_file_is_encrypted_in_chunks_and_streams_back_whole(record, staff, client):
    content = bytes(range(256)) * (5 * 4096 + 7)  # more than five 1 MiB chunks
    attachment = _upload(staff, record(), content=content, name="interview.wav")
    client.force_login(staff["caseworker"])
    response = client.get(f"/en/testimony/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content) == content


def _plain_attachment(staff, testimony, media, content=CONTENT) -> Attachment:
    """An attachment as stored before encryption at rest: the original bytes on disk."""
    folder = media / "testimony" / "attachments" / "old"
    folder.mkdir(parents=True)
    (folder / "plain.png").write_bytes(content)
    return Attachment.objects.create(
        testimony=testimony,
        kind="photo",
        file="testimony/attachments/old/plain.png",
        original_name="plain.png",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=staff["caseworker"],
    )


def test_attachments_stored_in_the_clear_are_encrypted_by_the_command(
    record, staff, media, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    testimony = record()
    plain = _plain_attachment(staff, testimony, media)
    with services.open_attachment(user=staff["caseworker"], attachment=plain) as handle:
        assert handle.read() == CONTENT  # readable before it is encrypted
    with django_capture_on_commit_callbacks(execute=True):
        call_command("testimony_encrypt_attachments")
    plain.refresh_from_db()
    assert plain.encrypted
    assert not (media / "testimony/attachments/old/plain.png").exists(), "clear copy removed"
    assert CONTENT not in (media / plain.file.name).read_bytes()
    with services.open_attachment(user=staff["caseworker"], attachment=plain) as handle:
        assert handle.read() == CONTENT
    assert services.encrypt_stored_attachments().encrypted == 0, "a re-run has nothing to do"
    assert services.verify_stored_files().ok


def test_a_clear_file_that_fails_its_fingerprint_is_reported_not_encrypted(record, staff, media):
    plain = _plain_attachment(staff, record(), media)
    (media / plain.file.name).write_bytes(CONTENT.upper())
    report = services.encrypt_stored_attachments()
    assert report.encrypted == 0 and f"attachment {plain.pk} " in report.problems[0]
    plain.refresh_from_db()
    assert not plain.encrypted


def test_key_rotation_re_encrypts_attachments_so_the_old_key_can_go(record, staff, settings):
    from cryptography.fernet import Fernet

    attachment = _upload(staff, record())
    new = Fernet.generate_key().decode()
    settings.FIELD_KEYS = [new, *crypto.configured_keys()]
    crypto.reset_cache()
    report = rotate_field_keys()
    assert report.by_model["testimony.attachment files"] == 1
    settings.FIELD_KEYS = [new]
    crypto.reset_cache()
    try:
        with services.open_attachment(user=staff["caseworker"], attachment=attachment) as handle:
            assert handle.read() == CONTENT
    finally:
        crypto.reset_cache()
