from django import template
from django.utils import translation

from kinlink.web.dates import format_date, localise_digits

register = template.Library()


@register.simple_tag(takes_context=True)
def kdate(context, value, with_time=False):
    """{% kdate value %}: the date in the user's calendar and the page language's digits."""
    calendar = context.get("calendar", "gregorian")
    return format_date(
        value, calendar, translation.get_language() or "en", with_time=bool(with_time)
    )


@register.filter
def digits(value):
    return localise_digits(str(value), translation.get_language() or "en")
