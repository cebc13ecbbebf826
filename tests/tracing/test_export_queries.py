"""The caseload export reads the consents of all its rows at once: its number of queries
does not grow with the rows, and the consent column still follows `enquiry_consent`'s rule
(a withdrawn consent, a consent for another recipient or another basis count for nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.people import services as people
from kinlink.tracing import services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 1)
# (scope recorded, how it is recorded) for successive enquiries, in turn.
KINDS = ("messages", "withdrawn", "other_recipient", "vital_interest", "replaced", None)


def _enquiry(sara, sought, index: int, kind: str | None):
    enquiry = services.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": f"Enquirer{index}", "family_name": "Demo"}]},
        sought={"given_name": "Massoud", "family_name": "Hosseini"},
        search=False,
    )
    enquiry.sought_person = sought
    enquiry.save()
    if kind is None:
        return enquiry
    context = enquiry.consent_context
    common = {"person": sought, "context": context, "obtained_on": TODAY, "by": sara}
    if kind == "vital_interest":
        people.record_consent(
            scope="whereabouts", method="", basis="vital_interest", recipient=None, **common
        )
        return enquiry
    recipient = enquiry.enquirer if kind != "other_recipient" else sought
    given = people.record_consent(
        scope="whereabouts", method="phone", recipient=recipient, **common
    )
    if kind == "withdrawn":
        people.withdraw_consent(consent=given, by=sara, reason="changed her mind")
    if kind in ("messages", "replaced"):
        people.record_consent(
            scope="messages" if kind == "messages" else "nothing",
            method="phone",
            recipient=recipient,
            **common,
        )
    return enquiry


def _export(sara) -> tuple[int, list[list[str]]]:
    with CaptureQueriesContext(connection) as queries:
        data = services.export_caseload(user=sara, fmt="csv", columns=None)
    return len(queries), list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_consent_column_costs_no_query_per_row_and_follows_the_rule(sara, registered):
    made = [_enquiry(sara, registered, i, KINDS[i % len(KINDS)]) for i in range(3)]
    few, rows = _export(sara)
    made += [_enquiry(sara, registered, i, KINDS[i % len(KINDS)]) for i in range(3, 12)]
    many, rows = _export(sara)

    assert len(rows) == 1 + 12
    assert many == few, f"{few} queries for 3 rows, {many} for 12"
    column = rows[0].index("consent")
    by_reference = {row[0]: row[column] for row in rows[1:]}
    for enquiry in made:
        assert by_reference[enquiry.reference] == (services.consent_scope(enquiry) or "")
    assert sorted(set(by_reference.values())) == ["", "messages", "nothing"]
