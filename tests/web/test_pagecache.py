"""Choice labels translated once per language and links reversed once per pattern give exactly
what get_FOO_display() and {% url %} give, in every language."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from kinlink.people.models import Gender, Person, PersonVersion
from kinlink.tracing.models import EnquirerRelationship, Enquiry, EnquiryStatus, Outcome
from kinlink.web import pagecache


@pytest.mark.parametrize("language", ["en", "fa", "ar", "sq"])
def test_choice_labels_are_those_of_get_display_in_each_language(language):
    pagecache.clear()
    with translation.override(language):
        for status in [*EnquiryStatus.values, "no-such-status", ""]:
            enquiry = Enquiry(status=status, relationship=EnquirerRelationship.values[0])
            assert pagecache.choice_label(enquiry, "status") == enquiry.get_status_display()
        for outcome in [*Outcome.values, ""]:
            enquiry = Enquiry(outcome=outcome)
            assert pagecache.choice_label(enquiry, "outcome") == enquiry.get_outcome_display()
        for gender in Gender.values:
            person = Person(gender=gender)
            assert pagecache.choice_label(person, "gender") == person.get_gender_display()
        version = PersonVersion(action=None)
        assert pagecache.choice_label(version, "action") is version.get_action_display()


def test_labels_follow_the_active_language():
    pagecache.clear()
    enquiry = Enquiry(status=EnquiryStatus.values[0])
    with translation.override("en"):
        english = pagecache.choice_label(enquiry, "status")
    with translation.override("fa"):
        persian = pagecache.choice_label(enquiry, "status")
        assert persian == enquiry.get_status_display()
    assert english != persian


@pytest.mark.parametrize("language", ["en", "fa", "ar"])
def test_links_are_those_of_reverse(language):
    pagecache.clear()
    with translation.override(language):
        for name in ("tracing:enquiry_detail", "tracing:person_record", "tracing:candidate_decide"):
            for pk in (1, 7, 987654321, 12345678901):
                assert pagecache.link(name, pk) == reverse(name, args=[pk])
        assert pagecache.link("tracing:person_record", 42).startswith(f"/{language}/")


def test_a_pattern_without_one_id_is_refused():
    with pytest.raises(NoReverseMatch):
        pagecache.link("tracing:enquiry_list", 1)
    with pytest.raises(NoReverseMatch):
        pagecache.link("tracing:person_remove_name", 1)


def test_the_template_filters_escape_and_match_the_tags():
    template = Template(
        '{% load kinlink %}{{ e|display:"status" }}|{{ e.pk|link:"tracing:enquiry_detail" }}|'
        "{% url 'tracing:enquiry_detail' e.pk %}|{{ e.get_status_display }}"
    )
    enquiry = Enquiry(pk=5, status="<b>odd</b>")
    with translation.override("en"):
        shown, link, url, display = template.render(Context({"e": enquiry})).split("|")
    assert shown == display == "&lt;b&gt;odd&lt;/b&gt;"
    assert link == url == "/en/tracing/5/"


def test_relationship_labels_in_persian():
    with translation.override("fa"):
        for value in EnquirerRelationship.values:
            enquiry = Enquiry(relationship=value)
            label = pagecache.choice_label(enquiry, "relationship")
            assert label == enquiry.get_relationship_display()
