"""The event types every installation starts with (seeded by migration 0002).

Their labels are translated here; types added later by users show the name they typed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SEEDED_EVENT_TYPES = {
    "detention": _("detention"),
    "solitary_confinement": _("solitary confinement"),
    "forced_separation": _("forced separation from family"),
    "forced_divorce": _("forced divorce"),
    "document_confiscation": _("confiscation of documents"),
    "beating": _("beating"),
    "forced_confession": _("forced confession"),
    "denied_contact": _("contact with family denied"),
    "threat": _("threat"),
    "escape": _("escape"),
    "transfer": _("transfer"),
    "release": _("release"),
    "death": _("death"),
}


def ensure_seeded_event_types() -> int:
    """Create whichever seeded types are missing; returns how many were made.

    Migration 0002 seeds them once; a database emptied since (a test database flushed
    between browser tests) gets them back from here."""
    from django.utils import translation

    from .models import EventType

    made = 0
    with translation.override("en"):
        for position, (code, label) in enumerate(SEEDED_EVENT_TYPES.items(), 1):
            _type, created = EventType.objects.get_or_create(
                code=code, defaults={"name": str(label), "position": position}
            )
            made += created
    return made
