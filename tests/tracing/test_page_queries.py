"""The enquiry list and page cost the same number of queries however many rows they show, and
show the same labels, links and notifications as before they loaded fewer columns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.tracing import services
from kinlink.tracing.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def _enquiry(user, given: str):
    return services.create_enquiry(
        user=user,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Fereshteh", "family_name": given}]},
        sought={"given_name": given, "family_name": "Rahimi", "birth": "1970"},
    )


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_enquiry_list_costs_the_same_queries_for_two_or_six_rows_and_notifications(
    client, sara
):
    client.force_login(sara)
    first = [_enquiry(sara, name) for name in ("Arash", "Babak")]
    _, two_rows = _get(client, "/en/tracing/")
    more = [_enquiry(sara, name) for name in ("Cyrus", "Dariush", "Ehsan", "Farhad")]
    Notification.objects.create(user=sara, kind=NotificationKind.NEW_CANDIDATE, enquiry=first[0])
    Notification.objects.create(
        user=sara, kind=NotificationKind.MESSAGE_TO_REVIEW, enquiry=more[-1]
    )
    html, six_rows = _get(client, "/en/tracing/")
    assert six_rows == two_rows
    for enquiry in first + more:
        assert f'<a href="/en/tracing/{enquiry.pk}/">{enquiry.reference}</a>' in html
        assert f"{enquiry.enquirer.reference} · sibling" in html
    assert f"may be the one sought in {first[0].reference}." in html
    assert f"A message of {more[-1].reference} waits for your review." in html
    assert html.count('action="/en/tracing/notifications/') == 2
    persian, _ = _get(client, "/fa/tracing/")
    assert f'<a href="/fa/tracing/{first[0].pk}/">' in persian


def test_the_enquiry_page_shows_translated_labels_and_links(client, sara, enquiry):
    client.force_login(sara)
    english, _ = _get(client, f"/en/tracing/{enquiry.pk}/")
    persian, _ = _get(client, f"/fa/tracing/{enquiry.pk}/")
    assert "· sibling" in english and "· خواهر یا برادر" in persian
    assert f'href="/en/tracing/persons/{enquiry.enquirer_id}/"' in english
    assert f'href="/fa/tracing/persons/{enquiry.enquirer_id}/"' in persian
    candidate = enquiry.candidates.order_by("-score").first()
    assert f'action="/en/tracing/candidates/{candidate.pk}/decide/"' in english


def test_the_enquiry_page_loads_no_sealed_column_or_password_and_asks_the_confirmation_once(
    client, sara, nadia, found, registered
):
    """Everything the page prints (who changed the status, who wrote and reviewed a message,
    the verification, the consent) with only the columns it prints."""
    from tests.tracing.conftest import consent

    services.record_verification(
        user=sara,
        candidate=found.candidates.get(person=registered),
        kind="recognised",
        method="photo",
        verified_on=found.created_at.date(),
        note="recognised his photograph",
    )
    services.mark_person_asked(user=sara, enquiry=found, note="met at the office")
    consent(found, sara, "messages")
    message = services.write_message(
        user=sara, enquiry=found, direction="to_sought", text="Everyone at home sends love."
    )
    services.review_message(user=nadia, message=message, approve=True, note="fine")
    sara.first_name, sara.last_name = "Sara", "Amini"
    sara.save(update_fields=["first_name", "last_name"])
    client.force_login(sara)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/tracing/{found.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-verified="yes"' in html and 'data-consent="messages"' in html
    assert "Everyone at home sends love." in html
    assert f"Reviewed by {nadia.username}: <bdi>fine</bdi>" in html
    assert html.count("Sara Amini") >= 3  # caseworker, status changes, message author
    who = f'WHERE "accounts_user"."id" = {sara.pk} LIMIT 21'  # the logged-in user, by Django
    page = [
        sql
        for sql in (q["sql"] for q in queries.captured_queries)
        if "django_session" not in sql and not sql.endswith(who)
    ]
    for column in ("password", "contact", "last_known_location", "enquirer_contact"):
        assert not [sql for sql in page if f'."{column}"' in sql], column
    confirmations = [sql for sql in page if '"tracing_candidate"."decision" = ' in sql]
    assert len(confirmations) == 1
