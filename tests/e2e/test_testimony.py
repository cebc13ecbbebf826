"""Issue 6, done when: in real Chromium, a caseworker records a testimony with two events
and an attachment, one person's consent to be named is withdrawn, a supervisor exports a
court bundle that `kinlink evidence verify` accepts and that holds that person only as a
pseudonym; changing one byte in the bundle makes the check fail."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
VICTIM_NAMES = ["Fereshteh", "Ahmadi", "فرشته", "احمدی"]


@pytest.fixture
def scene(demo_users, settings, tmp_path):
    from kinlink.people.services import create_person
    from kinlink.testimony import services
    from kinlink.testimony.vocabulary import ensure_seeded_event_types

    settings.MEDIA_ROOT = tmp_path / "files"
    ensure_seeded_event_types()  # earlier browser tests flush the data migrations' rows
    victim = create_person(
        names=[
            {"given_name": "Fereshteh", "family_name": "Ahmadi"},
            {"given_name": "فرشته", "family_name": "احمدی", "kind": "spelling"},
        ],
        caseworker=demo_users["caseworker"],
    )
    place = services.create_place(
        user=demo_users["caseworker"],
        name="Camp Liberty",
        kind="camp",
        aliases=["Camp Hurriyeh", "کمپ لیبرتی"],
    )
    witness = demo_users["caseworker"].persons.exclude(pk=victim.pk).get()
    return {"witness": witness, "victim": victim, "place": place}


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def _naming(page: Page, person, decision: str) -> None:
    form = page.locator("#naming-form")
    form.locator("select[name=person]").select_option(str(person.pk))
    form.locator("select[name=purpose]").select_option("court")
    form.locator("select[name=decision]").select_option(decision)
    form.locator("input[name=given_on]").fill("2024-03-05")
    form.locator("select[name=method]").select_option("in_person")
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("named")


def _record_testimony(page: Page, base: str, scene) -> None:
    page.goto(f"{base}/en/testimony/new/")
    form = page.locator("#testimony-form")
    form.locator("select[name=witness]").select_option(str(scene["witness"].pk))
    form.locator("input[name=recorded_on]").fill("2024-03-05")
    form.locator("select[name=language]").select_option("fa")
    form.locator("textarea[name=account]").fill(
        "حسین موسوی: In 2012 I was moved to Camp Liberty. "
        "Fereshteh Ahmadi was held alone in a container for three months.",
    )
    form.locator("input[name=uses][value=internal]").check()
    form.locator("input[name=uses][value=court]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("recorded")


def _add_event(page: Page, event_type: str, victim, passage: str, place) -> None:
    page.click("details:has(#event-form) summary")
    form = page.locator("#event-form")
    form.locator("select[name=event_type]").select_option(label=event_type)
    form.locator("select[name=place]").select_option(str(place.pk))
    form.locator("input[name=start]").fill("2012-06-01")
    form.locator("select[name=start_precision]").select_option("year")
    form.locator("select[name=victims]").select_option(str(victim.pk))
    form.locator("textarea[name=perpetrator_descriptions]").fill("the section officer")
    form.locator("textarea[name=passage]").fill(passage)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Event added")


def _attach(page: Page, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 a scanned page of a confiscated passport\n")
    page.click("details:has(#attachment-form) summary")
    form = page.locator("#attachment-form")
    form.locator("input[name=file]").set_input_files(str(scan))
    form.locator("select[name=kind]").select_option("scan")
    form.locator("input[name=identifies_people]").uncheck()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("fingerprint")


def _verify(bundle: Path) -> subprocess.CompletedProcess:
    """`kinlink evidence verify BUNDLE.zip`, as a recipient would run it."""
    env = {**os.environ}
    env.pop("KINLINK_TEST_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "kinlink.cli", "evidence", "verify", str(bundle)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _flip_one_byte(src: Path, dst: Path, member: str) -> None:
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as bundle:
        info = bundle.getinfo(member)
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    offset = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    data[offset] ^= 0x01
    dst.write_bytes(bytes(data))


def test_a_court_bundle_with_a_withdrawn_naming_consent_verifies_and_detects_tampering(
    page: Page, live_server, demo_users, scene, tmp_path
):
    base = live_server.url
    _log_in(page, base, "sara")
    _record_testimony(page, base, scene)
    _add_event(
        page, "transfer", scene["witness"], "In 2012 I was moved to Camp Liberty.", scene["place"]
    )
    _add_event(
        page,
        "solitary confinement",
        scene["victim"],
        "Fereshteh Ahmadi was held alone in a container for three months.",
        scene["place"],
    )
    _attach(page, tmp_path)
    for person in (scene["witness"], scene["victim"]):
        _naming(page, person, "grant")
    _naming(page, scene["victim"], "withdraw")
    victim_row = page.locator(f'#naming-table tr[data-person="{scene["victim"].pk}"] td.court')
    expect(victim_row).to_have_text("pseudonym")
    expect(page.locator("table.events tbody tr")).to_have_count(2)

    page.click("form.inline button.link")  # log out
    _log_in(page, base, "nadia")
    page.goto(f"{base}/en/testimony/exports/")
    page.fill("#export-form input[name=recipient]", "District Court of Tirana")
    page.select_option("#export-form select[name=purpose]", "court")
    page.click("#export-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("ready")
    with page.expect_download() as download:
        page.click("a[data-export]")
    bundle = tmp_path / "bundle.zip"
    download.value.save_as(bundle)

    accepted = _verify(bundle)
    assert accepted.returncode == 0, accepted.stderr
    assert "bundle intact" in accepted.stdout
    with zipfile.ZipFile(bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert "attachments/T-000001/01.pdf" in members
    assert b"Person " in members["events.json"]
    for name, data in members.items():
        for spelling in VICTIM_NAMES:
            assert spelling.encode() not in data, f"{spelling} appears in {name}"
    assert "موسوی".encode() in members["accounts/T-000001.txt"]  # the witness consented

    damaged = tmp_path / "damaged.zip"
    _flip_one_byte(bundle, damaged, "accounts/T-000001.txt")
    refused = _verify(damaged)
    assert refused.returncode == 1
    assert "accounts/T-000001.txt" in refused.stderr
