"""Every request field that the OpenAPI schema documents as a closed set of values (an enum,
a pattern of alternatives, or "one of ...") is enforced by the API: an unknown value gets a
400 that names the field, never a 2xx and never a stored value outside the set.

Driven by the published schema, so a choice field added later is checked too."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

ROLES = ["caseworker", "supervisor", "dpo", "admin"]
BOGUS = "Object id"
LISTS = {  # where to find an id for a path parameter, by path prefix
    "/api/candidates/": "/api/candidates/",
    "/api/messages/": "/api/messages/",
    "/api/places/": "/api/places/",
    "/api/tasks/": "/api/tasks/",
    "/api/referrals/": "/api/referrals/",
    "/api/privacy/erasure-requests/": "/api/privacy/erasure-requests/",
    "/api/privacy/retention-rules/": "/api/privacy/retention-rules/",
}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _is_closed_set(node: dict) -> bool:
    parts = [node, *node.get("allOf", []), *node.get("oneOf", [])]
    return any(
        "enum" in part
        or str(part.get("pattern", "")).startswith("^(")
        or "one of" in part.get("description", "")
        for part in parts
    )


def _choice_fields(schema: dict):
    """(path, method, field, is_list, media type) of each writable closed-set field."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                body = _resolve(schema, content["schema"])
                for field, node in body.get("properties", {}).items():
                    node = _resolve(schema, node)
                    if node.get("readOnly"):
                        continue
                    if node.get("type") == "array":
                        item = _resolve(schema, node.get("items", {}))
                        if _is_closed_set(item):
                            yield path, method, field, True, media
                    elif _is_closed_set(node):
                        yield path, method, field, False, media
                break  # one content type describes the body


def _first_id(client: APIClient, url: str):
    response = client.get(url)
    if response.status_code != 200:
        return None
    rows = response.json()
    rows = rows.get("results", []) if isinstance(rows, dict) else rows
    return rows[0].get("id") if rows else None


def _erasure_request(world):
    """An open erasure request, so that carrying one out can be tried with a bad method."""
    import datetime as dt

    from kinlink.privacy import services
    from kinlink.privacy.models import ErasureRequest, LegalGround, Requester

    existing = ErasureRequest.objects.first()
    if existing is not None:
        return existing
    return services.record_request(
        user=world.users["dpo"],
        person=world.persons["far"],
        ground=LegalGround.values[0],
        requested_by=Requester.values[0],
        requested_on=dt.date.today(),
    )


def _path_ids(world, client: APIClient, path: str) -> list:
    params = re.findall(r"{(\w+)}", path)
    if not params:
        return [path]
    if len(params) > 1:
        return []
    pinned = {
        "/api/persons/": world.persons["near"].pk,
        "/api/timelines/": world.persons["near"].pk,
        "/api/enquiries/": world.enquiry.pk,
        "/api/cases/": world.case.pk,
        "/api/documents/": world.document.pk,
        "/api/testimonies/": world.testimony.pk,
        "/api/testimony-events/": world.testimony.events.first().pk,
        "/api/privacy/persons/": world.persons["near"].pk,
        "/api/privacy/requests/": _erasure_request(world).pk,
    }
    pk = next((v for k, v in pinned.items() if path.startswith(k)), None)
    if pk is None:
        prefix = next((k for k in LISTS if path.startswith(k)), None)
        pk = _first_id(client, LISTS[prefix]) if prefix else None
    return [re.sub(r"{\w+}", str(pk), path)] if pk is not None else []


def test_every_documented_choice_is_enforced_with_a_400_naming_the_field(world):
    clients = {}
    for role in ROLES:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
        clients[role] = client
    schema = clients["dpo"].get("/api/openapi.json?format=json").json()
    fields = list(_choice_fields(schema))
    assert len(fields) > 20, "the schema lost its choice fields"
    accepted, unreached, checked = [], [], 0
    for path, method, field, is_list, media in fields:
        value = [BOGUS] if is_list else BOGUS
        wire = "multipart" if media == "multipart/form-data" else "json"
        named = False
        for role, client in clients.items():
            for url in _path_ids(world, client, path):
                send = getattr(client, method)
                response = send(url, {field: value}, format=wire)
                if response.status_code < 300:
                    accepted.append(f"{method.upper()} {path} {field} as {role}")
                elif response.status_code == 400:
                    body = response.json()
                    named = named or (isinstance(body, dict) and field in body)
        if named:
            checked += 1
        else:
            unreached.append(f"{method.upper()} {path} {field}")
    assert not accepted, f"an unknown choice was accepted: {accepted}"
    assert not unreached, f"no 400 naming the field: {unreached}"
    assert checked == len(fields)


def test_an_unknown_kind_of_place_is_refused_and_a_known_one_kept(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['supervisor']}")
    refused = client.post("/api/places/", {"name": "Camp Liberty", "kind": BOGUS}, format="json")
    assert refused.status_code == 400
    assert "kind" in refused.json()
    kept = client.post("/api/places/", {"name": "Camp Liberty", "kind": "camp"}, format="json")
    assert kept.status_code == 201, kept.content
    assert kept.json()["kind"] == "camp"


def test_the_place_service_refuses_an_unknown_kind(world):
    from django.core.exceptions import ValidationError

    from kinlink.testimony.services import create_place

    with pytest.raises(ValidationError) as refused:
        create_place(user=world.users["supervisor"], name="Camp Liberty", kind=BOGUS)
    assert "kind" in refused.value.message_dict
