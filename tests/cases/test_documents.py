import hashlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from kinlink.audit.models import Entry
from kinlink.cases import services
from kinlink.cases.models import DocumentStatus, DocumentType, Task, TaskKind, TaskStatus

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 residence permit scan " + bytes(range(256)) * 40


def _permit(sara, case, permit_type, **extra):
    fields = {
        "issuing_country": "Albania",
        "number": "RP-4455-AL",
        "issued_on": date(2024, 6, 1),
        "expires_on": date(2026, 6, 1),
    }
    fields.update(extra)
    return services.add_document(user=sara, case=case, document_type=permit_type, **fields)


def _renewals(document):
    return Task.objects.filter(document=document, kind=TaskKind.RENEWAL)


def test_the_document_number_is_stored_encrypted_and_read_only_with_a_reason(
    sara, case, permit_type
):
    document = _permit(sara, case, permit_type)
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM cases_document WHERE id = %s", [document.pk])
        stored = cursor.fetchone()[0]
    assert "RP-4455-AL" not in stored
    assert str(document.number) == "•••"
    with pytest.raises(ValidationError, match="why"):
        services.read_document_number(user=sara, document=document, reason="")
    number = services.read_document_number(user=sara, document=document, reason="renewal form")
    assert number == "RP-4455-AL"
    entry = Entry.objects.get(action="read", object_type="cases.document", field="number")
    assert entry.detail == {"reason": "renewal form"}


def test_someone_outside_the_caseload_cannot_read_the_number(sara, omid, case, permit_type):
    document = _permit(sara, case, permit_type)
    with pytest.raises(PermissionDenied):
        services.read_document_number(user=omid, document=document, reason="curious")


def test_a_scan_is_stored_encrypted_as_a_file_under_media_root_with_its_fingerprint(
    sara, case, permit_type, media
):
    upload = SimpleUploadedFile("Karimi passport.pdf", SCAN, content_type="application/pdf")
    document = _permit(sara, case, permit_type, scan=upload)
    path = media / document.scan.name
    assert path.is_file() and path.is_relative_to(media)
    assert "Karimi" not in document.scan.name
    assert document.scan_sha256 == hashlib.sha256(SCAN).hexdigest()
    assert document.scan_size == len(SCAN)
    assert SCAN[:20] not in path.read_bytes()
    assert services.read_document_scan(user=sara, document=document) == SCAN
    assert Entry.objects.filter(action="read", field="scan", object_id=str(document.pk)).exists()


def test_a_scan_altered_on_disk_is_detected(sara, case, permit_type, media):
    from kinlink.audit import crypto

    document = _permit(sara, case, permit_type, scan=SimpleUploadedFile("a.pdf", SCAN))
    (media / document.scan.name).write_bytes(crypto.fernet().encrypt(SCAN + b"x"))
    with pytest.raises(services.ScanIntegrityError):
        services.read_document_scan(user=sara, document=document)


def test_an_empty_scan_is_refused(sara, case, permit_type, media):
    with pytest.raises(ValidationError, match="empty"):
        _permit(sara, case, permit_type, scan=SimpleUploadedFile("a.pdf", b""))


def test_a_document_cannot_expire_before_it_was_issued(sara, case, permit_type):
    with pytest.raises(ValidationError, match="expire before"):
        _permit(sara, case, permit_type, issued_on=date(2025, 1, 1), expires_on=date(2024, 1, 1))


def test_an_expiry_date_creates_a_renewal_task_sixty_days_ahead(sara, case, permit_type):
    expires = timezone.localdate() + timedelta(days=365)
    document = _permit(sara, case, permit_type, expires_on=expires)
    task = _renewals(document).get()
    assert task.due_on == expires - timedelta(days=60)
    assert task.owner == sara and task.for_expiry == expires
    assert task.title == "Renew Residence permit" and task.label == "Renew: Residence permit"


def test_the_lead_time_is_set_per_document_type_or_in_settings(sara, case, settings):
    expires = timezone.localdate() + timedelta(days=365)
    passport = DocumentType.objects.get(code="passport")
    task = _renewals(
        services.add_document(user=sara, case=case, document_type=passport, expires_on=expires)
    ).get()
    assert task.due_on == expires - timedelta(days=90)
    settings.CASES_RENEWAL_LEAD_DAYS = 30
    card = DocumentType.objects.get(code="identity_card")
    task = _renewals(
        services.add_document(user=sara, case=case, document_type=card, expires_on=expires)
    ).get()
    assert task.due_on == expires - timedelta(days=30)


def test_a_document_already_inside_its_lead_time_is_due_for_renewal_today(sara, case, permit_type):
    today = timezone.localdate()
    document = _permit(sara, case, permit_type, expires_on=today + timedelta(days=20))
    assert _renewals(document).get().due_on == today


def test_a_replacing_document_ends_the_old_ones_renewal(sara, case, permit_type):
    today = timezone.localdate()
    old = _permit(sara, case, permit_type, expires_on=today + timedelta(days=20))
    new = _permit(
        sara,
        case,
        permit_type,
        expires_on=today + timedelta(days=730),
        issued_on=today,
        replaces=old,
    )
    old.refresh_from_db()
    assert old.status == DocumentStatus.REPLACED
    assert _renewals(old).get().status == TaskStatus.CANCELLED
    assert _renewals(new).get().status == TaskStatus.OPEN


def test_a_corrected_expiry_date_moves_the_renewal(sara, case, permit_type):
    today = timezone.localdate()
    document = _permit(sara, case, permit_type, expires_on=today + timedelta(days=300))
    services.update_document(user=sara, document=document, expires_on=today + timedelta(days=400))
    statuses = dict(_renewals(document).values_list("for_expiry", "status"))
    assert statuses == {
        today + timedelta(days=300): TaskStatus.CANCELLED,
        today + timedelta(days=400): TaskStatus.OPEN,
    }


def test_a_lost_document_needs_no_renewal(sara, case, permit_type):
    document = _permit(sara, case, permit_type)
    services.mark_document(user=sara, document=document, status=DocumentStatus.LOST)
    assert _renewals(document).get().status == TaskStatus.CANCELLED


def test_a_document_recorded_on_a_closed_case_brings_no_renewal_task(
    sara, case, permit_type, stage
):
    services.move_case(
        user=sara, case=case, to_stage=stage("closed"), reason="x", outcome="returned"
    )
    document = _permit(sara, case, permit_type)
    assert not _renewals(document).exists()


def test_scans_follow_a_key_rotation_and_open_with_the_new_key_alone(
    sara, case, permit_type, media, settings
):
    from cryptography.fernet import Fernet

    from kinlink.audit import crypto

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    crypto.reset_cache()
    document = _permit(sara, case, permit_type, scan=SimpleUploadedFile("a.pdf", SCAN))
    settings.FIELD_KEYS = [new, old]
    crypto.reset_cache()
    assert services.rotate_scan_keys() == 1
    settings.FIELD_KEYS = [new]
    crypto.reset_cache()
    document.refresh_from_db()
    assert services.read_document_scan(user=sara, document=document) == SCAN
