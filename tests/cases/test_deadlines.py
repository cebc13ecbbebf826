from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext, ngettext

from kinlink.cases import selectors, services
from kinlink.cases.models import Document, Reminder, Task, TaskKind, TaskStatus
from kinlink.web.dates import format_date

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 10)


@pytest.fixture
def with_email(sara, nadia):
    for user in (sara, nadia):
        user.email = f"{user.username}@example.org"
        user.save()


@pytest.fixture
def tasks(case, sara):
    """One overdue, one due in three days, one next month; the plan's own tasks are done."""
    case.tasks.update(status=TaskStatus.DONE)
    return {
        "overdue": services.add_task(
            user=sara, case=case, title="Call the lawyer", due_on=TODAY - timedelta(days=2)
        ),
        "soon": services.add_task(
            user=sara, case=case, title="Book the interview", due_on=TODAY + timedelta(days=3)
        ),
        "later": services.add_task(
            user=sara, case=case, title="Check housing", due_on=TODAY + timedelta(days=30)
        ),
    }


def _reminders() -> set[tuple[str, str, str]]:
    return set(Reminder.objects.values_list("task__title", "recipient__username", "kind"))


def test_the_job_reminds_the_owner_and_the_teams_supervisor_of_overdue_tasks(tasks, nadia):
    report = services.run_daily_reminders(TODAY)
    assert _reminders() == {
        ("Call the lawyer", "sara", "overdue"),
        ("Call the lawyer", "nadia", "overdue"),
        ("Book the interview", "sara", "due_soon"),
    }
    assert report.reminders_created == 3


def test_running_the_job_twice_the_same_day_creates_and_sends_nothing_new(
    tasks, nadia, with_email, mailoutbox
):
    first = services.run_daily_reminders(TODAY)
    second = services.run_daily_reminders(TODAY)
    assert first.emails_sent == 2 and len(mailoutbox) == 2
    assert (second.reminders_created, second.emails_sent, second.renewal_tasks_created) == (
        0,
        0,
        0,
    )
    assert Reminder.objects.count() == 3 and len(mailoutbox) == 2


def test_a_task_becoming_overdue_on_a_later_day_brings_a_new_reminder(tasks):
    services.run_daily_reminders(TODAY)
    later = services.run_daily_reminders(TODAY + timedelta(days=4))
    assert ("Book the interview", "sara", "overdue") in _reminders()
    assert later.reminders_created == 1  # the owner only: no supervisor in this team yet


def test_the_email_names_cases_and_dates_but_no_person_and_no_typed_title(
    tasks, sara, with_email, mailoutbox
):
    services.run_daily_reminders(TODAY)
    mail = next(m for m in mailoutbox if m.to == ["sara@example.org"])
    assert "1 overdue, 1 due within 7 days" in mail.subject
    assert tasks["overdue"].case.reference in mail.body
    assert "2025-03-08" in mail.body
    assert "Karimi" not in mail.body and "Fereshteh" not in mail.body
    assert "Call the lawyer" not in mail.body and "a task added by hand" in mail.body


