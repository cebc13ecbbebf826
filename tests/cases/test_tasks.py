from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kinlink.cases import services
from kinlink.cases.models import TaskKind, TaskStatus

pytestmark = pytest.mark.django_db


def test_a_free_task_belongs_to_the_caseworker_unless_given_an_owner(case, sara, nadia):
    task = services.add_task(user=nadia, case=case, title="Buy a phone", due_on=date(2025, 2, 1))
    assert task.kind == TaskKind.FREE and task.owner == sara and task.status == TaskStatus.OPEN
    other = services.add_task(user=sara, case=case, title="Check in", owner=nadia)
    assert other.owner == nadia


def test_a_task_owner_must_work_on_the_case_or_in_its_team(case, sara, omid):
    with pytest.raises(ValidationError, match="owner"):
        services.add_task(user=sara, case=case, title="x", owner=omid)


def test_a_task_needs_a_title(case, sara):
    with pytest.raises(ValidationError, match="title"):
        services.add_task(user=sara, case=case, title=" ")


def test_finishing_a_task_records_who_and_when_and_reopening_clears_it(case, sara):
    task = case.tasks.first()
    services.set_task_status(user=sara, task=task, status=TaskStatus.DONE)
    assert task.completed_by == sara and task.completed_at is not None
    services.set_task_status(user=sara, task=task, status=TaskStatus.OPEN)
    assert task.completed_by is None and task.completed_at is None


def test_a_task_is_rescheduled_and_given_to_a_colleague(case, sara, nadia):
    task = case.tasks.first()
    services.update_task(user=sara, task=task, due_on=date(2025, 3, 1), owner=nadia, notes="n")
    task.refresh_from_db()
    assert (task.due_on, task.owner, task.notes) == (date(2025, 3, 1), nadia, "n")
