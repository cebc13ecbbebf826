"""The enquiry page leads with the likely candidates: undecided ones under 1% are listed
folded away under the table, with how many there are; a decided one always shows."""

import re

import pytest

from kinlink.tracing import services

pytestmark = pytest.mark.django_db


def _split(page: str) -> tuple[str, str]:
    folded = re.search(r'<details class="weak-candidates">.*?</details>', page, re.S)
    return page.replace(folded.group(0), "") if folded else page, folded.group(0) if folded else ""


def test_long_shots_are_folded_and_counted(client, enquiry, sara, registered):
    weak = [c for c in enquiry.candidates.all() if c.score < 0.01]
    assert weak and enquiry.candidates.get(person=registered).score >= 0.01
    client.force_login(sara)
    shown, folded = _split(client.get(f"/en/tracing/{enquiry.pk}/").content.decode())

    assert f'data-person="{registered.reference}"' in shown
    for candidate in weak:
        assert f'data-person="{candidate.person.reference}"' in folded
        assert f'data-person="{candidate.person.reference}"' not in shown
    many = f"{len(weak)} more candidates, each under 1%"
    assert ("1 more candidate, under 1%" if len(weak) == 1 else many) in folded


def test_a_decided_long_shot_shows_with_the_others(client, enquiry, sara):
    weak = next(c for c in enquiry.candidates.all() if c.score < 0.01)
    services.decide_candidate(user=sara, candidate=weak, decision="not_same", reason="no")
    client.force_login(sara)
    shown, folded = _split(client.get(f"/en/tracing/{enquiry.pk}/").content.decode())
    assert f'data-person="{weak.person.reference}"' in shown
    assert f'data-person="{weak.person.reference}"' not in folded


def test_the_count_is_translated(client, enquiry, sara):
    client.force_login(sara)
    page = client.get(f"/fa/tracing/{enquiry.pk}/").content.decode()
    assert "مورد احتمالی دیگر" in page and "۱%" in page
