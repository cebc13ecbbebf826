"""Notifications on the home page and the enquiry list: one line per enquiry and kind with a
count, not one identical line per person registered later; opening the line marks all of
them read (the enquiry shows them all), and only the caller's own."""

from __future__ import annotations

import pytest

from kinlink.people.services import create_person
from kinlink.tracing import services
from kinlink.tracing.models import Notification, NotificationKind
from kinlink.tracing.selectors import unread_notification_groups

pytestmark = pytest.mark.django_db


def _later(staff, given: str, family: str, father: str = "Ali"):
    return create_person(
        names=[{"given_name": given, "family_name": family, "father_name": father}],
        birth="1966",
        caseworker=staff["other_caseworker"],
    )


@pytest.fixture
def two_later(enquiry, staff):
    """Two persons registered after the enquiry, both candidates for it."""
    _later(staff, "Masoud", "Hoseini")
    _later(staff, "Masood", "Hosseini")
    notes = Notification.objects.filter(user=staff["caseworker"], enquiry=enquiry)
    assert notes.filter(kind=NotificationKind.NEW_CANDIDATE).count() == 2
    return enquiry


@pytest.fixture
def second_enquiry(sara):
    return services.create_enquiry(
        user=sara,
        relationship="parent",
        new_enquirer={"names": [{"given_name": "Zahra", "family_name": "Rahimi"}]},
        sought={"given_name": "Behrouz", "family_name": "Rahimi", "birth": "1980"},
    )


def test_the_groups_count_each_enquiry_and_kind_newest_first(two_later, second_enquiry, sara):
    Notification.objects.create(
        user=sara, kind=NotificationKind.MESSAGE_TO_REVIEW, enquiry=second_enquiry
    )
    groups = unread_notification_groups(sara, 8)

    assert [(g["reference"], g["kind"], g["count"]) for g in groups] == [
        (second_enquiry.reference, "message_to_review", 1),
        (two_later.reference, "new_candidate", 2),
    ]
    newest = Notification.objects.filter(enquiry=two_later).latest("created_at", "id")
    assert groups[1]["latest"] == newest.created_at and groups[1]["pk"] == newest.pk


@pytest.mark.parametrize("path", ["/en/", "/en/tracing/"])
def test_a_page_shows_one_line_with_the_count(client, two_later, sara, path):
    client.force_login(sara)
    page = client.get(path).content.decode()

    line = f"2 persons registered later may be the one sought in {two_later.reference}."
    assert page.count(line) == 1
    assert "A person registered later" not in page
    assert page.count('class="secondary">Open</button>') == 1


def test_one_person_registered_later_reads_in_the_singular(client, enquiry, sara, staff):
    _later(staff, "Masoud", "Hoseini")
    client.force_login(sara)
    page = client.get("/en/").content.decode()
    assert f"A person registered later may be the one sought in {enquiry.reference}." in page


def test_the_count_is_translated_with_the_language_plural_rules(client, two_later, sara):
    client.force_login(sara)
    persian = client.get("/fa/").content.decode()
    arabic = client.get("/ar/").content.decode()
    albanian = client.get("/sq/").content.decode()

    assert "فرد که بعداً ثبت شده‌اند ممکن است" in persian
    assert "قد يكون أحد شخصين سُجّلا لاحقًا" in arabic  # the dual form
    assert "Një nga 2 personat e regjistruar më vonë" in albanian


def test_opening_a_line_marks_its_group_read_and_nothing_else(
    client, two_later, second_enquiry, sara, staff
):
    other = Notification.objects.create(
        user=sara, kind=NotificationKind.MESSAGE_TO_REVIEW, enquiry=two_later
    )
    elsewhere = Notification.objects.create(
        user=sara, kind=NotificationKind.NEW_CANDIDATE, enquiry=second_enquiry
    )
    nadias = Notification.objects.create(
        user=staff["supervisor"], kind=NotificationKind.NEW_CANDIDATE, enquiry=two_later
    )
    groups = unread_notification_groups(sara, 8)
    group = next(g for g in groups if g["reference"] == two_later.reference and g["count"] == 2)
    client.force_login(sara)

    response = client.post(f"/en/tracing/notifications/{group['pk']}/read/")

    assert response.status_code == 302 and response.url.endswith(f"/tracing/{two_later.pk}/")
    unread = Notification.objects.filter(read_at=None)
    assert not unread.filter(user=sara, enquiry=two_later, kind="new_candidate").exists()
    assert set(unread) == {other, elsewhere, nadias}


