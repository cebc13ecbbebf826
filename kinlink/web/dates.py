"""Dates shown in the Gregorian or the Solar Hijri calendar, with the language's digits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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


def month_start(value: date, calendar: str) -> date:
    """The first day of the month holding `value`, in the given calendar (as a Gregorian date)."""
    if calendar == "solar_hijri":
        jvalue = jdatetime.date.fromgregorian(date=value)
        return jdatetime.date(jvalue.year, jvalue.month, 1).togregorian()
    return value.replace(day=1)


def month_ends(
    last: date, calendar: str, *, first: date | None = None, months: int = 12
) -> list[date]:
    """The last day of each month of the calendar, oldest first, ending with `last` itself
    (the month in progress). From the month holding `first` when given, else `months` months."""
    ends = [last]
    start = month_start(last, calendar)
    while (start > first) if first is not None else (len(ends) < months):
        previous = start - timedelta(days=1)
        ends.append(previous)
        start = month_start(previous, calendar)
    return list(reversed(ends))


def format_month(value: date, calendar: str, language: str) -> str:
    """A month as year and month number in the user's calendar and the language's digits:
    2025-03 or, in the Solar Hijri calendar, 1403/12."""
    if calendar == "solar_hijri":
        text = jdatetime.date.fromgregorian(date=value).strftime("%Y/%m")
    else:
        text = value.strftime("%Y-%m")
    return localise_digits(text, language)
