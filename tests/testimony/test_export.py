"""Evidence bundles: what goes in, what stays out, who is named, and how they are checked."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from kinlink.audit.models import Action, Entry
from kinlink.people.models import ConsentMethod
from kinlink.testimony import evidence, services
from kinlink.testimony.models import Purpose, Use
from kinlink.testimony.verify import verify_bundle

from .conftest import RECORDED

WITNESS_NAMES = ["Hossein", "Mousavi", "حسین", "موسوی", "hossein", "mousavi"]
VICTIM_NAMES = ["Fereshteh", "Ahmadi", "فرشته", "احمدی", "fereshteh", "ahmadi"]


def _export(staff, purpose=Purpose.COURT, recipient="International Criminal Court"):
    return evidence.export_evidence(user=staff["supervisor"], recipient=recipient, purpose=purpose)


def _members(export) -> dict[str, bytes]:
    with zipfile.ZipFile(export.file.path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def _withdraw_naming(staff, person, purpose=Purpose.COURT):
    services.record_naming_consent(
        user=staff["caseworker"],
        person=person,
        purpose=purpose,
        granted=False,
        given_on=RECORDED + dt.timedelta(days=30),
        method=ConsentMethod.PHONE,
        note="does not want to be named any more",
    )


def _flip_byte_inside(path, member: str) -> None:
    """Change one byte of a member's stored data, as damage or tampering would."""
    with zipfile.ZipFile(path) as bundle:
        info = bundle.getinfo(member)
    with open(path, "r+b") as handle:
        handle.seek(info.header_offset + 26)
        name_len, extra_len = (int.from_bytes(handle.read(2), "little") for _ in range(2))
        offset = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def _rewrite_member(src, dst, member: str, change) -> None:
    """Copy a bundle, changing one member's content (a well-formed archive, CRC updated)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == member else data)


def test_a_court_bundle_verifies_and_lists_every_file_with_its_hash(court_testimony, staff):
    export = _export(staff)
    report = verify_bundle(export.file.path)
    assert report.ok, report.summary()
    members = _members(export)
    manifest = json.loads(members["manifest.json"])
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == set(members) - {"manifest.json", "SHA256SUMS"}
    assert {
        "README.txt",
        "testimonies.json",
        "events.csv",
        "events.json",
        "audit.json",
        "accounts/T-000001.txt",
        "attachments/T-000001/01.pdf",
    } <= listed
    assert report.digest == export.manifest_sha256
    assert report.checked == len(listed)


def test_changing_one_byte_in_the_archive_makes_verify_fail_naming_the_file(
    court_testimony, staff, tmp_path
):
    export = _export(staff)
    damaged = tmp_path / "damaged.zip"
    shutil.copy(export.file.path, damaged)
    _flip_byte_inside(damaged, "events.csv")
    report = verify_bundle(damaged)
    assert not report.ok
    assert report.bad_file == "events.csv", report.summary()


def test_a_rewritten_file_with_a_valid_archive_fails_on_its_sha256(
    court_testimony, staff, tmp_path
):
    export = _export(staff)
    forged = tmp_path / "forged.zip"
    _rewrite_member(
        export.file.path,
        forged,
        "accounts/T-000001.txt",
        lambda data: data.replace(b"2012", b"2013"),
    )
    report = verify_bundle(forged)
    assert (report.ok, report.bad_file) == (False, "accounts/T-000001.txt")
    assert "SHA-256" in report.problem


def test_an_edited_manifest_is_caught_by_sha256sums_and_by_the_recorded_digest(
    court_testimony, staff, tmp_path
):
    export = _export(staff)
    forged = tmp_path / "forged.zip"
    _rewrite_member(
        export.file.path, forged, "manifest.json", lambda data: data.replace(b"court", b"Court")
    )
    assert verify_bundle(forged).bad_file == "manifest.json"
    assert not verify_bundle(export.file.path, expected_digest="0" * 64).ok
    assert verify_bundle(export.file.path, expected_digest=export.manifest_sha256).ok


def test_a_file_added_to_the_bundle_is_named(court_testimony, staff, tmp_path):
    export = _export(staff)
    grown = tmp_path / "grown.zip"
    shutil.copy(export.file.path, grown)
    with zipfile.ZipFile(grown, "a") as bundle:
        bundle.writestr("accounts/T-999999.txt", "an account nobody exported")
    assert verify_bundle(grown).bad_file == "accounts/T-999999.txt"


def test_the_verify_command_exits_non_zero_naming_the_bad_file(court_testimony, staff, tmp_path):
    export = _export(staff)
    call_command("evidence_verify", export.file.path)
    damaged = tmp_path / "damaged.zip"
    shutil.copy(export.file.path, damaged)
    _flip_byte_inside(damaged, "events.json")
    with pytest.raises(CommandError, match=r"events\.json") as failure:
        call_command("evidence_verify", str(damaged))
    assert failure.value.returncode == 1


def test_a_person_whose_naming_consent_was_withdrawn_is_only_a_pseudonym_in_every_file(
    court_testimony, staff, victim
):
    _withdraw_naming(staff, victim)
    export = _export(staff)
    members = _members(export)
    for name, data in members.items():
        for spelling in VICTIM_NAMES:
            assert spelling.encode() not in data, f"{spelling} appears in {name}"
    events = json.loads(members["events.json"])
    pseudonym = events[1]["victims"][0]
    assert pseudonym.startswith("Person ")
    assert f"[{pseudonym}] was held".encode() in members["accounts/T-000001.txt"]
    assert pseudonym.encode() in members["events.csv"]
    # The witness still consents, and is named.
    assert b"Hossein Mousavi" in members["accounts/T-000001.txt"]
    assert verify_bundle(export.file.path).ok


def test_a_pseudonym_is_stable_for_one_recipient_and_differs_for_another(
    court_testimony, staff, victim
):
    _withdraw_naming(staff, victim)

    def victim_label(recipient: str) -> str:
        events = json.loads(_members(_export(staff, recipient=recipient))["events.json"])
        return events[1]["victims"][0]

    first = victim_label("Court of Appeal, Stockholm")
    assert victim_label("court of appeal stockholm") == first
    assert victim_label("UN Special Rapporteur") != first


def test_persian_spellings_in_the_account_are_redacted_too(record, staff, witness, event_types):
    testimony = record(
        account="حسین موسوی گفت که او را در کمپ لیبرتی نگه داشتند. Husain Musawi too."
    )
    services.add_event(
        user=staff["caseworker"], testimony=testimony, event_type=event_types["detention"]
    )
    export = _export(staff)  # the witness never consented to be named in court
    members = _members(export)
    for name, data in members.items():
        for spelling in [*WITNESS_NAMES, "Husain", "Musawi"]:
            assert spelling.encode() not in data, f"{spelling} appears in {name}"
    testimonies = json.loads(members["testimonies.json"])
    assert testimonies[0]["witness"].startswith("Person ")


def test_testimonies_without_consent_for_the_purpose_are_left_out(
    record, staff, court_testimony, victim
):
    report_only = record(account="Fereshteh Ahmadi was beaten.", uses=[Use.NAMED_REPORT])
    internal = record(account="Fereshteh Ahmadi lost her papers.", uses=[Use.INTERNAL])
    members = _members(_export(staff))
    assert f"accounts/{report_only.reference}.txt" not in members
    assert f"accounts/{internal.reference}.txt" not in members
    assert json.loads(members["manifest.json"])["testimonies"] == [court_testimony.reference]
    assert b"beaten" not in b"".join(members.values())
    assert b"lost her papers" not in b"".join(members.values())


def test_a_withdrawn_use_is_honoured_by_every_later_export(court_testimony, record, staff):
    other = record(account="A second account.")
    _export(staff)
    services.record_use_consent(
        user=staff["caseworker"],
        testimony=court_testimony,
        use=Use.COURT,
        granted=False,
        given_on=RECORDED + dt.timedelta(days=60),
        method=ConsentMethod.WRITING,
    )
    members = _members(_export(staff))
    assert json.loads(members["manifest.json"])["testimonies"] == [other.reference]
    assert not any(name.startswith("attachments/T-000001") for name in members)


def test_an_attachment_that_identifies_a_pseudonymised_person_stays_out(
    court_testimony, staff, victim
):
    services.add_attachment(
        user=staff["caseworker"],
        testimony=court_testimony,
        upload=SimpleUploadedFile("voice.ogg", b"OggS the witness speaking", "audio/ogg"),
        kind="audio",
    )
    assert len([n for n in _members(_export(staff)) if n.startswith("attachments/")]) == 2
    _withdraw_naming(staff, victim)
    members = _members(_export(staff))
    assert [n for n in members if n.startswith("attachments/")] == ["attachments/T-000001/01.pdf"]
    assert json.loads(members["manifest.json"])["counts"]["attachments_withheld"] == 1


def test_an_anonymised_report_names_nobody(court_testimony, staff):
    services.record_use_consent(
        user=staff["caseworker"],
        testimony=court_testimony,
        use=Use.ANONYMISED,
        granted=True,
        given_on=RECORDED,
        method=ConsentMethod.IN_PERSON,
    )
    members = _members(_export(staff, purpose=Purpose.ANONYMISED_REPORT))
    for name, data in members.items():
        for spelling in WITNESS_NAMES + VICTIM_NAMES:
            assert spelling.encode() not in data, f"{spelling} appears in {name}"
    assert "interviewer" not in json.loads(members["testimonies.json"])[0]


def test_the_bundle_carries_the_audit_extract_of_every_item(court_testimony, staff):
    members = _members(_export(staff))
    extract = json.loads(members["audit.json"])
    created = {(e["object_type"], e["action"]) for e in extract}
    for object_type in ("testimony", "testimonyconsent", "event", "participant", "attachment"):
        assert (f"testimony.{object_type}", "create") in created
    hashes = dict(Entry.objects.values_list("seq", "hash"))
    assert all(hashes[e["seq"]] == e["hash"] for e in extract)


def test_the_export_itself_is_audited_with_its_digest(court_testimony, staff):
    export = _export(staff)
    entry = Entry.objects.get(action=Action.EXPORT, object_id=str(export.pk))
    assert entry.detail["manifest_sha256"] == export.manifest_sha256
    assert entry.detail["purpose"] == "court"
    reads = Entry.objects.filter(action=Action.READ, object_type="testimony.testimony")
    reasons = [e.detail.get("reason", "") for e in reads]
    assert sum(export.reference in reason for reason in reasons) == 1


def test_only_supervisors_and_data_protection_officers_export(court_testimony, staff):
    with pytest.raises(PermissionDenied):
        evidence.export_evidence(user=staff["caseworker"], recipient="Court", purpose="court")
    with pytest.raises(PermissionDenied):
        evidence.export_evidence(user=staff["analyst"], recipient="Court", purpose="court")
    with pytest.raises(ValidationError):
        evidence.export_evidence(user=staff["south_supervisor"], recipient="Court", purpose="court")
    assert evidence.export_evidence(user=staff["dpo"], recipient="Court", purpose="court")


def test_a_tampered_attachment_stops_the_export_and_is_audited(court_testimony, staff):
    attachment = court_testimony.attachments.get()
    with open(attachment.file.path, "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ValidationError, match="integrity"):
        _export(staff)
    assert Entry.objects.filter(
        action=Action.DENIED, object_type="testimony.attachment", object_id=str(attachment.pk)
    ).exists()
