"""The REST API fuzzed with schemathesis against its own OpenAPI schema, in process (WSGI).

For each role, with a token in the Authorization header, every operation gets generated
requests (random, and with path ids pinned to records inside and outside the caller's reach).
Each response must: not be a server error, conform to the schema, and hold no sentinel planted
in a sealed field (contact, last known location, enquirer contact, document number, testimony
account), except the explicit, audited reveal of a record the caller may see.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
import zipfile

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from secworld import FAR, FAR_NAME, NEAR, SEALED_PARTS

ROLES = ["caseworker", "supervisor", "dpo", "admin", "analyst"]
# Examples per operation: small, so that ~86 operations x 5 roles stay within CI time
# (about 2.5 minutes on 2 cores). KINLINK_FUZZ_EXAMPLES=50 runs a deeper search locally.
_DEPTH = int(os.environ.get("KINLINK_FUZZ_EXAMPLES", "5"))
EXAMPLES = {"caseworker": _DEPTH, "supervisor": _DEPTH, "dpo": _DEPTH}
OTHER_ROLE_EXAMPLES = max(2, _DEPTH // 2)  # administrators and analysts see no records
PINNED_EXAMPLES = max(2, _DEPTH // 3)  # with the path id pinned to a near or a far record
SETTINGS = hypothesis.settings(
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)

# Operations that return a sealed value on purpose: decrypted and audited, with a reason.
REVEAL_PATHS = {
    "/api/documents/{id}/number/": "document-number",
    "/api/testimonies/{id}/reveal/": "account",
    "/api/testimonies/{id}/history/": "account",  # every version, read with a reason
}


# Operations that list matching candidates, who may be in anyone's caseload.
CANDIDATE_PATHS = ("/candidates", "/search/")


class _ServerErrors(logging.Handler):
    """Keeps the traceback of each 500 that django.request logs."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record):
        if record.exc_info:
            self.seen.append(logging.Formatter().formatException(record.exc_info)[-1500:])


def _body_texts(response) -> list[str]:
    """The body as text, and the text of every member when it is a ZIP (XLSX, bundles)."""
    raw = response.content or b""
    texts = [raw.decode("utf-8", "replace")]
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    return texts


def _allowed_reveals(world, role: str) -> set[str]:
    """Sentinels a role may legitimately read through the reveal operations."""
    from kinlink.cases.selectors import can_view_case
    from kinlink.testimony.selectors import can_view_testimony

    user = world.users[role]
    allowed = set()
    for prefix, objects in ((NEAR, world), (FAR, None)):
        document = world.document if objects else world.far_objects["document"]
        testimony = world.testimony if objects else world.far_objects["testimony"]
        if can_view_case(user, document.case):
            allowed.add(f"{prefix}-document-number")
        if can_view_testimony(user, testimony):
            allowed.add(f"{prefix}-account")
    return allowed


def _make_leak_check(world, role: str):
    sealed = [f"{p}-{part}" for p in (NEAR, FAR) for part in SEALED_PARTS]
    allowed = _allowed_reveals(world, role)
    # Names of a person in another team's caseload: the DPO sees everyone, nobody else does.
    # Candidates come from the whole registry on purpose (tracing crosses caseloads).
    forbidden_names = [] if role == "dpo" else [FAR_NAME]

    def no_sealed_leak(ctx, response, case):
        reveal = REVEAL_PATHS.get(case.operation.path)
        crosses_caseloads = any(word in case.operation.path for word in CANDIDATE_PATHS)
        for text in _body_texts(response):
            for sentinel in sealed:
                if sentinel not in text:
                    continue
                if reveal and sentinel.endswith(reveal) and sentinel in allowed:
                    continue
                raise AssertionError(
                    f"{role}: {case.operation.label} -> {response.status_code} leaks {sentinel}"
                )
            for name in forbidden_names:
                if name in text and not crosses_caseloads:
                    raise AssertionError(
                        f"{role}: {case.operation.label} shows {name}, a person outside "
                        "the caller's caseload"
                    )
            if re.search(r"gAAAAA[A-Za-z0-9_\-]{40,}", text):
                raise AssertionError(
                    f"{role}: {case.operation.label} returns a Fernet token (ciphertext)"
                )

    return no_sealed_leak


