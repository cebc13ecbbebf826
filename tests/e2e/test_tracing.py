"""The tracing flow of issue 4 in real Chromium, as a caseworker and a supervisor walk it:
an enquiry in Latin letters finds a person registered in Persian script; the caseworker
confirms the candidate, records "messages only", a message goes through review, and the
family's letter holds no location or contact until full consent is recorded."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

LOCATION = "Rruga e Durresit 12, Tirana"
CONTACT = "+355 69 123 4567"


@pytest.fixture
def sought(demo_users):
    from kinlink.people.services import create_person

    return create_person(
        names=[{"given_name": "مسعود", "family_name": "حسینی", "father_name": "علی"}],
        birth="1344",
        birth_place="اهواز",
        gender="M",
        last_known_location=LOCATION,
        contact=CONTACT,
        caseworker=demo_users["caseworker"],
    )


def _record_verification(page: Page) -> None:
    """The enquirer recognised the person: without this, nothing is disclosed."""
    form = page.locator("#verification form")
    form.locator("select[name=kind]").select_option("recognised")
    form.locator("select[name=method]").select_option("photo")
    form.locator("input[name=verified_on]").fill(dt.date.today().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("#verification")).to_have_attribute("data-verified", "yes")


def _record_consent(page: Page, scope: str) -> None:
    page.click("text=Record or withdraw the decision")
    page.check(f"input[name=scope][value={scope}]")
    page.fill("input[name=obtained_on]", dt.date.today().isoformat())
    page.select_option("select[name=method]", "phone")
    page.click("text=Record the decision")
    expect(page.locator("#consent [data-consent]")).to_have_attribute("data-consent", scope)


def test_an_enquiry_is_traced_to_contact_with_consent_enforced(
    log_in, live_server, demo_users, sought
):
    base = live_server.url
    sara = log_in(demo_users["caseworker"])
    sara.goto(f"{base}/en/tracing/new/")
    sara.fill("input[name=enquirer_given_name]", "Fereshteh")
    sara.fill("input[name=enquirer_family_name]", "Hosseini")
    sara.select_option("select[name=relationship]", "sibling")
    sara.fill("input[name=given_name]", "Massoud")
    sara.fill("input[name=family_name]", "Hosseini")
    sara.fill("input[name=father_name]", "Ali")
    sara.fill("input[name=birth]", "1965")
    sara.fill("input[name=birth_place]", "Ahvaz")
    sara.click("text=Record and search")

    first = sara.locator("table.candidates tbody tr").first
    expect(first).to_have_attribute("data-person", sought.reference)
    expect(first.locator("bdi", has_text="مسعود")).to_be_visible()
    first.locator("input[name=reason]").fill("same father, birth year and place")
    first.locator("button[value=same]").click()
    expect(sara.locator("p.lead")).to_have_attribute("data-status", "candidate_found")
    expect(sara.locator("#verification")).to_have_attribute("data-verified", "no")
    _record_verification(sara)

    _record_consent(sara, "messages")
    enquiry_url = sara.url
    sara.select_option("select[name=direction]", "to_enquirer")
    sara.fill("textarea[name=text]", "I am well, dear sister. I think of you every day.")
    sara.click("text=Save for review")
    expect(sara.locator("article.message")).to_have_attribute("data-state", "draft")

    nadia = log_in(demo_users["supervisor"])
    nadia.goto(enquiry_url)
    nadia.click("article.message button[value=yes]")
    expect(nadia.locator("article.message")).to_have_attribute("data-state", "approved")

    sara.reload()
    sara.click("article.message button[value=yes]")
    expect(sara.locator("article.message")).to_have_attribute("data-state", "delivered")

    sara.click("text=Reply letter to the family")
    letter = sara.locator("article.letter")
    expect(letter).to_contain_text("I think of you every day")
    expect(letter).to_contain_text("exchange messages")
    assert LOCATION not in letter.inner_text() and CONTACT not in letter.inner_text()

    sara.goto(enquiry_url)
    _record_consent(sara, "whereabouts")
    sara.click("text=Reply letter to the family")
    expect(sara.locator("article.letter")).to_contain_text(LOCATION)
    expect(sara.locator("article.letter")).to_contain_text(CONTACT)
