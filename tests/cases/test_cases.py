from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kinlink.audit.models import Entry
from kinlink.cases import selectors, services
from kinlink.cases.models import Case, Outcome, StageMove, TaskKind
from kinlink.people.services import create_person

pytestmark = pytest.mark.django_db


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))


def test_a_case_opens_in_the_first_stage_with_that_stages_plan(case, sara):
    assert case.reference.startswith("C-")
    assert case.stage.code == "first_contact"
    assert case.caseworker == sara and case.team == sara.team
    assert case.opened_on == date(2025, 1, 6)
    plan = list(case.tasks.order_by("id"))
    assert [t.title for t in plan][:1] == ["Agree a safe way to stay in touch"]
    assert {t.kind for t in plan} == {TaskKind.PLAN}
    assert plan[0].due_on == date(2025, 1, 9)
    assert all(t.owner == sara for t in plan)


def test_a_person_has_at_most_one_open_case(case, sara, person):
    with pytest.raises(ValidationError, match="already has an open case"):
        services.open_case(user=sara, person=person)


def test_every_move_is_dated_attributed_and_explained(case, sara, stage):
    move = services.move_case(
        user=sara,
        case=case,
        to_stage=stage("transit"),
        reason="Reached the transit facility",
        moved_at=date(2025, 2, 1),
    )
    assert (move.from_stage.code, move.to_stage.code) == ("first_contact", "transit")
    assert move.moved_by == sara and move.reason == "Reached the transit facility"
    assert move.moved_at == _at(date(2025, 2, 1))
    case.refresh_from_db()
    assert case.stage.code == "transit" and case.stage_entered_at == move.moved_at
    assert Entry.objects.filter(object_type="cases.stagemove", action="create").exists()


def test_a_move_without_a_reason_is_refused(case, sara, stage):
    with pytest.raises(ValidationError, match="say why"):
        services.move_case(user=sara, case=case, to_stage=stage("transit"), reason="  ")


def test_a_move_cannot_be_dated_before_the_current_stage_began_or_in_the_future(case, sara, stage):
    with pytest.raises(ValidationError, match="before the case entered"):
        services.move_case(
            user=sara, case=case, to_stage=stage("transit"), reason="x", moved_at=date(2024, 12, 1)
        )
    with pytest.raises(ValidationError, match="future"):
        services.move_case(
            user=sara,
            case=case,
            to_stage=stage("transit"),
            reason="x",
            moved_at=timezone.now() + timedelta(days=2),
        )


def test_a_stage_of_another_pathway_is_refused(case, sara):
    from kinlink.cases.models import Pathway, Stage

    other = Pathway.objects.create(name="Other")
    foreign = Stage.objects.create(pathway=other, name="Elsewhere")
    with pytest.raises(ValidationError, match="another pathway"):
        services.move_case(user=sara, case=case, to_stage=foreign, reason="x")


def test_time_in_each_stage_is_known_from_the_moves(case, sara, stage):
    services.move_case(
        user=sara, case=case, to_stage=stage("transit"), reason="a", moved_at=date(2025, 1, 16)
    )
    services.move_case(
        user=sara, case=case, to_stage=stage("interviews"), reason="b", moved_at=date(2025, 3, 1)
    )
    stays = selectors.stage_stays(case)
    now = _at(date(2025, 3, 11))
    assert [(s.stage.code, s.duration(now).days) for s in stays] == [
        ("first_contact", 10),
        ("transit", 44),
        ("interviews", 10),
    ]
    assert stays[-1].is_current


def test_time_in_a_stage_entered_twice_is_summed(case, sara, stage):
    for code, day in [("transit", 11), ("interviews", 21), ("transit", 26), ("interviews", 31)]:
        services.move_case(
            user=sara, case=case, to_stage=stage(code), reason="r", moved_at=date(2025, 1, day)
        )
    days = selectors.days_per_stage(case, now=_at(date(2025, 2, 2)))
    assert days[stage("transit").pk] == 10 + 5
    assert days[stage("interviews").pk] == 5 + 2


