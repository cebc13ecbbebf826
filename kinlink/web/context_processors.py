from django.conf import settings
from django.utils import translation

from .navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else ""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "nav_items": items_for(role) if role else [],
        "text_direction": "rtl" if translation.get_language_bidi() else "ltr",
        "current_language": language,
        "calendar": getattr(request, "calendar", "gregorian"),
    }
