"""Dates shown in the Gregorian or the Solar Hijri calendar, with the language's digits."""

from __future__ import annotations

from datetime import date, datetime

import jdatetime
from django.utils import timezone

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def localise_digits(text: str, language: str) -> str:
    if language == "fa":
        return text.translate(_PERSIAN_DIGITS)
    if language == "ar":
        return text.translate(_ARABIC_DIGITS)
    return text


def format_date(
    value: date | datetime | None, calendar: str, language: str, with_time: bool = False
) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if calendar == "solar_hijri":
        if isinstance(value, datetime):
            jvalue = jdatetime.datetime.fromgregorian(datetime=value)
            text = jvalue.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
        else:
            text = jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")
    elif isinstance(value, datetime) and with_time:
        text = value.strftime("%Y-%m-%d %H:%M")
    else:
        text = (value.date() if isinstance(value, datetime) else value).isoformat()
    return localise_digits(text, language)


def solar_hijri_year(gregorian_year: int) -> str:
    """The Solar Hijri year that holds most of a Gregorian year (1965 → 1344)."""
    return str(gregorian_year - 621)
