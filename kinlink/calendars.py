"""Birth dates as people give them: exact, partial, approximate, Gregorian or Solar Hijri.

Pure Python (no Django). Shared by :mod:`kinlink.matching` and the Django apps.

A family often knows only "about 1965", or a year in the Solar Hijri (Iranian) calendar
such as ``1344``.  A Solar Hijri year starts on 20/21 March, so it covers two Gregorian
years (1344 = 21 March 1965 .. 20 March 1966): :class:`ApproxDate` keeps that as a year
range (``year=1965, year_end=1966``) instead of pretending to know which one it is.
Full Solar Hijri dates convert exactly (via ``jdatetime``).

>>> str(parse_birth_date("1965-03-04"))
'1965-03-04'
>>> d = parse_birth_date("۱۳۴۴")
>>> (d.earliest_year, d.latest_year, d.calendar_entered)
(1965, 1966, 'solar_hijri')
>>> parse_birth_date("about 1965").plus_minus_years
2
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Final, Literal

import jdatetime

__all__ = [
    "GREGORIAN",
    "SOLAR_HIJRI",
    "ApproxDate",
    "InvalidDate",
    "parse_birth_date",
    "parse_birth_year",
]

GREGORIAN: Final = "gregorian"
SOLAR_HIJRI: Final = "solar_hijri"
CalendarName = Literal["gregorian", "solar_hijri"]

#: A year written below this is read as Solar Hijri (1500 SH = 2121 CE; 1500 CE is no
#: living person's birth year), as the issue specifies.
SOLAR_HIJRI_BELOW: Final = 1500
#: Earliest Gregorian birth year accepted: nobody traced by kinlink was born before.
MIN_GREGORIAN_YEAR: Final = 1800
#: "about 1965" without a stated tolerance means 1965 ± 2 (a guess a family makes is
#: rarely further off; an explicit "1965±5" overrides it).
DEFAULT_APPROX_YEARS: Final = 2
#: Largest tolerance accepted in "1965±N".
MAX_PLUS_MINUS: Final = 30


class InvalidDate(ValueError):
    """A birth date that cannot be read; the message says what is wrong with it."""


@dataclass(frozen=True, slots=True)
class ApproxDate:
    """A possibly partial, possibly approximate birth date, always in Gregorian terms.

    ``year``/``month``/``day`` are Gregorian; ``month`` and ``day`` are None when not
    known.  ``plus_minus_years`` is the stated (or implied, for "about") uncertainty.
    ``calendar_entered`` records the calendar the date was written in.  ``year_end`` is
    set when the entry covers more than one Gregorian year (a Solar Hijri year or a
    Solar Hijri month that straddles New Year): the true year lies in
    ``year .. year_end``.  ``entered`` is the canonical text of what was entered (in
    its own calendar); it is for display and does not take part in equality.
    """

    year: int
    month: int | None = None
    day: int | None = None
    plus_minus_years: int = 0
    calendar_entered: CalendarName = GREGORIAN
    year_end: int | None = None
    entered: str | None = field(default=None, compare=False, repr=False)

    # -- derived ---------------------------------------------------------------------
    @property
    def earliest_year(self) -> int:
        """Earliest Gregorian year the person may have been born in."""
        return self.year - self.plus_minus_years

    @property
    def latest_year(self) -> int:
        """Latest Gregorian year the person may have been born in."""
        return (self.year_end if self.year_end is not None else self.year) + self.plus_minus_years

    @property
    def is_exact_day(self) -> bool:
        """True when a full day is known and not marked approximate."""
        return self.day is not None and self.plus_minus_years == 0

    def as_date(self) -> _dt.date | None:
        """The Gregorian date when the day is known, else None."""
        if self.day is None or self.month is None:
            return None
        return _dt.date(self.year, self.month, self.day)

    def year_gap(self, other: ApproxDate) -> int:
        """Years between the two possible-year ranges (0 when they overlap)."""
        return max(
            0, self.earliest_year - other.latest_year, other.earliest_year - self.latest_year
        )

    def describe(self) -> str:
        """Human-readable form, e.g. ``1965/66 (1344 SH)`` or ``about 1965 (±2)``."""
        if self.calendar_entered == SOLAR_HIJRI:
            greg = self._gregorian_text()
            out = f"{greg} ({self.entered or '?'} SH)"
        else:
            out = self._gregorian_text()
        if self.plus_minus_years:
            out = f"about {out} (±{self.plus_minus_years})"
        return out

    def _gregorian_text(self) -> str:
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.year_end is not None and self.year_end != self.year:
            return f"{self.year}/{self.year_end % 100:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        """Canonical text that :func:`parse_birth_date` reads back to an equal value."""
        base = self.entered if self.entered else self._canonical_entry()
        if self.plus_minus_years:
            return f"{base}±{self.plus_minus_years}"
        return base

    def _canonical_entry(self) -> str:
        if self.calendar_entered == SOLAR_HIJRI:
            # Without the original text we cannot tell which Solar Hijri date was
            # meant; write the Gregorian one with an explicit marker.
            return self._gregorian_text()
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


# -- parsing ----------------------------------------------------------------------------

_DIGITS = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩",
    "01234567890123456789",
)
_SEPARATORS = str.maketrans({"٫": "/", "٬": "", "−": "-", "–": "-", "—": "-", "／": "/"})

_APPROX_PREFIXES = (
    "approximately",
    "approx.",
    "approx",
    "around",
    "about",
    "circa",
    "abt.",
    "abt",
    "ca.",
    "ca",
    "c.",
    "c",
    "~",
    "حدوداً",
    "حدودا",
    "حدود",
    "تقریباً",
    "تقریبا",
    "تقريباً",
    "تقريبا",
    "حوالی",
    "حوالي",
    "نحو",
)
_SH_MARKERS = ("sh", "s.h.", "s.h", "ap", "هـ.ش", "ه.ش", "هش", "ش", "شمسی", "شمسي")
_GREG_MARKERS = ("ad", "ce", "a.d.", "c.e.", "م", "میلادی", "ميلادي")

_PLUS_MINUS = re.compile(
    r"^(?P<body>.*?)\s*(?:±|\+/-|\+-|\+ -)\s*(?P<n>\d{1,3})\s*(?:y|yrs?|years?)?$"
)
_YMD = re.compile(r"^(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?)?$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_DAY_FIRST = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")


def _strip_word(text: str, words: tuple[str, ...], *, suffix: bool) -> tuple[str, bool]:
    for w in words:
        if suffix:
            if text.endswith(w) and (len(text) == len(w) or not text[-len(w) - 1].isalpha()):
                rest = text[: -len(w)].rstrip()
                if rest and (rest[-1].isdigit() or rest[-1] in "?"):
                    return rest, True
        else:
            if text.startswith(w):
                rest = text[len(w) :]
                if w[-1].isalpha() and rest and rest[0].isalpha():
                    continue  # "ca" in "cairo" is not a prefix
                return rest.lstrip(" .:"), True
    return text, False


def _today() -> _dt.date:
    return _dt.date.today()


def parse_birth_date(text: str, *, today: _dt.date | None = None) -> ApproxDate:
    """Read a birth date written as YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD.

    Also accepted: ``/`` or ``.`` as separators, Persian and Arabic-Indic digits,
    approximate forms ("about 1965", "c. 1965", "ca 1965", "~1965", "1965?",
    "حدود ۱۳۴۴") and explicit tolerances ("1965±3", "1965 +/- 3").  A year below 1500 is
    Solar Hijri; a trailing "SH"/"ش" says so explicitly.  Raises :class:`InvalidDate`
    with a message naming the problem.
    """
    if text is None:
        raise InvalidDate("no birth date given")
    raw = str(text)
    s = raw.translate(_DIGITS).translate(_SEPARATORS).strip().lower()
    s = re.sub(r"\s+", " ", s)
    if not s:
        raise InvalidDate("empty birth date")
    today = today or _today()

    approx = False
    plus_minus = 0
    m = _PLUS_MINUS.match(s)
    if m:
        s = m.group("body").strip()
        plus_minus = int(m.group("n"))
        if plus_minus > MAX_PLUS_MINUS:
            raise InvalidDate(
                f"birth date {raw!r}: tolerance ±{plus_minus} years is larger than {MAX_PLUS_MINUS}"
            )
    s, had_prefix = _strip_word(s, _APPROX_PREFIXES, suffix=False)
    approx = approx or had_prefix
    if s.endswith("?"):
        approx = True
        s = s.rstrip("?").strip()
    s, sh_marker = _strip_word(s, _SH_MARKERS, suffix=True)
    s, greg_marker = _strip_word(s, _GREG_MARKERS, suffix=True)
    if not sh_marker and not greg_marker:
        # the marker may come before the question mark or tolerance: "1344 sh?"
        s, sh_marker = _strip_word(s, _SH_MARKERS, suffix=True)
    s = s.strip()
    if approx and not plus_minus:
        plus_minus = DEFAULT_APPROX_YEARS

    if _DAY_FIRST.match(s):
        raise InvalidDate(
            f"birth date {raw!r} puts the day first; write it as YYYY-MM-DD "
            "(day-first and month-first dates cannot be told apart)"
        )
    m = _COMPACT.match(s) or _YMD.match(s)
    if not m:
        if re.fullmatch(r"\d+", s):
            raise InvalidDate(
                f"birth date {raw!r} has {len(s)} digits; expected a 4-digit year or "
                "8-digit YYYYMMDD"
            )
        raise InvalidDate(
            f"birth date {raw!r} is not a date; expected YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD"
        )
    year = int(m.group("y"))
    month = int(m.group("m")) if m.group("m") else None
    day = int(m.group("d")) if m.group("d") else None
    if month is not None and not 1 <= month <= 12:
        raise InvalidDate(f"birth date {raw!r}: month {month} is not between 1 and 12")

    solar = sh_marker or (year < SOLAR_HIJRI_BELOW and not greg_marker)
    if greg_marker and year < SOLAR_HIJRI_BELOW:
        raise InvalidDate(f"birth date {raw!r}: Gregorian year {year} is implausible")
    if solar:
        result = _from_solar_hijri(raw, year, month, day, plus_minus)
    else:
        result = _from_gregorian(raw, year, month, day, plus_minus)
    first_possible = _first_day(result)
    if first_possible > today:
        raise InvalidDate(f"birth date {raw!r} is in the future")
    return result


def _first_day(d: ApproxDate) -> _dt.date:
    if d.as_date() is not None:
        return d.as_date()  # type: ignore[return-value]
    return _dt.date(d.year, d.month or 1, 1)


def _from_gregorian(raw: str, year: int, month: int | None, day: int | None, pm: int) -> ApproxDate:
    if year < MIN_GREGORIAN_YEAR:
        raise InvalidDate(
            f"birth date {raw!r}: year {year} is implausible (Gregorian years before "
            f"{MIN_GREGORIAN_YEAR} are not accepted; years below {SOLAR_HIJRI_BELOW} are "
            "read as Solar Hijri)"
        )
    if day is not None:
        try:
            _dt.date(year, month or 1, day)
        except ValueError:
            raise InvalidDate(
                f"birth date {raw!r}: day {day} does not exist in {year:04d}-{month:02d}"
            ) from None
    return ApproxDate(year, month, day, pm, GREGORIAN, None, None)


def _from_solar_hijri(
    raw: str, year: int, month: int | None, day: int | None, pm: int
) -> ApproxDate:
    min_sh = jdatetime.date.fromgregorian(date=_dt.date(MIN_GREGORIAN_YEAR, 3, 21)).year
    if year < min_sh:
        raise InvalidDate(
            f"birth date {raw!r}: Solar Hijri year {year} is implausible (before "
            f"{MIN_GREGORIAN_YEAR} CE)"
        )
    if day is not None:
        try:
            g = jdatetime.date(year, month, day).togregorian()
        except ValueError:
            raise InvalidDate(
                f"birth date {raw!r}: day {day} does not exist in Solar Hijri month "
                f"{year:04d}-{month:02d}"
            ) from None
        entered = f"{year:04d}-{month:02d}-{day:02d}"
        return ApproxDate(g.year, g.month, g.day, pm, SOLAR_HIJRI, None, entered)
    if month is not None:
        first = jdatetime.date(year, month, 1).togregorian()
        last = jdatetime.date(year + 1, 1, 1) if month == 12 else jdatetime.date(year, month + 1, 1)
        last_g = last.togregorian() - _dt.timedelta(days=1)
        mid = jdatetime.date(year, month, 15).togregorian()
        end = last_g.year if last_g.year != first.year else None
        start_year = first.year
        return ApproxDate(
            start_year,
            mid.month if end is None else None,
            None,
            pm,
            SOLAR_HIJRI,
            end,
            f"{year:04d}-{month:02d}",
        )
    first = jdatetime.date(year, 1, 1).togregorian()
    last_g = jdatetime.date(year + 1, 1, 1).togregorian() - _dt.timedelta(days=1)
    return ApproxDate(first.year, None, None, pm, SOLAR_HIJRI, last_g.year, f"{year:04d}")


def parse_birth_year(text: str, *, today: _dt.date | None = None) -> ApproxDate:
    """Read a birth *year* column: like :func:`parse_birth_date` but month/day refused."""
    d = parse_birth_date(text, today=today)
    if d.day is not None or (d.month is not None and d.calendar_entered == GREGORIAN):
        raise InvalidDate(f"birth year {text!r} has a month or day; give the year only")
    if d.calendar_entered == SOLAR_HIJRI and d.entered and "-" in d.entered:
        raise InvalidDate(f"birth year {text!r} has a month or day; give the year only")
    return d