def test_entering_a_stage_again_does_not_repeat_its_plan(case, sara, stage):
    services.move_case(user=sara, case=case, to_stage=stage("transit"), reason="a")
    count = case.tasks.count()
    services.move_case(user=sara, case=case, to_stage=stage("first_contact"), reason="back")
    services.move_case(user=sara, case=case, to_stage=stage("transit"), reason="again")
    assert case.tasks.count() == count


def test_a_plan_task_falls_due_counted_from_the_day_the_stage_was_entered(case, sara, stage):
    services.move_case(
        user=sara,
        case=case,
        to_stage=stage("relocated_or_returned"),
        reason="Arrived in Albania",
        moved_at=date(2025, 2, 1),
    )
    permit = case.tasks.get(title="Apply for residence permit")
    assert permit.due_on == date(2025, 2, 15)


def test_closing_needs_an_outcome_and_closes_the_case(case, sara, stage):
    with pytest.raises(ValidationError, match="how the case ended"):
        services.move_case(user=sara, case=case, to_stage=stage("closed"), reason="done")
    services.move_case(
        user=sara,
        case=case,
        to_stage=stage("closed"),
        reason="Settled and working",
        outcome=Outcome.RELOCATED,
    )
    case.refresh_from_db()
    assert case.closed_on == timezone.localdate() and case.outcome == "relocated"
    assert not case.is_open


def test_a_closed_case_reopens_when_moved_back_unless_another_is_open(case, sara, person, stage):
    services.move_case(
        user=sara, case=case, to_stage=stage("closed"), reason="x", outcome="withdrew"
    )
    second = services.open_case(user=sara, person=person)
    with pytest.raises(ValidationError, match="another open case"):
        services.move_case(user=sara, case=case, to_stage=stage("reintegration"), reason="back")
    services.move_case(
        user=sara, case=second, to_stage=stage("closed"), reason="x", outcome="withdrew"
    )
    services.move_case(user=sara, case=case, to_stage=stage("reintegration"), reason="back")
    case.refresh_from_db()
    assert case.closed_on is None


def test_case_references_are_unique_and_sequential(sara):
    people = [create_person(names=[{"given_name": f"N{i}"}], caseworker=sara) for i in range(3)]
    refs = [services.open_case(user=sara, person=p).reference for p in people]
    assert len(set(refs)) == 3 and refs == sorted(refs)
    assert Case.objects.count() == 3 and StageMove.objects.count() == 3


def test_a_supervisor_reassigns_a_case_with_its_open_tasks(case, nadia, make_user):
    rami = make_user("rami", "caseworker", team="North")
    done = services.reassign_case(user=nadia, case=case, caseworker=rami, reason="sara on leave")
    case.refresh_from_db()
    assert case.caseworker == rami
    assert set(case.tasks.values_list("owner__username", flat=True)) == {"rami"}
    assert (done.from_caseworker.username, done.to_caseworker.username) == ("sara", "rami")
    assert done.reason == "sara on leave" and done.tasks_moved == case.tasks.count() > 0


def test_a_case_is_not_reassigned_outside_the_team(case, nadia, omid):
    with pytest.raises(ValidationError, match="your team"):
        services.reassign_case(user=nadia, case=case, caseworker=omid, reason="x")


def test_closing_a_case_cancels_its_open_tasks(case, sara, stage):
    services.move_case(
        user=sara, case=case, to_stage=stage("closed"), reason="x", outcome="settled"
    )
    assert set(case.tasks.values_list("status", flat=True)) == {"cancelled"}
    assert set(case.tasks.values_list("completed_by__username", flat=True)) == {"sara"}


def test_no_task_is_added_or_reopened_on_a_closed_case(case, sara, stage):
    services.move_case(
        user=sara, case=case, to_stage=stage("closed"), reason="x", outcome="settled"
    )
    with pytest.raises(ValidationError, match="closed"):
        services.add_task(user=sara, case=case, title="One more thing")
    with pytest.raises(ValidationError, match="closed"):
        services.set_task_status(user=sara, task=case.tasks.first(), status="open")
