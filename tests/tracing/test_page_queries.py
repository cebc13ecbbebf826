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
