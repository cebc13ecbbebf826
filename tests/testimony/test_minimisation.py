"""A bundle holds what its purpose allows and nothing more: only testimonies whose consent
in force covers the purpose, only their version in force, no sealed value beyond them
(contacts, earlier versions, people mentioned), and for an anonymised report nothing that
points to the witness."""

from __future__ import annotations

import json
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from kinlink.audit.models import Action, Entry
from kinlink.people.models import ConsentMethod
from kinlink.people.services import create_person
from kinlink.testimony import evidence, services
from kinlink.testimony.models import Purpose, Use

from .conftest import RECORDED

CONTACT = "+98 912 555 0199"


def _files(export) -> dict[str, bytes]:
    with zipfile.ZipFile(export.file.path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def _everything(files: dict[str, bytes]) -> bytes:
    return b"\n".join(files.values())


def _testimonies(record, staff):
    user = staff["caseworker"]
    other = create_person(
        names=[{"given_name": "Leyla", "family_name": "Rostami"}], contact=CONTACT, caseworker=user
    )
    internal = record(account="Internal only: the tunnel under block 4.", uses=[Use.INTERNAL])
    anonymised = record(
        account="Anonymised: Leyla Rostami saw the beatings in block 7.",
        uses=[Use.ANONYMISED],
        person=other,
        recorded_place="the cafe on Ferdowsi street",
        source_kind="publication",
        source_url="https://example.org/leyla-story",
        source_captured_on=RECORDED,
    )
    services.add_attachment(
        user=user,
        testimony=anonymised,
        upload=SimpleUploadedFile("voice.ogg", b"OggS the witness's voice", "audio/ogg"),
        kind="audio",
    )
    withdrawn = record(account="Withdrawn: the names of the guards.", uses=[Use.COURT])
    services.record_use_consent(
        user=user,
        testimony=withdrawn,
        use=Use.COURT,
        granted=False,
        given_on=RECORDED,
        method=ConsentMethod.IN_PERSON,
    )
    return internal, anonymised, withdrawn


def test_a_court_bundle_holds_only_court_testimonies_and_no_other_sealed_value(
    court_testimony, record, staff
):
    internal, anonymised, withdrawn = _testimonies(record, staff)
    services.correct_account(
        user=staff["caseworker"],
        testimony=court_testimony,
        account="My name is Hossein Mousavi. The commander took our passports.",
        reason="the witness withdrew one sentence",
    )
    services.add_mentioned_person(
        user=staff["caseworker"], testimony=court_testimony, names=["Bahram Kazemi"]
    )
    before = Entry.objects.order_by("-seq").values_list("seq", flat=True).first()
    export = evidence.export_evidence(user=staff["supervisor"], recipient="Court", purpose="court")
    files = _files(export)
    everything = _everything(files)
    manifest = json.loads(files["manifest.json"])
    assert manifest["testimonies"] == [court_testimony.reference]
    for excluded in (internal, anonymised, withdrawn):
        assert excluded.reference.encode() not in everything
    for secret in ("tunnel", "block 7", "names of the guards", CONTACT, "voice", "Bahram"):
        assert secret.encode() not in everything, f"{secret!r} left the system"
    assert b"Camp Liberty" not in files[f"accounts/{court_testimony.reference}.txt"], (
        "the withdrawn sentence of the earlier version stays behind"
    )
    audited = {(e["object_type"], e["object_id"]) for e in json.loads(files["audit.json"])}
    assert ("testimony.testimony", str(internal.pk)) not in audited
    assert ("testimony.testimony", str(court_testimony.pk)) in audited
    # Building the bundle read no account outside it.
    reads = Entry.objects.filter(
        seq__gt=before, action=Action.READ, object_type="testimony.testimony"
    )
    assert set(reads.values_list("object_id", flat=True)) == {str(court_testimony.pk)}


def test_an_anonymised_report_leaves_out_what_points_to_the_witness(court_testimony, record, staff):
    _internal, anonymised, _withdrawn = _testimonies(record, staff)
    services.record_naming_consent(
        user=staff["caseworker"],
        person=anonymised.witness,
        purpose=Purpose.COURT,
        granted=True,
        given_on=RECORDED,
        method=ConsentMethod.IN_PERSON,
    )
    export = evidence.export_evidence(
        user=staff["supervisor"], recipient="Researchers", purpose=Purpose.ANONYMISED_REPORT
    )
    files = _files(export)
    listed = json.loads(files["testimonies.json"])
    assert [t["reference"] for t in listed] == [anonymised.reference]
    entry = listed[0]
    assert not {"interviewer", "recorded_place", "source_url"} & set(entry)
    assert entry["witness"].startswith("Person "), "a court consent does not name anyone here"
    everything = _everything(files)
    for secret in ("Leyla", "Rostami", "Ferdowsi", "leyla-story", CONTACT, "OggS"):
        assert secret.encode() not in everything, f"{secret!r} left the system"
    assert json.loads(files["manifest.json"])["counts"]["attachments_withheld"] == 1
