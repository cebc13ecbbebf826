"""The person page: merged records and the undo of a merge are shown when there are any, the
forms are the same whether rendered fresh or reused, and a form posted with errors shows them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.people import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(make_user):
    return make_user("sara", "caseworker", team="North")


def person(user, given: str):
    return services.register_person(
        user=user, names=[{"given_name": given, "family_name": "Hosseini"}]
    )


def page(client, pk: int) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/tracing/persons/{pk}/")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_merges_are_shown_only_when_there_are_some_and_cost_queries_only_then(client, sara):
    survivor, duplicate = person(sara, "Masoud"), person(sara, "Massoud")
    client.force_login(sara)
    plain, plain_queries = page(client, survivor.pk)
    assert "Records merged into this one" not in plain and 'id="merge-undo"' not in plain
    assert 'name="duplicate"' in plain and 'name="given_name"' in plain
    merge = services.merge_persons(user=sara, survivor=survivor, merged=duplicate, reason="same")
    merged, merged_queries = page(client, survivor.pk)
    assert "Records merged into this one:" in merged
    assert f'<a href="/en/tracing/persons/{duplicate.pk}/">{duplicate.reference}</a>' in merged
    assert f'data-merge="{merge.pk}"' in merged
    assert merged_queries == plain_queries + 2
    services.undo_merge(user=sara, merge=merge, reason="two men")
    undone, _ = page(client, survivor.pk)
    assert 'id="merge-undo"' not in undone and "Records merged into this one" not in undone
    old, _ = page(client, duplicate.pk)
    assert "This record was merged into" not in old


def test_a_merged_record_links_to_its_survivor(client, sara):
    survivor, duplicate = person(sara, "Masoud"), person(sara, "Massoud")
    services.merge_persons(user=sara, survivor=survivor, merged=duplicate, reason="same")
    client.force_login(sara)
    html, _ = page(client, duplicate.pk)
    assert (
        f'This record was merged into <a href="/en/tracing/persons/{survivor.pk}/">'
        f"{survivor.reference}</a>" in html
    )


def test_a_form_posted_with_errors_shows_them_and_the_others_stay_empty(client, sara):
    survivor = person(sara, "Masoud")
    client.force_login(sara)
    response = client.post(
        f"/en/tracing/persons/{survivor.pk}/merge/", {"duplicate": "P-<b>9</b>", "reason": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="P-&lt;b&gt;9&lt;/b&gt;"' in html and 'class="errorlist"' in html
    assert html.count("csrfmiddlewaretoken") >= 4
    persian = client.get(f"/fa/tracing/persons/{survivor.pk}/").content.decode()
    assert 'dir="rtl"' in persian and 'name="relative"' in persian
