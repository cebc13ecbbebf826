"""The issue's example: "Husain Mousavi, father Reza, born about 1965 in Ahwaz"."""

import pytest

FORMS = ["persian script, Solar Hijri year", "other latin spelling", "typo and swapped"]


@pytest.mark.parametrize("form", FORMS)
def test_the_sought_person_ranks_first_among_namesakes(issue, form):
    found = issue.index(form).search(issue.request, top_k=10)
    assert found[0].person_id == "target", [(c.person_id, c.explanation) for c in found]
    decoy_ids = {r.id for r in issue.decoys}
    decoys = [c for c in found if c.person_id in decoy_ids]
    assert decoys, "namesakes should still be listed as candidates"
    assert found[0].score > 0.5
    assert found[0].score > 5 * max(c.score for c in decoys)


def test_the_persian_record_is_explained_as_same_in_another_script(issue):
    top = issue.index(FORMS[0]).search(issue.request, top_k=1)[0]
    text = top.explanation
    assert "family name: same in another script" in text
    assert "father's name: same in another script" in text
    assert "birth place: same in another script" in text
    assert "birth year: same" in text or "birth year: consistent" in text


def test_the_typo_and_swapped_record_is_explained_as_swapped(issue):
    top = issue.index(FORMS[2]).search(issue.request, top_k=1)[0]
    assert top.person_id == "target"
    assert top.explanation.startswith("given and family names swapped")
    assert "father's name: same" in top.explanation
