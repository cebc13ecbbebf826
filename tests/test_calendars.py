"""Birth dates: exact, partial, approximate, Gregorian or Solar Hijri (kinlink.calendars)."""

import datetime as dt

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinlink.calendars import SOLAR_HIJRI, ApproxDate, InvalidDate, parse_birth_date

TODAY = dt.date(2025, 6, 1)
_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

gregorian_dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=TODAY)


@pytest.mark.parametrize(
    ("text", "year", "month", "day"),
    [
        ("1965", 1965, None, None),
        ("1965-03", 1965, 3, None),
        ("1965-03-04", 1965, 3, 4),
        ("19650304", 1965, 3, 4),
        ("1965/3/4", 1965, 3, 4),
        (" 1965 ", 1965, None, None),
    ],
)
def test_gregorian_forms_are_read(text, year, month, day):
    d = parse_birth_date(text, today=TODAY)
    assert (d.year, d.month, d.day, d.plus_minus_years) == (year, month, day, 0)


def test_a_solar_hijri_year_covers_two_gregorian_years():
    d = parse_birth_date("1344", today=TODAY)
    assert d.calendar_entered == SOLAR_HIJRI
    assert (d.earliest_year, d.latest_year) == (1965, 1966)
    assert d.year_gap(parse_birth_date("1965", today=TODAY)) == 0
    assert d.year_gap(parse_birth_date("1966", today=TODAY)) == 0
    assert d.year_gap(parse_birth_date("1968", today=TODAY)) == 2
    assert "1344 SH" in d.describe()


def test_a_full_solar_hijri_date_converts_exactly():
    d = parse_birth_date("1344-05-10", today=TODAY)
    assert d.as_date() == dt.date(1965, 8, 1)
    assert d.calendar_entered == SOLAR_HIJRI


@pytest.mark.parametrize("text", ["۱۳۴۴", "١٣٤٤", "1344 SH", "۱۳۴۴ ش"])
def test_persian_and_arabic_digits_and_markers(text):
    d = parse_birth_date(text, today=TODAY)
    assert (d.earliest_year, d.latest_year) == (1965, 1966)


@pytest.mark.parametrize(
    ("text", "pm"),
    [
        ("about 1965", 2),
        ("c. 1965", 2),
        ("ca 1965", 2),
        ("~1965", 2),
        ("1965?", 2),
        ("1965±3", 3),
        ("1965 +/- 5", 5),
        ("circa 1965", 2),
        ("حدود ۱۹۶۵", 2),
    ],
)
def test_approximate_years_carry_a_tolerance(text, pm):
    d = parse_birth_date(text, today=TODAY)
    assert d.year == 1965
    assert d.plus_minus_years == pm
    assert (d.earliest_year, d.latest_year) == (1965 - pm, 1965 + pm)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("abc", "not a date"),
        ("1965-13", "month 13"),
        ("1965-02-30", "day 30"),
        ("1344-12-30", "Solar Hijri"),
        ("04/03/1965", "day first"),
        ("1650", "implausible"),
        ("2999", "future"),
        ("196503", "6 digits"),
        ("1965±40", "tolerance"),
    ],
)
def test_invalid_dates_raise_with_a_message_naming_the_problem(text, words):
    with pytest.raises(InvalidDate) as e:
        parse_birth_date(text, today=TODAY)
    assert words.lower() in str(e.value).lower()
    assert isinstance(e.value, ValueError)


@settings(max_examples=200, deadline=None)
@given(gregorian_dates)
def test_gregorian_round_trip_in_every_format(d):
    want = ApproxDate(d.year, d.month, d.day)
    for text in (d.isoformat(), d.strftime("%Y%m%d"), d.isoformat().translate(_PERSIAN)):
        got = parse_birth_date(text, today=TODAY)
        assert got == want
        assert parse_birth_date(str(got), today=TODAY) == got


@settings(max_examples=200, deadline=None)
@given(gregorian_dates.filter(lambda d: d.year >= 1822))
def test_solar_hijri_dates_convert_exactly_both_ways(d):
    j = jdatetime.date.fromgregorian(date=d)
    text = f"{j.year:04d}-{j.month:02d}-{j.day:02d}".translate(_ARABIC)
    got = parse_birth_date(text, today=TODAY)
    assert got.as_date() == d
    assert got.calendar_entered == SOLAR_HIJRI
    assert parse_birth_date(str(got), today=TODAY) == got


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1200, max_value=1403))
def test_solar_hijri_year_spans_the_gregorian_years_of_its_first_and_last_day(y):
    d = parse_birth_date(str(y), today=TODAY)
    first = jdatetime.date(y, 1, 1).togregorian()
    last = jdatetime.date(y + 1, 1, 1).togregorian() - dt.timedelta(days=1)
    assert (d.earliest_year, d.latest_year) == (first.year, last.year)
    assert parse_birth_date(str(d), today=TODAY) == d


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1800, max_value=2024), st.integers(min_value=0, max_value=30))
def test_tolerances_round_trip(year, pm):
    d = parse_birth_date(f"{year}±{pm}", today=TODAY)
    assert d.earliest_year == year - pm and d.latest_year == year + pm
    assert parse_birth_date(str(d), today=TODAY) == d


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_any_text_either_parses_or_raises_invalid_date(text):
    try:
        d = parse_birth_date(text, today=TODAY)
    except InvalidDate:
        return
    assert 1800 <= d.earliest_year <= d.latest_year
