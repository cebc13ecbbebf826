"""A case in real Chromium: from first contact to reintegration, with a residence permit whose
expiry brings a renewal task onto the caseworker's deadlines and a reminder email."""

import importlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

STAGES = [
    "Leaving / exit in progress",
    "In transit",
    "Interviews",
    "Awaiting relocation",
    "Relocated to a third country / returned home",
    "Reintegration",
]


@pytest.fixture(autouse=True)
def default_pathway(transactional_db):
    """Browser tests run on a database flushed after each test, which takes the rows of data
    migrations with it; put the shipped pathway and document types back."""
    from django.apps import apps

    migration = importlib.import_module("kinlink.cases.migrations.0002_default_pathway")
    migration.create_defaults(apps, None)


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def _move(page: Page, stage: str, reason: str) -> None:
    page.click("text=Move to another stage")
    page.select_option("select[name=to_stage]", label=stage)
    page.fill("textarea[name=reason]", reason)
    page.click("#move-form button[type=submit]")
    expect(page.locator(".stagebar .current")).to_have_text(stage)


def test_a_case_goes_from_first_contact_to_reintegration_and_a_permit_expiry_is_never_missed(
    page: Page, live_server, demo_users, settings, tmp_path
):
    from kinlink.cases.models import Case, Reminder

    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caseworker = demo_users["caseworker"]
    caseworker.email = "sara@example.org"
    caseworker.save()
    person = caseworker.persons.get()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 900})

    _log_in(page, live_server.url, caseworker.username)
    page.goto(f"{live_server.url}/en/cases/new/?person={person.pk}")
    page.fill("input[name=reason]", "Called from the transit facility")
    page.click("form.stack button[type=submit]")
    expect(page.locator(".stagebar .current")).to_have_text("First contact")
    expect(page.locator("h1 bdi")).to_contain_text("موسوی")

    for stage in STAGES:
        _move(page, stage, f"Reached: {stage}")
        if stage.startswith("Relocated"):
            expect(page.locator("#plan")).to_contain_text("Apply for residence permit")
            scan = tmp_path / "permit.pdf"
            scan.write_bytes(b"%PDF-1.4 residence permit")
            page.click("text=Add a document")
            page.select_option("select[name=document_type]", label="Residence permit")
            page.fill("input[name=issuing_country]", "Albania")
            page.fill("input[name=number]", "AL-2026-0042")
            expires = timezone.localdate() + timedelta(days=30)
            page.fill("input[name=expires_on]", expires.isoformat())
            page.set_input_files("input[name=scan]", str(scan))
            page.click("form.stack button[type=submit]")
            expect(page.locator("#documents")).to_contain_text("Residence permit")
            expect(page.locator("#plan")).to_contain_text("Renew: Residence permit")

    case = Case.objects.get(person=person)
    assert case.stage.code == "reintegration" and case.moves.count() == 7
    expect(page.locator("#history tbody tr")).to_have_count(7)
    page.screenshot(path=str(ARTIFACTS / "case-detail.png"), full_page=True)

    call_command("cases_reminders")
    assert Reminder.objects.filter(recipient=caseworker, task__kind="renewal").exists()
    assert any(case.reference in message.body for message in mail.outbox)

    page.goto(f"{live_server.url}/en/")  # the caseworker's home page shows the panel
    home_due = page.locator('[data-deadlines="due-soon"]')
    expect(home_due).to_contain_text("Renew: Residence permit")
    expect(home_due).to_contain_text(case.reference)

    page.goto(f"{live_server.url}/en/cases/deadlines/")
    due = page.locator('[data-deadlines="due-soon"]')
    expect(due).to_contain_text("Renew: Residence permit")
    expect(due).to_contain_text(case.reference)
    page.screenshot(path=str(ARTIFACTS / "case-deadlines.png"), full_page=True)
    page.click(f'[data-deadlines="due-soon"] a:has-text("{case.reference}")')
    expect(page.locator(".stagebar .current")).to_have_text("Reintegration")


def test_the_supervisor_sees_the_case_report_charts(page: Page, live_server, demo_users):
    from kinlink.cases import services
    from kinlink.cases.models import Stage
    from kinlink.people.services import create_person

    caseworker = demo_users["caseworker"]
    transit = Stage.objects.get(code="transit")
    start = timezone.localdate() - timedelta(days=90)
    for i in range(7):
        person = create_person(names=[{"given_name": f"Person {i}"}], caseworker=caseworker)
        case = services.open_case(user=caseworker, person=person, opened_on=start)
        services.move_case(
            user=caseworker,
            case=case,
            to_stage=transit,
            reason="r",
            moved_at=start + timedelta(days=20 + 3 * i),
        )
    page.set_viewport_size({"width": 1100, "height": 900})
    _log_in(page, live_server.url, demo_users["supervisor"].username)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    drawn = """() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
        const chart = Chart.getChart(c);
        return chart ? [chart.options.plugins.legend.rtl, c.width > 0 && c.height > 0] : null;
    })"""
    page.goto(f"{live_server.url}/en/cases/reports/")
    expect(page.locator("canvas[data-chart]")).to_have_count(4)
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert page.evaluate(drawn) == [[False, True]] * 4
    page.goto(f"{live_server.url}/fa/cases/reports/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert page.evaluate(drawn) == [[True, True]] * 4
    assert problems == []  # no CSP refusal, no script error
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-reports-fa.png"), full_page=True)
