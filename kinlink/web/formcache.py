"""Rendered HTML of unbound forms, kept per form class and language.

An unbound form whose fields and choices are fixed in its class renders the same HTML for
everyone who reads the page in the same language: rendering it field by field through the
widget templates on every request costs a millisecond or two. `form_html` renders such a form
once per (class, language) and hands the same HTML back after that. A bound form, a form with
initial values, a prefix or errors, or one whose fields were changed after construction, is
rendered normally every time. A form whose choices follow one of a few states (the outcomes an
enquiry can be closed with) names the state in `cache_variant`, which is part of the key.
The cached HTML never holds anything user-specific: no values,
no CSRF token (the token lives in the template around the form, outside this HTML)."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.safestring import SafeString

_MAX_ENTRIES = 512
_rendered: dict[tuple, SafeString] = {}


def _cacheable(form: forms.BaseForm) -> bool:
    return (
        not form.is_bound
        and not form.initial
        and not form.prefix
        and not form._errors
        and form.fields.keys() == form.base_fields.keys()
    )


def form_html(form: forms.BaseForm) -> SafeString:
    """`form.as_div()`, rendered once per form class and language when the form is unbound and
    untouched. Use it only for forms whose choices are fixed in the class (no choices from the
    database, the user or the date)."""
    if not _cacheable(form):
        return form.as_div()
    key = (
        type(form),
        getattr(form, "cache_variant", ()),
        translation.get_language(),
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        type(form.renderer),
    )
    html = _rendered.get(key)
    if html is None:
        html = form.as_div()
        if len(_rendered) >= _MAX_ENTRIES:
            _rendered.clear()
        _rendered[key] = html
    return html


def clear() -> None:
    _rendered.clear()
