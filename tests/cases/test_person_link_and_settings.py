"""The person's page leads to their case; the renewal lead time comes from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinlink.cases import services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_the_person_page_offers_to_open_a_case_then_links_to_it(client, sara, person):
    client.force_login(sara)
    page = client.get(f"/en/tracing/persons/{person.pk}/").content.decode()
    assert f'href="/en/cases/new/?person={person.pk}"' in page and "Open a case" in page
    case = services.open_case(user=sara, person=person)
    page = client.get(f"/en/tracing/persons/{person.pk}/").content.decode()
    assert f'href="/en/cases/{case.pk}/"' in page and "Open a case" not in page


def test_roles_that_open_no_case_see_no_link(make_user, verified_client, case, person):
    dpo = verified_client(make_user("dora", "dpo"))
    response = dpo.get(f"/en/tracing/persons/{person.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and person.reference in page
    assert "/en/cases/new/" not in page and f"/en/cases/{case.pk}/" not in page


def _lead_days(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CASES_RENEWAL_LEAD_DAYS)"
    )
    environ = {k: v for k, v in os.environ.items() if k != "KINLINK_CASES_RENEWAL_LEAD_DAYS"}
    environ.update(DJANGO_SETTINGS_MODULE="kinlink.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_the_renewal_lead_time_is_read_from_the_environment_with_60_by_default():
    assert _lead_days({}) == "60"
    assert _lead_days({"KINLINK_CASES_RENEWAL_LEAD_DAYS": "45"}) == "45"
    assert "0 or more" in _lead_days({"KINLINK_CASES_RENEWAL_LEAD_DAYS": "-1"})
