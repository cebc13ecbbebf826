"""{% event_date date precision %}: a date as precise as the witness could give it."""

from __future__ import annotations

import datetime as dt

import jdatetime
from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from kinlink.web.dates import format_date, localise_digits, solar_hijri_year

register = template.Library()


def event_date_text(day: dt.date | None, precision: str, calendar: str, language: str) -> str:
    if day is None:
        return ""
    if precision == "day":
        return format_date(day, calendar, language)
    solar = calendar == "solar_hijri"
    if precision == "month":
        middle = day.replace(day=15)
        text = (
            jdatetime.date.fromgregorian(date=middle).strftime("%Y/%m")
            if solar
            else middle.strftime("%Y-%m")
        )
    else:
        text = solar_hijri_year(day.year) if solar else str(day.year)
    text = localise_digits(text, language)
    if precision == "about":
        return _("about %(year)s") % {"year": text}
    return text


@register.simple_tag(takes_context=True)
def event_date(context, day, precision):
    return event_date_text(
        day, precision, context.get("calendar", "gregorian"), translation.get_language() or "en"
    )
