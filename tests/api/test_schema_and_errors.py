"""The published OpenAPI schema is valid, warns of nothing, and documents the error answers,
whose one shape (a JSON object naming the fields at fault) the API keeps."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinlink.tracing import services as tracing

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_without_a_warning(tmp_path):
    out = tmp_path / "schema.json"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", out
    )
    assert len(json.loads(out.read_text())["paths"]) > 50


def test_every_operation_documents_its_error_answers(client):
    schema = client.get("/api/openapi.json?format=json").json()
    missing = [
        f"{method.upper()} {path} {code}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for code in ("400", "401", "403", "404")
        if code not in operation["responses"]
    ]
    assert not missing
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_an_error_of_no_single_field_is_an_object_not_a_bare_list(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sara = make_user("sara", "caseworker", team="North")
    enquiry = tracing.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={"names": [{"given_name": "Fereshteh"}]},
        sought={"given_name": "Massoud", "family_name": "Hosseini"},
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=sara).key}")
    # asking the sought person before a candidate is confirmed: a rule of no single field
    response = client.post(f"/api/enquiries/{enquiry.pk}/asked/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, dict) and body["non_field_errors"], body
    refused = APIClient().get("/api/enquiries/")
    assert refused.status_code == 401 and "detail" in refused.json()