def test_a_line_of_someone_else_cannot_be_opened(client, two_later, sara, staff):
    nadias = Notification.objects.create(
        user=staff["supervisor"], kind=NotificationKind.NEW_CANDIDATE, enquiry=two_later
    )
    client.force_login(sara)
    assert client.post(f"/en/tracing/notifications/{nadias.pk}/read/").status_code == 404
    nadias.refresh_from_db()
    assert nadias.read_at is None
    with pytest.raises(services.PermissionDenied):
        services.mark_notification_group_read(user=sara, notification=nadias)


def test_a_long_shot_registered_later_is_listed_but_not_notified(enquiry, sara, staff):
    weak = _later(staff, "Leila", "Hosseini", "Reza")  # another given name and father
    candidate = enquiry.candidates.get(person=weak)

    assert candidate.found_later
    assert not Notification.objects.filter(user=sara, candidate=candidate).exists()


def test_how_strong_a_pair_must_be_to_notify_is_a_setting(settings, enquiry, sara, staff):
    settings.TRACING_NOTIFY_MIN_SCORE = 0.0
    weak = _later(staff, "Leila", "Hosseini", "Reza")
    assert Notification.objects.filter(user=sara, candidate__person=weak).exists()


def test_the_pair_decides_not_the_score_a_better_candidate_takes(two_later, sara):
    """The sought person registered twice: the earlier record holds most of the score, yet
    the caseworker hears of the later one (it may be the one, if the first is turned down)."""
    notes = Notification.objects.filter(user=sara, enquiry=two_later).select_related("candidate")
    assert len(notes) == 2
    assert all(note.candidate.score < services.notify_min_score() for note in notes)


def test_an_enquiry_whose_search_has_not_started_waits_for_it(sara, staff):
    waiting = services.create_enquiry(
        user=sara,
        relationship="parent",
        new_enquirer={"names": [{"given_name": "Zahra", "family_name": "Karimi"}]},
        sought={"given_name": "Behrouz", "family_name": "Karimi", "father_name": "Hassan"},
        search=False,
    )
    person = _later(staff, "Behrouz", "Karimi", "Hassan")
    assert not waiting.candidates.exists() and not Notification.objects.exists()

    services.start_search(user=sara, enquiry=waiting)
    candidate = waiting.candidates.get(person=person)
    assert not candidate.found_later  # it was there when the search began


def test_a_reviewed_message_leaves_no_notice_to_review_it(found, sara, staff, make_user):
    nadia = staff["supervisor"]
    other = make_user("soraya", "supervisor", team="North")  # a second reviewer of the team
    first = services.write_message(user=sara, enquiry=found, direction="to_sought", text="Hi")
    services.write_message(user=sara, enquiry=found, direction="to_sought", text="Salam")

    def waiting(user):
        return [(g["kind"], g["count"]) for g in unread_notification_groups(user, 8)]

    assert waiting(nadia) == waiting(other) == [("message_to_review", 2)]
    services.review_message(user=nadia, message=first, approve=True)
    assert waiting(nadia) == waiting(other) == [("message_to_review", 1)]

    second = found.messages.get(text="Salam")
    services.review_message(user=other, message=second, approve=False, note="shorter")
    assert waiting(nadia) == waiting(other) == []


def test_a_closed_enquiry_shows_no_notices_until_it_is_reopened(two_later, sara):
    assert [g["count"] for g in unread_notification_groups(sara, 8)] == [2]
    services.close_enquiry(user=sara, enquiry=two_later, outcome="not_found")
    assert unread_notification_groups(sara, 8) == []
    services.reopen_enquiry(user=sara, enquiry=two_later, note="new lead from the family")
    assert [g["count"] for g in unread_notification_groups(sara, 8)] == [2]
