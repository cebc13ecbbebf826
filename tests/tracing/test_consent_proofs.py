"""Without the sought person's consent to share whereabouts, no page, letter, API response
or export shows their location or contact, whoever asks: every role, every endpoint."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.tracing import services

from .conftest import CONTACT, LOCATION, consent

pytestmark = pytest.mark.django_db

SECRETS = (LOCATION, CONTACT, "Durresit", "123 4567")
ROLES = ("caseworker", "supervisor", "dpo", "admin", "analyst", "other_caseworker")


def pages(enquiry) -> list[str]:
    sought = enquiry.sought_person_id
    return [
        "/en/",
        "/en/tracing/",
        f"/en/tracing/{enquiry.pk}/",
        f"/en/tracing/{enquiry.pk}/consent/",
        f"/en/tracing/{enquiry.pk}/letter/",
        f"/en/tracing/persons/{sought}/",
        f"/en/tracing/persons/{sought}/edit/",
        "/en/persons/",
        f"/en/persons/{sought}/",
        "/en/reports/",
        "/en/audit/",
        "/en/tracing/export.csv",
        "/en/tracing/export.xlsx",
    ]


def endpoints(enquiry) -> list[str]:
    base = f"/api/enquiries/{enquiry.pk}"
    return [
        "/api/enquiries/",
        f"{base}/",
        f"{base}/candidates/",
        f"{base}/consent/",
        f"{base}/family-reply/",
        f"{base}/messages/",
        "/api/candidates/",
        "/api/messages/",
        "/api/notifications/",
        "/api/persons/",
        f"/api/persons/{enquiry.sought_person_id}/",
        "/api/audit/",
        "/api/enquiries/export/",
        "/api/enquiries/export/?as=xlsx",
    ]


def page_client(user, client, verified_client):
    if user.role in ("admin", "dpo"):
        return verified_client(user)
    client.force_login(user)
    return client


def readable(response) -> str:
    """The text a person would see: a spreadsheet's cells, a page's or a JSON body's text."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(cell) for sheet in book for row in sheet.values for cell in row if cell
        )
    return response.content.decode("utf-8", errors="replace")


def bodies(enquiry, staff, client, verified_client):
    for role in ROLES:
        user = staff[role]
        web = page_client(user, client, verified_client)
        for url in pages(enquiry):
            yield role, url, readable(web.get(url))
        api = APIClient()
        token = Token.objects.get_or_create(user=user)[0].key
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        for url in endpoints(enquiry):
            yield role, url, readable(api.get(url))


def assert_nothing_revealed(enquiry, staff, client, verified_client):
    for role, url, text in bodies(enquiry, staff, client, verified_client):
        for secret in SECRETS:
            assert secret not in text, f"{role} saw {secret!r} at {url}"


@pytest.mark.parametrize("scope", [None, "nothing", "alive_and_well", "messages"])
def test_no_role_sees_the_whereabouts_without_consent_to_share_them(
    found, sara, nadia, staff, client, verified_client, scope
):
    if scope:
        consent(found, sara, scope)
    if scope == "messages":
        message = services.write_message(
            user=sara, enquiry=found, direction="to_enquirer", text="I am well."
        )
        services.review_message(user=nadia, message=message, approve=True)
        services.deliver_message(user=sara, message=message, delivered=True)
    assert_nothing_revealed(found, staff, client, verified_client)


def test_no_role_sees_the_whereabouts_once_consent_is_withdrawn(
    found, sara, staff, client, verified_client
):
    consent(found, sara, "whereabouts")
    services.withdraw_enquiry_consent(user=sara, enquiry=found, reason="changed their mind")
    assert_nothing_revealed(found, staff, client, verified_client)


def test_no_role_sees_the_whereabouts_of_a_person_found_deceased(
    found, sara, staff, client, verified_client
):
    consent(found, sara, "whereabouts")
    services.close_enquiry(user=sara, enquiry=found, outcome="deceased")
    assert_nothing_revealed(found, staff, client, verified_client)


def test_with_consent_only_the_family_reply_carries_the_whereabouts(
    found, sara, staff, client, verified_client
):
    consent(found, sara, "whereabouts")
    seen = {
        (role, url)
        for role, url, body in bodies(found, staff, client, verified_client)
        if LOCATION in body
    }
    reply_urls = {f"/en/tracing/{found.pk}/letter/", f"/api/enquiries/{found.pk}/family-reply/"}
    assert {url for _, url in seen} == reply_urls
    assert {role for role, _ in seen} == {"caseworker", "supervisor", "dpo"}