def test_without_mail_configured_reminders_wait_and_go_out_once_mail_works(
    tasks, sara, with_email, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    assert services.run_daily_reminders(TODAY).emails_sent == 0
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.run_daily_reminders(TODAY).emails_sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["nadia@example.org", "sara@example.org"]


def test_users_without_an_email_address_get_reminders_on_their_page_only(tasks, mailoutbox):
    report = services.run_daily_reminders(TODAY)
    assert report.reminders_created == 2 and report.emails_sent == 0 and mailoutbox == []


def test_closed_cases_and_finished_tasks_bring_no_reminders(tasks, case, sara, stage):
    services.set_task_status(user=sara, task=tasks["soon"], status=TaskStatus.DONE)
    services.move_case(
        user=sara, case=case, to_stage=stage("closed"), reason="x", outcome="returned"
    )
    assert services.run_daily_reminders(TODAY).reminders_created == 0


def test_the_job_creates_the_renewal_task_a_document_is_missing(case, permit_type):
    # A document written without the services (an import), so it has no renewal task yet.
    document = Document.objects.create(
        case=case, document_type=permit_type, expires_on=TODAY + timedelta(days=40)
    )
    report = services.run_daily_reminders(TODAY)
    task = Task.objects.get(document=document, kind=TaskKind.RENEWAL)
    assert report.renewal_tasks_created == 1 and task.due_on == TODAY
    assert ("Renew Residence permit", "sara", "due_soon") in _reminders()
    assert services.run_daily_reminders(TODAY).renewal_tasks_created == 0


def test_the_management_command_runs_the_job_for_a_given_day(tasks):
    out = StringIO()
    call_command("cases_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert out.getvalue().startswith("2025-03-10: 0 renewal tasks, 2 reminders")


def test_the_caseworker_sees_what_is_overdue_and_due_this_week(tasks, sara):
    deadlines = selectors.deadlines_for(sara, TODAY)
    assert [t.title for t in deadlines.overdue] == ["Call the lawyer"]
    assert [t.title for t in deadlines.due_soon] == ["Book the interview"]
    assert deadlines.team_overdue == [] and not deadlines.shows_team


def test_the_supervisor_sees_every_overdue_task_of_the_team(tasks, nadia, omid):
    from kinlink.people.services import create_person

    south = services.open_case(
        user=omid, person=create_person(names=[{"given_name": "Ali"}], caseworker=omid)
    )
    services.add_task(user=omid, case=south, title="Elsewhere", due_on=TODAY - timedelta(days=1))
    deadlines = selectors.deadlines_for(nadia, TODAY)
    assert deadlines.shows_team
    assert {t.title for t in deadlines.team_overdue} == {"Call the lawyer"} | {
        t.title for t in tasks["overdue"].case.tasks.filter(due_on__lt=TODAY, status="open")
    }
    assert "Elsewhere" not in {t.title for t in deadlines.team_overdue}


def test_analysts_and_administrators_have_no_deadlines(make_user, tasks):
    for role in ("analyst", "admin"):
        assert selectors.deadlines_for(make_user(f"x-{role}", role), TODAY).is_empty


def test_a_long_reminder_email_lists_fifty_tasks_and_counts_the_rest(
    case, sara, with_email, mailoutbox
):
    case.tasks.update(status=TaskStatus.DONE)
    for i in range(55):
        services.add_task(user=sara, case=case, title=f"T{i}", due_on=TODAY - timedelta(days=1))
    services.run_daily_reminders(TODAY)
    body = next(m for m in mailoutbox if m.to == ["sara@example.org"]).body
    assert body.count(f"- {case.reference}:") == 50 and "- and 5 more" in body
    assert not Reminder.objects.filter(recipient=sara, emailed_at__isnull=True).exists()


# The email in the recipient's language ---------------------------------------------------


def _mail_to(mailoutbox, user):
    return next(m for m in mailoutbox if m.to == [user.email])


def _in(language: str, singular: str, plural: str, count: int) -> str:
    with translation.override(language):
        return ngettext(singular, plural, count) % {"counter": count}


OVERDUE_HEADING = ("%(counter)s overdue task", "%(counter)s overdue tasks")


@pytest.mark.parametrize("language", ["fa", "sq"])
def test_the_reminder_email_is_written_in_the_recipients_language(
    tasks, sara, with_email, mailoutbox, settings, language
):
    settings.KINLINK_BASE_URL = "https://kinlink.example.org"
    sara.language = language
    sara.save()
    services.run_daily_reminders(TODAY)
    mail = _mail_to(mailoutbox, sara)
    heading = _in(language, *OVERDUE_HEADING, 1)
    assert heading != _in("en", *OVERDUE_HEADING, 1)  # a translated heading, not English
    assert heading in mail.body and _in("en", *OVERDUE_HEADING, 1) not in mail.body
    with translation.override(language):
        assert gettext("due on") in mail.body
    assert f"https://kinlink.example.org/{language}/cases/deadlines/" in mail.body
    assert mail.extra_headers["Content-Language"] == language
    assert translation.get_language() == "en"  # the job leaves the active language alone


def test_a_persian_reminder_email_shows_dates_in_the_recipients_calendar_and_digits(
    tasks, sara, with_email, mailoutbox
):
    sara.language, sara.calendar = "fa", "solar_hijri"
    sara.save()
    services.run_daily_reminders(TODAY)
    mail = _mail_to(mailoutbox, sara)
    overdue_on = TODAY - timedelta(days=2)
    assert format_date(overdue_on, "solar_hijri", "fa") in mail.body  # ۱۴۰۳/۱۲/۱۸
    assert overdue_on.isoformat() not in mail.body
    assert "۱" in mail.subject and "1" not in mail.subject


def test_a_reminder_email_without_a_language_preference_is_in_english(
    tasks, nadia, with_email, mailoutbox
):
    nadia.language = ""
    nadia.save()
    services.run_daily_reminders(TODAY)
    mail = _mail_to(mailoutbox, nadia)
    assert mail.subject == "kinlink: 1 overdue, 0 due within 7 days"
    assert mail.extra_headers["Content-Language"] == "en"


def test_long_deadline_lists_show_the_first_tasks_and_count_them_all(
    case, sara, monkeypatch, django_assert_max_num_queries
):
    case.tasks.update(status=TaskStatus.DONE)
    monkeypatch.setattr(selectors, "DEADLINE_LIST_LIMIT", 3)
    overdue = [
        services.add_task(user=sara, case=case, title=f"O{i}", due_on=TODAY - timedelta(days=i))
        for i in range(1, 6)
    ]
    for i in range(4):
        services.add_task(user=sara, case=case, title=f"S{i}", due_on=TODAY + timedelta(days=i))
    services.add_task(user=sara, case=case, title="Later", due_on=TODAY + timedelta(days=7))

    deadlines = selectors.deadlines_for(sara, TODAY)
    assert [t.title for t in deadlines.overdue] == ["O5", "O4", "O3"]
    assert [t.title for t in deadlines.due_soon] == ["S0", "S1", "S2"]
    assert (deadlines.overdue_count, deadlines.due_soon_count) == (5, 4)

    Task.objects.filter(pk__in=[overdue[3].pk, overdue[4].pk]).update(status=TaskStatus.DONE)
    with django_assert_max_num_queries(3):  # the counts, one list and its persons' names
        deadlines = selectors.deadlines_for(sara, TODAY)
    assert [t.title for t in deadlines.overdue] == ["O3", "O2", "O1"]
    assert [t.title for t in deadlines.due_soon] == ["S0", "S1", "S2"]
    assert (deadlines.overdue_count, deadlines.due_soon_count) == (3, 4)

    Task.objects.filter(owner=sara).update(status=TaskStatus.DONE)
    with django_assert_max_num_queries(1):
        assert selectors.deadlines_for(sara, TODAY).is_empty


def test_a_supervisor_counts_their_own_and_their_teams_tasks_in_one_query(
    case, sara, nadia, omid, django_assert_max_num_queries
):
    from kinlink.people.services import create_person

    case.tasks.update(status=TaskStatus.DONE)
    for i in range(1, 4):
        services.add_task(user=sara, case=case, title=f"O{i}", due_on=TODAY - timedelta(days=i))
    services.add_task(user=sara, case=case, title="Soon", due_on=TODAY + timedelta(days=2))
    own = services.add_task(user=sara, case=case, title="Mine", due_on=TODAY - timedelta(days=1))
    Task.objects.filter(pk=own.pk).update(owner=nadia)
    south = services.open_case(
        user=omid, person=create_person(names=[{"given_name": "Ali"}], caseworker=omid)
    )
    south.tasks.update(status=TaskStatus.DONE)
    services.add_task(user=omid, case=south, title="South", due_on=TODAY - timedelta(days=1))

    deadlines = selectors.deadlines_for(nadia, TODAY)
    assert (deadlines.overdue_count, deadlines.due_soon_count) == (1, 0)
    assert [t.title for t in deadlines.overdue] == ["Mine"]
    assert deadlines.team_overdue_count == 3
    assert [t.title for t in deadlines.team_overdue] == ["O3", "O2", "O1"]

    Task.objects.exclude(owner=omid).update(status=TaskStatus.DONE)
    with django_assert_max_num_queries(1):
        deadlines = selectors.deadlines_for(nadia, TODAY)
    assert deadlines.is_empty and deadlines.shows_team and deadlines.team_overdue == []
