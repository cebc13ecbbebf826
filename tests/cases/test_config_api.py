"""Administrators configure pathways, stages and task templates through the API; the same
services as the settings pages decide, and nobody else may change anything."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.cases.models import Pathway, Stage, TaskTemplate

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def arben(make_user):
    return make_user("arben", "admin")


def test_an_administrator_builds_a_pathway_with_stages_and_templates(arben):
    api = _api(arben)
    pathway = api.post("/api/pathways/", {"name": "Family reunion"}, format="json")
    assert pathway.status_code == 201, pathway.content
    pid = pathway.json()["id"]
    found = api.post("/api/stages/", {"pathway": pid, "name": "Found", "position": 1})
    done = api.post(
        "/api/stages/", {"pathway": pid, "name": "Reunited", "position": 2, "is_final": True}
    )
    assert found.status_code == 201 and done.status_code == 201, done.content
    template = api.post(
        "/api/task-templates/",
        {"stage": found.json()["id"], "title": "Call the family", "due_after_days": 3},
        format="json",
    )
    assert template.status_code == 201, template.content
    assert TaskTemplate.objects.get(pk=template.json()["id"]).stage.name == "Found"
    listed = api.get(f"/api/task-templates/?stage={found.json()['id']}").json()
    assert [t["title"] for t in listed["results"]] == ["Call the family"]
    changed = api.patch(
        f"/api/task-templates/{template.json()['id']}/", {"due_after_days": 5}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["due_after_days"] == 5
    assert Entry.objects.filter(object_type="cases.tasktemplate", action="change").exists()


def test_stages_are_reordered_and_renamed(arben):
    api = _api(arben)
    pathway = Pathway.objects.create(name="Short")
    a = Stage.objects.create(pathway=pathway, name="A", position=1)
    b = Stage.objects.create(pathway=pathway, name="B", position=2)
    response = api.post(f"/api/pathways/{pathway.pk}/reorder/", {"stages": [b.pk, a.pk]})
    assert response.status_code == 200, response.content
    assert [s["name"] for s in response.json()] == ["B", "A"]
    assert list(pathway.stages.order_by("position").values_list("name", flat=True)) == ["B", "A"]
    partial = api.post(f"/api/pathways/{pathway.pk}/reorder/", {"stages": [b.pk]}, format="json")
    assert partial.status_code == 400 and "stages" in partial.json()
    renamed = api.patch(f"/api/stages/{a.pk}/", {"name": "Alpha"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Alpha"


def test_the_rules_of_the_settings_pages_hold_in_the_api(arben, case):
    api = _api(arben)
    default = Pathway.objects.get(is_default=True)
    twin = api.post("/api/stages/", {"pathway": default.pk, "name": "Interviews"}, format="json")
    assert twin.status_code == 400 and "name" in twin.json()
    used = api.delete(f"/api/stages/{case.stage_id}/")
    assert used.status_code == 400 and Stage.objects.filter(pk=case.stage_id).exists()
    second = api.post("/api/pathways/", {"name": "Other", "is_default": True}, format="json")
    assert second.status_code == 201
    assert list(Pathway.objects.filter(is_default=True).values_list("name", flat=True)) == ["Other"]


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "dpo", "analyst"])
def test_other_roles_read_the_configuration_but_may_not_change_it(make_user, role):
    user = make_user(f"u-{role}", role, team="North")
    api = _api(user)
    stage = Stage.objects.filter(pathway__is_default=True).first()
    template = TaskTemplate.objects.first()
    assert api.get("/api/pathways/").status_code == 200
    attempts = [
        api.post("/api/pathways/", {"name": "Mine"}, format="json"),
        api.patch(f"/api/stages/{stage.pk}/", {"name": "Renamed"}, format="json"),
        api.delete(f"/api/stages/{stage.pk}/"),
        api.post("/api/task-templates/", {"stage": stage.pk, "title": "x"}, format="json"),
        api.patch(f"/api/task-templates/{template.pk}/", {"title": "y"}, format="json"),
        api.post(f"/api/pathways/{stage.pathway_id}/reorder/", {"stages": []}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    stage.refresh_from_db()
    assert stage.name != "Renamed" and not Pathway.objects.filter(name="Mine").exists()


def test_the_configuration_endpoints_are_in_the_openapi_schema(arben):
    schema = _api(arben).get("/api/openapi.json").json()
    assert "/api/task-templates/" in schema["paths"]
    assert "post" in schema["paths"]["/api/pathways/{id}/reorder/"]
    assert "post" in schema["paths"]["/api/cases/{id}/reassign/"]
