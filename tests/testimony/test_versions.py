"""Corrections never overwrite evidence: each is a new version (who, when, why), earlier
versions stay readable by those who may see the testimony, and a bundle names the version
of every account and event it holds."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Action, Entry
from kinlink.audit.sensitive import reveal
from kinlink.testimony import evidence, services
from kinlink.testimony.models import AccountVersion, EventVersion

from .conftest import ACCOUNT

CORRECTED = ACCOUNT.replace("In 2012", "In 2011")


def test_a_corrected_account_keeps_the_original_retrievable(record, staff):
    testimony = record()
    version = services.correct_account(
        user=staff["caseworker"],
        testimony=testimony,
        account=CORRECTED,
        reason="the witness remembered the year better",
    )
    testimony.refresh_from_db()
    assert version.number == 2 and testimony.account_version == 2
    reader = staff["caseworker"]
    assert services.reveal_account(user=reader, testimony=testimony, reason="check") == CORRECTED
    accounts, _events = services.reveal_history(user=reader, testimony=testimony, reason="court")
    assert [(v.number, v.text) for v in accounts] == [(2, CORRECTED), (1, ACCOUNT)]
    assert accounts[0].reason == "the witness remembered the year better"
    assert accounts[0].recorded_by == staff["caseworker"].display_name
    reads = Entry.objects.filter(action=Action.READ, object_type="testimony.accountversion")
    assert reads.count() == 2, "each version read is audited"


def test_a_correction_needs_a_reason_and_a_change(record, staff):
    testimony = record()
    with pytest.raises(ValidationError, match="why"):
        services.correct_account(
            user=staff["caseworker"], testimony=testimony, account=CORRECTED, reason=" "
        )
    with pytest.raises(ValidationError, match="unchanged"):
        services.correct_account(
            user=staff["caseworker"], testimony=testimony, account=ACCOUNT, reason="typo"
        )
    assert AccountVersion.objects.filter(testimony=testimony).count() == 1


def test_only_those_who_may_see_the_testimony_correct_it_or_read_its_history(record, staff):
    testimony = record()
    with pytest.raises(PermissionDenied):
        services.correct_account(
            user=staff["south_caseworker"], testimony=testimony, account=CORRECTED, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.reveal_history(user=staff["south_supervisor"], testimony=testimony, reason="x")


def test_a_testimony_recorded_before_versions_keeps_its_text_as_version_one(record, staff):
    testimony = record()
    AccountVersion.objects.filter(testimony=testimony).delete()  # as before the migration
    services.correct_account(
        user=staff["caseworker"], testimony=testimony, account=CORRECTED, reason="year"
    )
    accounts, _ = services.reveal_history(
        user=staff["caseworker"], testimony=testimony, reason="court"
    )
    assert [(v.number, v.text) for v in accounts] == [(2, CORRECTED), (1, ACCOUNT)]


def test_a_corrected_event_keeps_its_earlier_version(court_testimony, staff, event_types):
    event = court_testimony.events.order_by("id").first()
    services.correct_event(
        user=staff["caseworker"],
        event=event,
        reason="transfer was in 2011",
        event_type=event_types["transfer"],
        place=event.place,
        start=dt.date(2011, 1, 1),
        start_precision="year",
        participants=[services.ParticipantInput("victim", description="a man from Ashraf")],
    )
    event.refresh_from_db()
    assert event.version == 2 and event.start == dt.date(2011, 1, 1)
    assert list(event.participants.values_list("description", flat=True)) == ["a man from Ashraf"]
    _, histories = services.reveal_history(
        user=staff["supervisor"], testimony=court_testimony, reason="review"
    )
    history = next(h for h in histories if h.event.pk == event.pk)
    (newer, older) = [json.loads(v.text) for v in history.versions]
    assert newer["start"] == "2011-01-01" and older["start"] == "2012-01-01"
    assert older["passage"] == newer["passage"] == "In 2012 I was moved to Camp Liberty."
    assert older["participants"][0]["person"] == court_testimony.witness_id
    assert EventVersion.objects.filter(event=event).count() == 2


def test_the_bundle_names_the_version_of_every_account_and_event(court_testimony, staff):
    services.correct_account(
        user=staff["caseworker"], testimony=court_testimony, account=CORRECTED, reason="year"
    )
    export = evidence.export_evidence(user=staff["supervisor"], recipient="Court", purpose="court")
    with zipfile.ZipFile(export.file.path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        listed = json.loads(bundle.read("testimonies.json"))
        account = bundle.read(f"accounts/{court_testimony.reference}.txt").decode()
        events = json.loads(bundle.read("events.json"))
    versions = manifest["versions"][court_testimony.reference]
    assert versions["account"] == 2
    assert set(versions["events"].values()) == {1}
    assert listed[0]["account_version"] == 2
    assert "In 2011" in account and "In 2012 I was moved" not in account, (
        "only the version in force"
    )
    assert {row["version"] for row in events} == {1}


def test_the_history_page_shows_versions_to_those_allowed(client, record, staff):
    testimony = record()
    services.correct_account(
        user=staff["caseworker"], testimony=testimony, account=CORRECTED, reason="year"
    )
    client.force_login(staff["south_caseworker"])
    assert client.get(f"/en/testimony/{testimony.pk}/history/").status_code == 404
    client.force_login(staff["caseworker"])
    page = client.get(f"/en/testimony/{testimony.pk}/history/").content.decode()
    assert "year" in page and "In 2011" not in page, "texts only after a reason"
    shown = client.post(f"/en/testimony/{testimony.pk}/history/", {"reason": "court request"})
    text = shown.content.decode()
    assert "In 2011" in text and "In 2012 I was moved" in text
    response = client.post(
        f"/en/testimony/{testimony.pk}/correct/",
        {"account": CORRECTED + " Later I escaped.", "reason": "addition"},
    )
    assert response.status_code == 302
    testimony.refresh_from_db()
    assert testimony.account_version == 3


def test_erasing_an_account_takes_its_earlier_versions_with_it(court_testimony, staff):
    services.correct_account(
        user=staff["caseworker"], testimony=court_testimony, account=CORRECTED, reason="year"
    )
    court_testimony.account = None  # what privacy/ does on erasure or pseudonymisation
    court_testimony.save()
    assert not AccountVersion.objects.filter(testimony=court_testimony).exists()
    for version in EventVersion.objects.filter(event__testimony=court_testimony):
        snapshot = json.loads(reveal(version, "snapshot"))
        assert snapshot["passage"] == "", "no version keeps an erased passage"


def test_an_event_is_corrected_from_its_page(client, court_testimony, staff, event_types):
    event = court_testimony.events.order_by("id").first()
    client.force_login(staff["south_caseworker"])
    assert client.get(f"/en/testimony/events/{event.pk}/correct/").status_code == 404
    client.force_login(staff["caseworker"])
    form = client.get(f"/en/testimony/events/{event.pk}/correct/")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    response = client.post(
        f"/en/testimony/events/{event.pk}/correct/",
        {
            "event_type": event_types["escape"].pk,
            "place": event.place_id,
            "start": "2012-06-01",
            "start_precision": "month",
            "end_precision": "day",
            "victims": [court_testimony.witness_id],
            "keep_passage": "on",
            "reason": "it was an escape, not a transfer",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.version == 2 and event.event_type.code == "escape"
    assert reveal(event, "passage") == "In 2012 I was moved to Camp Liberty.", "passage kept"
