import pytest
from django.core.exceptions import PermissionDenied

from kinlink.audit.models import Entry
from kinlink.cases import selectors, services
from kinlink.people.services import create_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_case(omid):
    person = create_person(names=[{"given_name": "Masoud"}], caseworker=omid)
    return services.open_case(user=omid, person=person)


def _visible(user) -> set[str]:
    return set(selectors.cases_visible_to(user).values_list("reference", flat=True))


def test_a_caseworker_sees_only_their_own_cases(sara, omid, case, south_case):
    assert _visible(sara) == {case.reference}
    assert _visible(omid) == {south_case.reference}


def test_a_supervisor_sees_the_cases_of_their_team(nadia, case, south_case, make_user):
    rami = make_user("rami", "caseworker", team="North")
    other = services.open_case(
        user=rami, person=create_person(names=[{"given_name": "Reza"}], caseworker=rami)
    )
    assert _visible(nadia) == {case.reference, other.reference}


def test_the_data_protection_officer_sees_all_and_each_read_outside_a_caseload_is_logged(
    make_user, case, south_case
):
    dana = make_user("dana", "dpo")
    assert _visible(dana) == {case.reference, south_case.reference}
    services.note_case_read(dana, case)
    assert Entry.objects.filter(action="read", object_type="cases.case").count() == 1


def test_administrators_and_analysts_see_no_case(make_user, case):
    assert _visible(make_user("arben", "admin")) == set()
    assert _visible(make_user("lina", "analyst")) == set()


def test_nobody_changes_a_case_outside_their_caseload(omid, case, stage, make_user):
    with pytest.raises(PermissionDenied):
        services.move_case(user=omid, case=case, to_stage=stage("transit"), reason="x")
    with pytest.raises(PermissionDenied):
        services.add_task(user=omid, case=case, title="x")


def test_the_data_protection_officer_reads_cases_but_does_not_work_on_them(make_user, case, stage):
    dana = make_user("dana", "dpo")
    with pytest.raises(PermissionDenied):
        services.move_case(user=dana, case=case, to_stage=stage("transit"), reason="x")


def test_a_case_is_opened_only_for_a_person_in_ones_caseload(omid, person):
    with pytest.raises(PermissionDenied):
        services.open_case(user=omid, person=person)


def test_the_supervisor_works_on_their_teams_cases(nadia, case, stage):
    move = services.move_case(user=nadia, case=case, to_stage=stage("transit"), reason="ok")
    assert move.moved_by == nadia
