"""People an account names who are not linked as persons are redacted too: names a
caseworker listed (any script), and names found in the person registry, while the
gazetteer's place names stay readable."""

from __future__ import annotations

import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.people.services import create_person
from kinlink.testimony import evidence, services
from kinlink.testimony.models import MentionedPerson, Use
from kinlink.testimony.redaction import WITHHELD, PersonToRedact, Redactor

ACCOUNT = (
    "My name is Hossein Mousavi. I shared a cell with Karim Jafari; his wife wrote "
    "كريم جعفري on the letter, and the guards called him کریم جعفری. "
    "A guard we knew as Abu Layla beat us. "
    "Later Nasrin Tehrani and سلمى الحسيني were moved to Camp Ashraf."
)
MENTIONED = ["Karim Jafari", "كريم جعفري", "کریم جعفری", "Jafari"]
SECRET_WORDS = ["Karim", "Jafari", "كريم", "جعفري", "کریم", "جعفری", "Layla", "Nasrin", "Tehrani"]


@pytest.fixture
def mentioned(record, staff, witness):
    testimony = record(account=ACCOUNT, uses=[Use.COURT])
    services.add_mentioned_person(user=staff["caseworker"], testimony=testimony, names=MENTIONED)
    services.add_mentioned_person(
        user=staff["caseworker"], testimony=testimony, names=["Abu Layla"]
    )
    # In the registry but not linked to this testimony (someone else's caseload).
    create_person(names=[{"given_name": "Nasrin", "family_name": "Tehrani"}])
    create_person(names=[{"given_name": "سلمى", "family_name": "الحسيني"}])
    create_person(names=[{"given_name": "Ashraf", "family_name": "Karimi"}])
    services.create_place(user=staff["caseworker"], name="Camp Ashraf", kind="camp")
    return testimony


def _bundle_files(export) -> dict[str, str]:
    with zipfile.ZipFile(export.file.path) as bundle:
        return {
            name: bundle.read(name).decode("utf-8", "replace")
            for name in bundle.namelist()
            if not name.startswith("attachments/")
        }


def test_listed_and_registry_names_are_redacted_in_three_scripts(mentioned, staff):
    export = evidence.export_evidence(user=staff["supervisor"], recipient="Court", purpose="court")
    files = _bundle_files(export)
    account = files[f"accounts/{mentioned.reference}.txt"]
    for name, text in files.items():
        for word in [*SECRET_WORDS, "سلمى", "الحسيني"]:
            assert word not in text, f"{word} appears in {name}"
    # Witness, Karim in three spellings, Abu Layla: Karim has one pseudonym three times.
    labels = [part.split("]")[0] for part in account.split("[Person ")[1:]]
    assert len(labels) == 5 and max(labels.count(label) for label in labels) == 3
    assert len(set(labels)) == 3
    assert WITHHELD in account, "registry names are withheld without a pseudonym"
    assert "Camp Ashraf" in account, "a place in the gazetteer stays readable"


def test_a_mention_keeps_its_pseudonym_across_bundles_to_one_recipient(mentioned, staff):
    first = evidence.export_evidence(user=staff["supervisor"], recipient="Court", purpose="court")
    second = evidence.export_evidence(user=staff["supervisor"], recipient="Court", purpose="court")
    other = evidence.export_evidence(user=staff["supervisor"], recipient="UN", purpose="court")
    path = f"accounts/{mentioned.reference}.txt"
    first_text, second_text = _bundle_files(first)[path], _bundle_files(second)[path]
    assert first_text == second_text
    assert _bundle_files(other)[path] != first_text


def test_mentioned_names_are_sealed_and_only_recorders_in_reach_add_them(mentioned, staff):
    stored = MentionedPerson.objects.filter(testimony=mentioned).first()
    assert str(stored.names) == "•••"
    with pytest.raises(PermissionDenied):
        services.add_mentioned_person(
            user=staff["south_caseworker"], testimony=mentioned, names=["Someone"]
        )
    with pytest.raises(ValidationError):
        services.add_mentioned_person(user=staff["caseworker"], testimony=mentioned, names=[" "])


def test_the_page_adds_a_mention(client, record, staff):
    testimony = record()
    client.force_login(staff["caseworker"])
    response = client.post(
        f"/en/testimony/{testimony.pk}/mentions/", {"names": "Karim Jafari\nکریم جعفری"}
    )
    assert response.status_code == 302
    assert "1 person listed" in client.get(f"/en/testimony/{testimony.pk}/").content.decode()
    assert testimony.mentions.count() == 1


def test_the_redactor_withholds_registry_names_but_not_place_names():
    witness = PersonToRedact(1, ["Hossein"], pseudonym=None)  # consented to be named
    redactor = Redactor(
        [witness], others=["Nasrin", "سلمى", "Ashraf", "Hossein"], places=["Camp Ashraf"]
    )
    text = "Hossein saw Nasrin and سلمى at Camp Ashraf; Ashraf was not there."
    assert redactor.redact(text) == (
        f"Hossein saw {WITHHELD} and {WITHHELD} at Camp Ashraf; {WITHHELD} was not there."
    ), "a named person's own name stays even when the registry has others called so"
