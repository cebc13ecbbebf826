import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kinlink.cases import services
from kinlink.cases.models import DocumentType, Pathway, Stage, TaskTemplate

pytestmark = pytest.mark.django_db


def test_the_default_pathway_ships_the_stages_of_leaving_and_starting_again():
    pathway = Pathway.objects.get(is_default=True)
    assert [s.name for s in pathway.stages.order_by("position")] == [
        "First contact",
        "Leaving / exit in progress",
        "In transit",
        "Interviews",
        "Awaiting relocation",
        "Relocated to a third country / returned home",
        "Reintegration",
        "Closed",
    ]
    assert [s.code for s in pathway.stages.filter(is_final=True)] == ["closed"]


def test_stages_come_with_plan_templates_and_documents_with_types():
    titles = set(TaskTemplate.objects.values_list("title", flat=True))
    assert {"Apply for residence permit", "Register with health service"} <= titles
    assert "First call to family, if the person wishes" in titles
    assert DocumentType.objects.filter(code="residence_permit").exists()


def test_an_administrator_defines_a_new_pathway_with_stages_and_templates(make_user):
    arben = make_user("arben", "admin")
    pathway = services.save_pathway(user=arben, pathway=Pathway(name="Family reunion"))
    first = services.save_stage(user=arben, stage=Stage(pathway=pathway, name="Found", position=1))
    services.save_stage(
        user=arben, stage=Stage(pathway=pathway, name="Done", position=2, is_final=True)
    )
    services.save_task_template(
        user=arben, template=TaskTemplate(stage=first, title="Ask for consent", due_after_days=2)
    )
    assert list(pathway.stages.values_list("name", flat=True)) == ["Found", "Done"]
    assert first.task_templates.get().due_after_days == 2


def test_making_a_pathway_the_default_unmarks_the_previous_one(make_user):
    arben = make_user("arben", "admin")
    services.save_pathway(user=arben, pathway=Pathway(name="Short", is_default=True))
    assert list(Pathway.objects.filter(is_default=True).values_list("name", flat=True)) == ["Short"]


def test_only_administrators_configure_pathways(make_user):
    for role in ("caseworker", "supervisor", "dpo", "analyst"):
        user = make_user(f"u-{role}", role)
        with pytest.raises(PermissionDenied):
            services.save_pathway(user=user, pathway=Pathway(name=f"By {role}"))


def test_a_stage_that_cases_have_been_in_cannot_be_deleted(make_user, case, stage):
    arben = make_user("arben", "admin")
    with pytest.raises(ValidationError):
        services.delete_stage(user=arben, stage=stage("first_contact"))
    services.delete_stage(user=arben, stage=stage("interviews"))
    assert not Stage.objects.filter(code="interviews").exists()


def test_shipped_names_have_a_label_in_the_page_language_and_typed_names_stay_as_typed():
    stage = Stage(name="A stage nobody translated")
    with translation.override("fa"):
        assert stage.label == "A stage nobody translated"
