"""Pure per-language data that pages used to recompute on every row: translated choice labels
and the links of URL patterns with one id. Nothing here depends on the user or their rights."""

from __future__ import annotations

from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_MAX_ENTRIES = 4096
_labels: dict[tuple, dict] = {}
_links: dict[tuple, tuple[str, str]] = {}
_SENTINEL = "987654321"


def choice_label(instance: models.Model, field_name: str):
    """What `instance.get_<field_name>_display()` returns, without translating every label of
    the field's choices on each call (Django hashes the lazy labels, one gettext each): the
    labels are translated once per field and language."""
    field = instance._meta.get_field(field_name)
    key = (field, translation.get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = {make_hashable(value): str(label) for value, label in field.flatchoices}
        if len(_labels) >= _MAX_ENTRIES:
            _labels.clear()
        _labels[key] = labels
    value = getattr(instance, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


def link(name: str, pk) -> str:
    """`reverse(name, args=[pk])` for a URL pattern whose only argument is an integer id:
    reversed once per pattern, language and script prefix, then the id is put in its place."""
    key = (name, translation.get_language(), get_script_prefix(), get_urlconf())
    parts = _links.get(key)
    if parts is None:
        url = reverse(name, args=[_SENTINEL])
        head, found, tail = url.partition(_SENTINEL)
        if not found or _SENTINEL in tail:
            raise ValueError(f"{name} does not take one id")
        parts = (head, tail)
        if len(_links) >= _MAX_ENTRIES:
            _links.clear()
        _links[key] = parts
    return f"{parts[0]}{int(pk)}{parts[1]}"


def clear() -> None:
    _labels.clear()
    _links.clear()
