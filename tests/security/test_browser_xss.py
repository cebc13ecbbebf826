"""XSS in real Chromium: the pages a role reaches, over names in Persian and Arabic with markup,
open no dialog and hold no injected element. Each page is loaded twice: from the live server
(with its CSP), and as plain HTML without any CSP, so that escaping is tested on its own and not
hidden by the policy."""

from __future__ import annotations

import pytest
import secscan
import secworld
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

INJECTED = "[id^=kl-injected], img[src=x], iframe[src^=javascript], svg[onload]"
ROLES = ["caseworker", "dpo"]  # the supervisor sees what the caseworker does, and more of it
MAX_PAGES = 18


@pytest.fixture
def live_world(transactional_db):
    return secworld.build_world()


def _urls(world, role) -> list[str]:
    client = secscan.logged_in_client(world.users[role])
    start = ["/en/", "/fa/", "/en/tracing/", "/en/cases/", "/en/testimony/", "/ar/persons/"]
    visits = secscan.crawl(client, start, max_pages=MAX_PAGES)
    return client, [v.url for v in visits if v.html and v.response.status_code == 200]


@pytest.mark.parametrize("role", ROLES)
def test_no_script_runs_and_no_element_is_injected_in_chromium(
    page: Page, live_server, live_world, role
):
    client, urls = _urls(live_world, role)
    assert len(urls) >= 5, urls
    dialogs: list[str] = []
    page.on(
        "dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss())
    )
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    injected, shown = [], 0
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response is not None and response.status < 500, url
        html = page.request.get(live_server.url + url).text()
        page.wait_for_load_state("load")
        if page.locator(INJECTED).count():
            injected.append(f"{url} (served)")
        shown += page.get_by_text("alert(1)").count()
        # The same HTML with no CSP at all: only escaping stands between the data and a script.
        page.set_content(html.replace("http-equiv", "data-x"), wait_until="load")
        page.wait_for_timeout(50)
        if page.locator(INJECTED).count():
            injected.append(f"{url} (without CSP)")
        page.goto("about:blank")
    assert not dialogs, dialogs
    assert not injected, injected
    # The hostile names were on the pages, as text.
    assert shown >= 3


def test_the_detector_sees_an_unescaped_payload(page: Page):
    """Control: the same checks fire on markup that is not escaped."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(f"<p>{secworld.XSS[1]}</p><p>{secworld.XSS[2]}</p>", wait_until="load")
    page.wait_for_timeout(200)
    assert page.locator(INJECTED).count() >= 2
    assert dialogs
