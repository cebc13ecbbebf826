import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def _seeded_contents(django_db_setup, django_db_blocker):
    """What the migrations seeded, as Django serialized it when it made the test database."""
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _seeded_contents_on_this_connection(_seeded_contents):
    # Playwright's event loop gives the test thread a fresh database connection object, which
    # lacks the serialized contents that Django restores from; hand them over.
    from django.db import connections

    if _seeded_contents is not None:
        connections["default"]._test_serialized_contents = _seeded_contents


@pytest.fixture(autouse=True)
def _seeded_rows_survive_the_flush(
    _seeded_contents_on_this_connection, django_db_serialized_rollback
):
    """Browser tests run against a live server, so each one empties the tables afterwards;
    serialized rollback puts back what the migrations seeded (the default pathway, the event
    vocabulary, retention periods) before the next one."""


@pytest.fixture
def demo_users(transactional_db):
    """Users for every role; the two-factor ones with a known TOTP key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kinlink.accounts import services
    from kinlink.people.services import create_person

    team = services.team_named("North")
    users = {}
    for username, role in [
        ("sara", "caseworker"),
        ("nadia", "supervisor"),
        ("dana", "dpo"),
        ("arben", "admin"),
        ("lina", "analyst"),
    ]:
        users[role] = services.create_user(
            username=username, password="a-long-test-password", role=role, team=team
        )
        if role in ("dpo", "admin"):
            TOTPDevice.objects.create(user=users[role], name="e2e", confirmed=True)
    create_person(
        names=[{"given_name": "حسین", "family_name": "موسوی", "father_name": "رضا"}],
        birth_year=1965,
        birth_place="اهواز",
        caseworker=users["caseworker"],
    )
    return users


@pytest.fixture
def log_in(browser: Browser, live_server):
    """A fresh browser context per user, closed after the test: an open context keeps its
    keep-alive sockets to the live server, whose request threads would then close the shared
    SQLite connection after the server has stopped sharing it."""
    pages: list[Page] = []

    def open_as(user) -> Page:
        page = _logged_in(browser.new_page(), live_server.url, user)
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        page.context.close()


def _logged_in(page: Page, base: str, user) -> Page:
    page.goto(f"{base}/en/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("#login-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")
    return page
