from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from kinlink.audit.models import Entry
from kinlink.cases import services
from kinlink.cases.models import Case, Document, Pathway, Stage, Task, TaskStatus

pytestmark = pytest.mark.django_db


def test_a_caseworker_opens_a_case_for_a_person_in_their_caseload(client, sara, person):
    client.force_login(sara)
    form = client.get(f"/en/cases/new/?person={person.pk}").content.decode()
    assert "Fereshteh Karimi" in form
    response = client.post(
        "/en/cases/new/",
        {
            "person": person.pk,
            "pathway": Pathway.objects.get(is_default=True).pk,
            "opened_on": "2025-01-06",
            "reason": "Escaped to the transit facility",
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.pk}/"


def test_the_caseload_lists_cases_with_names_isolated_for_bidi(client, sara, case):
    client.force_login(sara)
    page = client.get("/en/cases/").content.decode()
    assert case.reference in page and "<bdi>Fereshteh Karimi</bdi>" in page
    assert "First contact" in page


def test_the_caseload_filters_by_stage(client, sara, case, stage):
    client.force_login(sara)
    page = client.get("/en/cases/", {"stage": stage("transit").pk}).content.decode()
    assert case.reference not in page


def test_the_case_page_shows_the_stage_bar_plan_documents_and_referrals(client, sara, case):
    client.force_login(sara)
    page = client.get(f"/en/cases/{case.pk}/").content.decode()
    assert 'aria-current="step" data-stage="first_contact"' in page
    for anchor in ('id="plan"', 'id="documents"', 'id="referrals"', 'id="history"'):
        assert anchor in page
    assert "Agree a safe way to stay in touch" in page


def test_moving_a_case_through_the_form(client, sara, case, stage):
    client.force_login(sara)
    response = client.post(
        f"/en/cases/{case.pk}/move/",
        {"to_stage": stage("transit").pk, "moved_on": "2025-02-01", "reason": "Crossed over"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage.code == "transit"
    page = client.get(f"/en/cases/{case.pk}/").content.decode()
    assert "Crossed over" in page


def test_closing_without_an_outcome_shows_the_rule_on_the_form(client, sara, case, stage):
    client.force_login(sara)
    page = client.post(
        f"/en/cases/{case.pk}/move/",
        {"to_stage": stage("closed").pk, "moved_on": timezone.localdate(), "reason": "done"},
    ).content.decode()
    assert "say how the case ended" in page


def test_a_case_outside_the_caseload_answers_404(client, omid, case):
    client.force_login(omid)
    assert client.get(f"/en/cases/{case.pk}/").status_code == 404
    assert client.get(f"/en/cases/{case.pk}/move/").status_code == 404
    task = case.tasks.first()
    assert client.post(f"/en/cases/tasks/{task.pk}/status/", {"status": "done"}).status_code == 404


def test_the_dpo_reads_a_case_with_the_read_logged_and_cannot_move_it(
    client, make_user, case, verified_client
):
    dana = make_user("dana", "dpo")
    client = verified_client(dana)
    page = client.get(f"/en/cases/{case.pk}/").content.decode()
    assert "Move to another stage" not in page
    assert Entry.objects.filter(action="read", object_type="cases.case", actor_username="dana")
    assert client.get(f"/en/cases/{case.pk}/move/").status_code == 403


def test_analysts_and_administrators_get_no_caseload(client, make_user, verified_client):
    client.force_login(make_user("lina", "analyst"))
    assert client.get("/en/cases/").status_code == 403
    arben = verified_client(make_user("arben", "admin"))
    assert arben.get("/en/cases/").status_code == 403


def test_plan_tasks_are_added_and_ticked_off(client, sara, case):
    client.force_login(sara)
    response = client.post(
        f"/en/cases/{case.pk}/tasks/new/",
        {"title": "Buy a first phone", "due_on": "2025-01-08", "owner": sara.pk},
    )
    assert response.status_code == 302 and response["Location"].endswith("#plan")
    task = Task.objects.get(title="Buy a first phone")
    client.post(f"/en/cases/tasks/{task.pk}/status/", {"status": "done"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == sara


def test_a_document_with_a_scan_is_uploaded_downloaded_and_its_number_revealed(
    client, sara, case, permit_type, media
):
    client.force_login(sara)
    scan = SimpleUploadedFile("permit.pdf", b"%PDF-1.4 permit", content_type="application/pdf")
    expires = timezone.localdate() + timedelta(days=30)
    response = client.post(
        f"/en/cases/{case.pk}/documents/new/",
        {
            "document_type": permit_type.pk,
            "issuing_country": "Albania",
            "number": "AL-778899",
            "issued_on": "2024-01-10",
            "expires_on": expires.isoformat(),
            "scan": scan,
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    page = client.get(f"/en/cases/{case.pk}/").content.decode()
    assert "AL-778899" not in page and "Renew: Residence permit" in page
    download = client.get(f"/en/cases/documents/{document.pk}/scan/")
    assert download.content == b"%PDF-1.4 permit"
    assert download["Content-Disposition"].startswith("attachment")
    shown = client.post(
        f"/en/cases/documents/{document.pk}/number/", {"reason": "renewal form"}
    ).content.decode()
    assert "AL-778899" in shown


def test_a_referral_is_recorded_and_its_outcome_set(client, sara, case):
    client.force_login(sara)
    client.post(
        f"/en/cases/{case.pk}/referrals/new/",
        {"service_type": "housing", "partner": "Durres Housing Office", "status": "sent"},
    )
    referral = case.referrals.get()
    client.post(
        f"/en/cases/referrals/{referral.pk}/",
        {"status": "completed", "outcome": "helped", "notes": "Flat found"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "helped")


def test_the_deadlines_panel_shows_overdue_and_due_this_week(sara, case):
    case.tasks.update(due_on=timezone.localdate() - timedelta(days=1))
    services.add_task(user=sara, case=case, title="Soon", due_on=timezone.localdate())
    request = RequestFactory().get("/en/")
    request.user = sara
    html = Template("{% load cases %}{% deadlines_panel %}").render(
        Context({"request": request, "calendar": "gregorian"})
    )
    assert 'data-deadlines="overdue"' in html and 'data-deadlines="due-soon"' in html
    assert "3 overdue tasks" in html and "<bdi>Fereshteh Karimi</bdi>" in html


def test_the_deadlines_page_lists_documents_about_to_expire(client, sara, case, permit_type):
    services.add_document(
        user=sara,
        case=case,
        document_type=permit_type,
        expires_on=timezone.localdate() + timedelta(days=20),
    )
    client.force_login(sara)
    page = client.get("/en/cases/deadlines/").content.decode()
    assert "Residence permit" in page and "Renew: Residence permit" in page


def test_case_pages_render_right_to_left_in_persian(client, sara, case):
    client.force_login(sara)
    for url in (f"/fa/cases/{case.pk}/", "/fa/cases/", "/fa/cases/deadlines/"):
        response = client.get(url)
        assert response.status_code == 200 and 'dir="rtl"' in response.content.decode()


def test_an_administrator_adds_a_stage_and_a_template_through_the_settings_pages(
    make_user, verified_client
):
    client = verified_client(make_user("arben", "admin"))
    pathway = Pathway.objects.get(is_default=True)
    assert client.get("/en/cases/settings/").status_code == 200
    response = client.post(
        f"/en/cases/settings/pathways/{pathway.pk}/stages/new/",
        {"name": "Family reunited", "code": "reunited", "position": 75},
    )
    assert response.status_code == 302
    stage = Stage.objects.get(code="reunited")
    client.post(
        f"/en/cases/settings/stages/{stage.pk}/templates/new/",
        {"title": "Plan the first visit", "due_after_days": 10, "position": 1, "active": "on"},
    )
    assert stage.task_templates.get().title == "Plan the first visit"


def test_a_duplicate_stage_name_is_shown_as_a_form_error(make_user, verified_client):
    client = verified_client(make_user("arben", "admin"))
    pathway = Pathway.objects.get(is_default=True)
    page = client.post(
        f"/en/cases/settings/pathways/{pathway.pk}/stages/new/",
        {"name": "Interviews", "position": 1},
    ).content.decode()
    assert "already has a stage of that name" in page


def test_caseworkers_cannot_open_the_settings(client, sara):
    client.force_login(sara)
    assert client.get("/en/cases/settings/").status_code == 403


def test_the_open_case_form_offers_only_persons_without_an_open_case(client, sara, case):
    from kinlink.people.services import create_person

    other = create_person(names=[{"given_name": "Parvin"}], caseworker=sara)
    client.force_login(sara)
    page = client.get("/en/cases/new/").content.decode()
    assert other.reference in page and case.person.reference not in page


def test_a_move_form_backdated_before_the_current_stage_is_refused(client, sara, case, stage):
    client.force_login(sara)
    page = client.post(
        f"/en/cases/{case.pk}/move/",
        {"to_stage": stage("transit").pk, "moved_on": date(2024, 1, 1), "reason": "x"},
    ).content.decode()
    assert "before the case entered" in page


def test_the_caseload_search_counts_each_overdue_task_once_when_several_names_match(client, sara):
    from kinlink.people.services import create_person

    person = create_person(
        names=[
            {"given_name": "Maryam", "family_name": "Karimi"},
            {"given_name": "Maryam", "family_name": "Karimy", "kind": "spelling"},
        ],
        caseworker=sara,
    )
    case = services.open_case(user=sara, person=person, opened_on=date(2025, 1, 6))
    client.force_login(sara)
    page = client.get("/en/cases/", {"q": "Karim"}).content.decode()
    assert page.count(case.reference) == 1
    assert '<span class="badge overdue">3</span>' in page


def test_the_deadlines_panel_is_empty_for_roles_without_a_caseload(make_user):
    request = RequestFactory().get("/en/")
    request.user = make_user("lina", "analyst")
    html = Template("{% load cases %}{% deadlines_panel %}").render(Context({"request": request}))
    assert html.strip() == ""


def test_the_deadlines_panel_reads_a_fixed_number_of_queries_however_long_the_lists(
    sara, case, permit_type, django_assert_max_num_queries
):
    for i in range(12):
        services.add_task(
            user=sara, case=case, title=f"T{i}", due_on=timezone.localdate() - timedelta(days=i)
        )
    services.add_document(
        user=sara,
        case=case,
        document_type=permit_type,
        expires_on=timezone.localdate() + timedelta(days=3),
    )
    request = RequestFactory().get("/en/")
    request.user = sara
    with django_assert_max_num_queries(4):
        html = Template("{% load cases %}{% deadlines_panel %}").render(
            Context({"request": request, "calendar": "gregorian"})
        )
    assert "Renew: Residence permit" in html and html.count('<li class="deadline') == 16
