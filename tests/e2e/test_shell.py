"""The web shell in real Chromium: login, navigation per role, right-to-left Persian."""

from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

EXPECTED_NAV = {
    "caseworker": [
        "web:home",
        "tracing:enquiry_list",
        "web:person_list",
        "cases:case_list",
        "testimony:list",
    ],
    "supervisor": [
        "web:home",
        "tracing:enquiry_list",
        "web:person_list",
        "cases:case_list",
        "testimony:list",
        "web:reports",
    ],
    "dpo": [
        "web:home",
        "web:person_list",
        "testimony:list",
        "web:audit_list",
        "privacy:index",
        "web:reports",
    ],
    "admin": ["web:home", "accounts:user_list", "cases:settings"],
    "analyst": ["web:home", "web:reports"],
}


def _log_in(page: Page, base: str, user, language: str = "en") -> None:
    page.goto(f"{base}/{language}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("#login-form button[type=submit]")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        expect(page.locator("input[name=token]")).to_be_visible()
        page.fill(
            "input[name=token]",
            f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}",
        )
        page.click("form.stack button[type=submit]")
    # the home page, signed in, before anything else is clicked
    expect(page.locator(".mainnav")).to_be_visible(timeout=20_000)


@pytest.mark.parametrize("role", list(EXPECTED_NAV))
def test_each_role_logs_in_and_sees_its_own_navigation(page: Page, live_server, demo_users, role):
    _log_in(page, live_server.url, demo_users[role])
    expect(page.locator("h1")).to_contain_text("Welcome")
    shown = page.locator(".mainnav a").evaluate_all("links => links.map(a => a.dataset.nav)")
    assert shown == EXPECTED_NAV[role]
    for url_name in shown[1:]:
        page.click(f'.mainnav a[data-nav="{url_name}"]')
        expect(page.locator("h1")).not_to_contain_text("Server Error")
        assert page.locator("h1").count() == 1


def test_the_caseworker_opens_a_person_with_a_persian_name(page: Page, live_server, demo_users):
    _log_in(page, live_server.url, demo_users["caseworker"])
    page.click('.mainnav a[data-nav="web:person_list"]')
    page.click("table a")
    expect(page.locator("bdi", has_text="موسوی").first).to_be_visible()


def _ink_columns(png: Path, box: dict) -> tuple[int, int]:
    """Leftmost and rightmost columns with dark pixels inside a box of a screenshot."""
    image = Image.open(png).convert("L")
    left, top = int(box["x"]), int(box["y"])
    crop = image.crop((left, top, left + int(box["width"]), top + int(box["height"])))
    width, height = crop.size
    pixels = crop.load()
    dark = [x for x in range(width) for y in range(height) if pixels[x, y] < 110]
    assert dark, "no text found in the heading's box"
    return min(dark), width - 1 - max(dark)


def test_the_persian_page_is_laid_out_right_to_left(page: Page, live_server, demo_users):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1000, "height": 700})
    for language, direction in [("en", "ltr"), ("fa", "rtl")]:
        page.goto(f"{live_server.url}/{language}/accounts/login/")
        expect(page.locator("html")).to_have_attribute("dir", direction)
        shot = ARTIFACTS / f"login-{language}.png"
        page.screenshot(path=str(shot))
        heading = page.locator("h1").bounding_box()
        heading["width"] = page.locator(".card").bounding_box()["width"] - 40
        card = page.locator(".card").bounding_box()
        heading["x"] = card["x"] + 20
        left_gap, right_gap = _ink_columns(shot, heading)
        brand = page.locator(".brand").bounding_box()
        language_select = page.locator("#language-select").bounding_box()
        if direction == "rtl":
            assert right_gap < left_gap, (
                f"Persian heading ink should hug the right: {left_gap=} {right_gap=}"
            )
            assert brand["x"] > language_select["x"], "the brand should sit on the right in RTL"
        else:
            assert left_gap < right_gap, (
                f"English heading ink should hug the left: {left_gap=} {right_gap=}"
            )
            assert brand["x"] < language_select["x"]


def test_the_language_switch_moves_to_the_same_page_in_arabic(page: Page, live_server, demo_users):
    _log_in(page, live_server.url, demo_users["caseworker"])
    page.select_option("#language-select", "ar")
    if "/ar/" not in page.url:
        # the script submits on change; submit the form itself if it has not yet
        page.locator("form.langswitch").evaluate("form => form.submit()")
    page.wait_for_url("**/ar/**", timeout=30_000)
    expect(page.locator("html")).to_have_attribute("dir", "rtl", timeout=20_000)
    expect(page.locator("html")).to_have_attribute("lang", "ar", timeout=20_000)
    assert "/ar/" in page.url