def _pinned_ids(world) -> dict[str, list[int]]:
    """Path prefix -> ids of records inside and outside the caseworker's reach."""
    far = world.far_objects
    return {
        "/api/persons/": [world.persons["near"].pk, world.persons["far"].pk],
        "/api/timelines/": [world.persons["near"].pk, world.persons["far"].pk],
        "/api/enquiries/": [world.enquiry.pk, far["enquiry"].pk],
        "/api/cases/": [world.case.pk, far["case"].pk],
        "/api/documents/": [world.document.pk, far["document"].pk],
        "/api/testimonies/": [world.testimony.pk, far["testimony"].pk],
        "/api/testimony-events/": [world.testimony.events.first().pk],
    }


def _run_operation(operation, strategy, call, examples: int) -> None:
    @given(case=strategy)
    @hypothesis.settings(SETTINGS, max_examples=examples)
    def fuzz(case):
        call(case)

    fuzz()


@pytest.fixture
def wsgi_app():
    """Django's own WSGI handler, which, like the test client, must not close the test's
    database connection at the end of each request (PostgreSQL would lose the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_survives_fuzzing_and_leaks_nothing(world, wsgi_app, role):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json?format=json", wsgi_app)
    headers = {"Authorization": f"Token {world.tokens[role]}"}
    leak_check = _make_leak_check(world, role)
    checks = [not_a_server_error, leak_check, response_schema_conformance]
    server_errors = _ServerErrors()
    logging.getLogger("django.request").addHandler(server_errors)
    failures: dict[str, str] = {}
    calls = {"n": 0, "statuses": {}}

    def call(case):
        point = transaction.savepoint()
        response = case.call(headers=headers)
        calls["n"] += 1
        calls["statuses"][response.status_code // 100] = (
            calls["statuses"].get(response.status_code // 100, 0) + 1
        )
        # A request that failed inside the database must not poison the next ones.
        if response.status_code >= 500:
            transaction.savepoint_rollback(point)
        else:
            transaction.savepoint_commit(point)
        case.validate_response(response, checks=checks, headers=headers)

    pinned = _pinned_ids(world)
    examples = EXAMPLES.get(role, OTHER_ROLE_EXAMPLES)
    try:
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 50, "the schema lost its operations"
        for operation in operations:
            strategies = [(operation.as_strategy(), examples)]
            prefix = next((p for p in pinned if operation.path.startswith(p)), None)
            names = re.findall(r"{(\w+)}", operation.path)
            if prefix and len(names) == 1:
                for pk in pinned[prefix]:
                    strategies.append(
                        (operation.as_strategy(path_parameters={names[0]: pk}), PINNED_EXAMPLES)
                    )
            for strategy, count in strategies:
                try:
                    _run_operation(operation, strategy, call, count)
                except (Exception, BaseExceptionGroup) as exc:
                    tail = "\n".join(server_errors.seen[-1:])
                    failures.setdefault(operation.label, f"{str(exc)[:1500]}\n{tail}")
                    break
    finally:
        logging.getLogger("django.request").removeHandler(server_errors)
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())
    # The fuzzer really reached the app, with successes as well as refusals.
    assert calls["n"] >= len(operations) * examples // 2
    if role in ("caseworker", "supervisor", "dpo"):
        assert calls["statuses"].get(2, 0) > 50, calls["statuses"]
    print(f"{role}: {calls['n']} requests {calls['statuses']} in {time.monotonic() - started:.0f}s")


def test_the_leak_check_catches_sentinels_and_ciphertext(world):
    """The custom check itself: it must fire on a planted sentinel, a far name and a token."""
    from types import SimpleNamespace

    check = _make_leak_check(world, "caseworker")
    case = SimpleNamespace(operation=SimpleNamespace(path="/api/persons/", label="GET /api/p/"))
    for body in (
        f'{{"contact": "{NEAR}-contact"}}',
        f'{{"names": ["{FAR_NAME}"]}}',
        '{"x": "gAAAAABmZ' + "A" * 60 + '"}',
    ):
        with pytest.raises(AssertionError):
            check(None, SimpleNamespace(content=body.encode(), status_code=200), case)
    # An audited reveal of a document in the caller's own caseload is allowed.
    reveal = SimpleNamespace(
        operation=SimpleNamespace(path="/api/documents/{id}/number/", label="POST number")
    )
    body = f'{{"number": "{NEAR}-document-number"}}'.encode()
    check(None, SimpleNamespace(content=body, status_code=200), reveal)
    far = f'{{"number": "{FAR}-document-number"}}'.encode()
    with pytest.raises(AssertionError):
        check(None, SimpleNamespace(content=far, status_code=200), reveal)
