"""Fixtures for cases: a team with a caseworker and a supervisor, a person, a case."""

from __future__ import annotations

from datetime import date

import pytest

from kinlink.cases import services
from kinlink.cases.models import Case, DocumentType, Stage
from kinlink.people.services import create_person


@pytest.fixture
def sara(make_user):
    return make_user("sara", "caseworker", team="North")


@pytest.fixture
def nadia(make_user):
    return make_user("nadia", "supervisor", team="North")


@pytest.fixture
def omid(make_user):
    return make_user("omid", "caseworker", team="South")


@pytest.fixture
def person(sara):
    return create_person(
        names=[{"given_name": "Fereshteh", "family_name": "Karimi"}], caseworker=sara
    )


@pytest.fixture
def case(sara, person) -> Case:
    return services.open_case(user=sara, person=person, opened_on=date(2025, 1, 6))


@pytest.fixture
def stage():
    """A stage of the default pathway by its code."""

    def find(code: str) -> Stage:
        return Stage.objects.get(pathway__is_default=True, code=code)

    return find


@pytest.fixture
def permit_type() -> DocumentType:
    return DocumentType.objects.get(code="residence_permit")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT
