"""Unbound forms with fixed choices are rendered once per language and reused; anything bound,
with errors or initial values is rendered normally, and no CSRF token is ever kept."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from kinlink.people.forms import MergeForm, NameForm, RelationshipForm
from kinlink.tracing.forms import CloseForm, MessageForm, VerificationForm
from kinlink.web import formcache


def test_the_cached_html_is_what_the_form_renders_in_each_language():
    formcache.clear()
    for language in ("en", "fa", "ar", "sq"):
        with translation.override(language):
            for form_class in (
                NameForm,
                RelationshipForm,
                MergeForm,
                CloseForm,
                MessageForm,
                VerificationForm,
            ):
                first = formcache.form_html(form_class())
                assert first == form_class().as_div()
                assert formcache.form_html(form_class()) is first  # reused, not re-rendered
    with translation.override("fa"):
        persian = formcache.form_html(NameForm())
    with translation.override("en"):
        english = formcache.form_html(NameForm())
    assert persian != english and 'for="id_given_name"' in persian


def test_bound_forms_and_forms_with_initial_values_or_errors_are_rendered_each_time():
    formcache.clear()
    cached = formcache.form_html(MergeForm())
    bound = MergeForm({"duplicate": "P-<b>1</b>", "reason": ""})
    html = formcache.form_html(bound)
    assert html != cached and "P-&lt;b&gt;1&lt;/b&gt;" in html and 'class="errorlist"' in html
    with_initial = formcache.form_html(MergeForm(initial={"reason": "same birth record"}))
    assert "same birth record" in with_initial
    unbound_with_error = MergeForm()
    unbound_with_error._errors, unbound_with_error.cleaned_data = {}, {}
    unbound_with_error.add_error(None, "checked elsewhere")
    assert "checked elsewhere" in formcache.form_html(unbound_with_error)
    prefixed = formcache.form_html(MergeForm(prefix="other"))
    assert 'id="id_other-duplicate"' in prefixed
    assert formcache.form_html(MergeForm()) is cached


def test_the_template_filter_keeps_the_csrf_token_outside_the_cached_html():
    formcache.clear()
    template = Template(
        '{% load kinlink %}<form method="post">{% csrf_token %}{{ form|static_form }}</form>'
    )
    for token in ("first-token", "second-token"):
        html = template.render(Context({"form": NameForm(), "csrf_token": token}))
        assert html.count("csrfmiddlewaretoken") == 1 and f'value="{token}"' in html
        assert 'name="given_name"' in html
    assert formcache._rendered
    assert all("csrfmiddlewaretoken" not in html for html in formcache._rendered.values())
