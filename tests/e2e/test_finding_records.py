"""Finding a person as a caseworker types them, in real Chromium: the persons search finds a
name registered in Persian script from a Latin spelling, and the record of a person
registered twice finds the other record and merges it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def registered_twice(demo_users):
    from kinlink.people.services import create_person

    def person(given, family, father, place):
        return create_person(
            names=[{"given_name": given, "family_name": family, "father_name": father}],
            birth="1967",
            birth_place=place,
            gender="M",
            caseworker=demo_users["caseworker"],
        )

    return person("Hossein", "Jafari", "Reza", "Mashhad"), person("حسین", "جعفری", "رضا", "مشهد")


def test_a_latin_spelling_finds_the_persian_record_and_the_two_records_merge(
    log_in,
    live_server,
    demo_users,
    registered_twice,
):
    first, again = registered_twice
    page = log_in(demo_users["caseworker"])
    page.click("nav >> text=Persons")
    page.fill("input[name=q]", "Husein Jafary")
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table")).to_contain_text("حسین جعفری")

    page.click(f"text={first.reference}")
    page.click("text=Look for other records of this person")
    row = page.locator(f"tr[data-person='{again.reference}']")
    expect(row).to_contain_text("father's name: same")
    row.locator("input[name=reason]").fill("same father, year and town; photo matches")
    row.locator("button[type=submit]").click()

    expect(page.locator(".messages")).to_contain_text("The two records were merged.")
    expect(page.locator("h1")).to_contain_text(first.reference)
    expect(page.locator("main")).to_contain_text("حسین")
