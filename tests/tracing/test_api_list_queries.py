"""The API's enquiry list reads the consents of its page at once: its number of queries
does not grow with the enquiries, and each one's consent still follows `enquiry_consent`'s
rule (withdrawn, another recipient, another basis, replaced)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.tracing import services

from .test_export_queries import KINDS, _enquiry

pytestmark = pytest.mark.django_db


def _list(client) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/enquiries/")
    assert response.status_code == 200, response.content[:300]
    return len(queries), response.json()["results"]


def test_the_enquiry_list_costs_no_query_per_enquiry_and_follows_the_consent_rule(sara, registered):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=sara).key}")
    made = [_enquiry(sara, registered, i, KINDS[i % len(KINDS)]) for i in range(3)]
    few, rows = _list(client)
    made += [_enquiry(sara, registered, i, KINDS[i % len(KINDS)]) for i in range(3, 12)]
    many, rows = _list(client)
    assert len(rows) == 12
    assert many == few, f"{few} queries for 3 enquiries, {many} for 12"
    by_reference = {row["reference"]: row["consent"] for row in rows}
    for enquiry in made:
        assert by_reference[enquiry.reference] == services.consent_scope(enquiry)
    assert sorted(set(by_reference.values()), key=str) == sorted(
        {None, "messages", "nothing"}, key=str
    )
