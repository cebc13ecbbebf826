"""The person page's relationships: both directions in one query, in the order they were
always listed (rows naming the person first, then rows naming them as the relative)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinlink.people import services
from kinlink.people.selectors import relationships_of, versions_of

pytestmark = pytest.mark.django_db


def _person(user, given):
    return services.register_person(
        user=user, names=[{"given_name": given, "family_name": "Hosseini"}]
    )


def test_relationships_both_ways_in_one_query_and_in_order(make_user, client):
    sara = make_user("sara", "caseworker", team="North")
    me, mother, son, sister, wife = (
        _person(sara, given) for given in ("Ali", "Parvin", "Reza", "Mina", "Leila")
    )
    services.add_relationship(user=sara, person=mother, kind="parent", relative=me)
    services.add_relationship(user=sara, person=me, kind="parent", relative=son)
    services.add_relationship(user=sara, person=sister, kind="sibling", relative=me)
    services.add_relationship(user=sara, person=me, kind="spouse", relative=wife, note="2001")
    with CaptureQueriesContext(connection) as queries:
        rows = [(kind, other.reference, row.note) for kind, other, row in relationships_of(me)]
    assert len(queries) == 1
    assert rows == [
        ("child", son.reference, ""),
        ("spouse", wife.reference, "2001"),
        ("parent", mother.reference, ""),
        ("sibling", sister.reference, ""),
    ]
    assert relationships_of(_person(sara, "Nobody")) == []
    client.force_login(sara)
    html = client.get(f"/en/tracing/persons/{me.pk}/").content.decode()
    assert f'Child: <a href="/en/tracing/persons/{son.pk}/">{son.reference}</a>' in html
    spouse = f'<a href="/en/tracing/persons/{wife.pk}/">{wife.reference}</a> · <bdi>2001</bdi>'
    assert f"Spouse: {spouse}" in html


def test_the_history_is_read_without_snapshots_and_shows_who_edited(make_user, client):
    sara = make_user("sara", "caseworker", team="North")
    me = _person(sara, "Ali")
    services.update_person(user=sara, person=me, changes={"birth_place": "Tehran"})
    versions = list(versions_of(me))
    assert [v.action for v in versions] == ["edit", "create"]
    assert all("snapshot" in v.get_deferred_fields() for v in versions)
    assert "password" in versions[0].by.get_deferred_fields()
    assert versions[0].snapshot["birth_place"] == "Tehran"  # read when asked for
    client.force_login(sara)
    html = client.get(f"/en/tracing/persons/{me.pk}/").content.decode()
    history = html[html.index("<tbody>", html.index("History")) :]
    assert f"<td>{sara.display_name}</td>" in history and "<td>birth_place</td>" in history
