"""Who may see, record and read testimonies: caseworkers their own, supervisors their team's,
data-protection officers all; administrators and analysts none."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Action, Entry
from kinlink.people.services import create_person
from kinlink.testimony import selectors, services


def test_each_role_sees_exactly_the_testimonies_it_should(record, staff):
    testimony = record()
    expected = {
        "caseworker": True,
        "other_caseworker": False,
        "south_caseworker": False,
        "supervisor": True,
        "south_supervisor": False,
        "dpo": True,
        "admin": False,
        "analyst": False,
    }
    seen = {
        role: selectors.testimonies_visible_to(user).filter(pk=testimony.pk).exists()
        for role, user in staff.items()
    }
    assert seen == expected


def test_a_caseworker_cannot_record_a_testimony_for_someone_outside_their_caseload(record, staff):
    stranger = create_person(names=[{"given_name": "Leila"}], caseworker=staff["south_caseworker"])
    with pytest.raises(PermissionDenied):
        record(person=stranger)


@pytest.mark.parametrize("role", ["dpo", "admin", "analyst"])
def test_roles_without_a_caseload_do_not_record_testimonies(record, staff, role):
    with pytest.raises(PermissionDenied):
        record(user=staff[role])


def test_reading_an_account_needs_access_and_a_reason_and_is_audited(record, staff):
    testimony = record(account="Masoud was beaten.")
    with pytest.raises(PermissionDenied):
        services.reveal_account(user=staff["south_caseworker"], testimony=testimony, reason="x")
    with pytest.raises(ValidationError):
        services.reveal_account(user=staff["dpo"], testimony=testimony, reason=" ")
    text = services.reveal_account(user=staff["dpo"], testimony=testimony, reason="complaint 17")
    assert text == "Masoud was beaten."
    entry = Entry.objects.filter(action=Action.READ, object_type="testimony.testimony").latest(
        "seq"
    )
    assert entry.detail == {"reason": "complaint 17"}


def test_the_account_is_never_shown_by_printing_the_record(record):
    testimony = record(account="Masoud was beaten.")
    testimony.refresh_from_db()
    assert str(testimony.account) == "•••"


def test_pages_answer_404_outside_the_caseload(record, staff, client):
    testimony = record()
    client.force_login(staff["south_caseworker"])
    assert client.get(f"/en/testimony/{testimony.pk}/").status_code == 404
    assert client.post(f"/en/testimony/{testimony.pk}/reveal/", {"reason": "x"}).status_code == 404
    assert client.get(f"/api/testimonies/{testimony.pk}/").status_code == 404


def test_an_analyst_sees_only_anonymised_figures(record, staff, client):
    record()
    client.force_login(staff["analyst"])
    assert "T-000001" not in client.get("/en/testimony/").content.decode()
    assert client.get("/en/testimony/figures/").status_code == 200
    assert client.get("/api/testimonies/").json()["count"] == 0
    assert client.get("/en/testimony/new/").status_code == 403
    assert client.get("/en/testimony/exports/").status_code == 403


def test_figures_count_only_anonymisable_testimonies_and_hide_small_cells(
    record, staff, event_types, liberty
):
    from kinlink.testimony.selectors import event_figures

    def testimony_with(event_type: str, uses):
        services.add_event(
            user=staff["caseworker"],
            testimony=record(uses=uses),
            event_type=event_types[event_type],
            place=liberty,
        )

    for _ in range(5):
        testimony_with("beating", ["anonymised"])
    testimony_with("escape", ["named_report"])
    testimony_with("beating", ["internal"])  # not for reports: not counted
    figures = event_figures()
    assert {(c.key, c.shown) for c in figures["by_type"]} == {("beating", "5"), ("escape", "<5")}
    assert [(c.key, c.shown) for c in figures["by_place"]] == [("Camp Liberty", "6")]
