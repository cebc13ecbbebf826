import csv
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kinlink.audit.models import Entry
from kinlink.cases import aggregates, charts, services
from kinlink.cases.models import Pathway
from kinlink.people.services import create_person
from kinlink.web import dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_cases(sara, stage):
    """Six cases opened on 6 January 2025; five reach transit after 10, 12, 14, 16, 18 days
    and one after 40; three of them then close as relocated."""
    cases = []
    for i, days in enumerate([10, 12, 14, 16, 18, 40]):
        person = create_person(names=[{"given_name": f"Person {i}"}], caseworker=sara)
        case = services.open_case(user=sara, person=person, opened_on=date(2025, 1, 6))
        services.move_case(
            user=sara,
            case=case,
            to_stage=stage("transit"),
            reason="r",
            moved_at=date(2025, 1, 6) + timedelta(days=days),
        )
        cases.append(case)
    for case in cases[:3]:
        services.move_case(
            user=sara,
            case=case,
            to_stage=stage("closed"),
            reason="r",
            moved_at=date(2025, 3, 1),
            outcome="relocated",
        )
    return cases


def _by_code(rows, attribute="stage"):
    return {getattr(row, attribute).code: row for row in rows}


def test_cases_per_stage_are_counted_at_the_end_of_each_month(six_cases):
    data = aggregates.stages_over_time(date(2025, 3, 15), months=3)
    assert data.periods == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 15)]
    rows = _by_code(data.series)
    assert [c.count for c in rows["transit"].cells] == [5, 6, None]  # three left in March
    # Zero is below five too: the shared rule (reports/aggregates.py) hides it as well.
    assert [c.shown for c in rows["first_contact"].cells] == ["<5", "<5", "<5"]
    assert [c.shown for c in rows["closed"].cells] == ["<5", "<5", "<5"]


def test_time_in_stage_gives_median_quartiles_and_range_of_finished_stays(six_cases):
    rows = _by_code(aggregates.time_in_stage())
    first = rows["first_contact"]
    assert first.stays == 6 and first.median == 15.0
    assert (first.shortest, first.longest) == (10.0, 40.0)
    assert first.lower_quartile == 12.5 and first.upper_quartile == 17.5


def test_time_in_stage_with_fewer_than_five_stays_is_hidden_entirely(six_cases):
    transit = _by_code(aggregates.time_in_stage())["transit"]
    assert transit.stays is None and transit.median is None and transit.shown == "<5"


def test_outcomes_count_closed_cases_and_hide_small_numbers(six_cases):
    outcomes = {c.key: c.shown for c in aggregates.case_outcomes()}
    assert outcomes["relocated to a third country"] == "<5"
    assert outcomes["returned home"] == "<5"


def test_overdue_tasks_are_counted_by_stage_and_by_lateness(six_cases):
    overdue = aggregates.overdue_tasks(date(2025, 3, 15))
    # The three open cases each have three first-stage tasks (about 60 days late) and two
    # transit tasks; the last case reached transit on 15 February, so its two are 14 days late.
    assert overdue.total.count == 15
    assert {c.key: c.shown for c in overdue.by_lateness} == {
        "1–7": "<5",
        "8–30": "<5",
        "31–90": "13",
        "> 90": "<5",
    }


def _specs(page: str) -> dict[str, dict]:
    """The chart specs the page hands to Chart.js, parsed from its json_script elements."""
    found = re.findall(r'<script id="(chart-[a-z-]+)" type="application/json">(.*?)</script>', page)
    return {name: json.loads(text) for name, text in found}


def test_the_report_page_hands_chart_specs_to_the_vendored_chart_js(client, make_user, six_cases):
    client.force_login(make_user("lina", "analyst"))
    response = client.get("/en/cases/reports/")
    page = response.content.decode()
    assert response.status_code == 200
    specs = _specs(page)
    names = {"chart-over-time", "chart-time-in-stage", "chart-outcomes", "chart-overdue"}
    assert set(specs) == names
    for name in specs:
        assert f'data-chart="{name}"' in page
    assert page.count("<canvas") == 4 and "<svg" not in page
    assert 'aria-label="Days in each stage"' in page
    # Only the vendored library and our own script, from /static/; nothing inline, no other host.
    scripts = re.findall(r"<script([^>]*)>", page)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs in scripts if "src=" in attrs]
    assert "/static/cases/vendor/chart.umd.min.js" in sources
    assert sources.index("/static/cases/vendor/chart.umd.min.js") < sources.index(
        "/static/cases/report_charts.js"
    )
    assert all(src.startswith("/static/") for src in sources)
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert all('type="application/json"' in attrs or "src=" in attrs for attrs in scripts)
    assert 'style="' not in page and "&lt;5" in page

    over_time = specs["chart-over-time"]
    assert over_time["type"] == "bar" and over_time["stacked"] and over_time["rtl"] is False
    assert over_time["title"] == "Cases per stage at the end of each month"
    transit = next(d for d in over_time["datasets"] if d["label"] == "In transit")
    assert len(transit["data"]) == len(over_time["labels"])

    stays = specs["chart-time-in-stage"]
    assert stays["indexAxis"] == "y"
    first = stays["labels"].index("First contact")
    hidden = stays["labels"].index("In transit")  # too few finished stays
    ranges, middle, median = stays["datasets"]
    assert ranges["data"][first] == [10.0, 40.0] and middle["data"][first] == [12.5, 17.5]
    assert median["values"][first] == 15.0
    assert all(d["data"][hidden] is None for d in stays["datasets"])

    outcomes = specs["chart-outcomes"]
    assert outcomes["indexAxis"] == "y" and "relocated to a third country" in outcomes["labels"]
    # Three cases closed as relocated: the count is below five and never reaches a spec.
    assert outcomes["datasets"][0]["data"] == [None] * len(outcomes["labels"])
    for spec in specs.values():
        numbers = [v for d in spec["datasets"] for v in d["data"] if not isinstance(v, list)]
        assert all(v is None or v >= 5 for v in numbers), spec["title"]


def test_a_suppressed_count_never_appears_in_a_spec():
    spec = charts.stacked_columns("t", ["2025-01", "2025-02"], [("x", [None, 3]), ("y", [7, 0])])
    # aggregates give None for every count below five; a zero draws nothing either.
    assert [d["data"] for d in spec["datasets"]] == [[None, 3], [7, None]]
    bars = charts.horizontal_bars("t", [("a", 10), ("b", None)])
    assert bars["datasets"][0]["data"] == [10, None] and "<5" not in json.dumps(bars)
    assert charts.is_empty(charts.horizontal_bars("t", [("a", None)]))


def test_the_report_page_in_persian_uses_persian_digits_and_right_to_left_charts(
    client, make_user, six_cases
):
    client.force_login(make_user("lina", "analyst"))
    # the cases are of 2025: ask for that year, whatever today's date (the default period
    # is the twelve months up to today)
    page = client.get("/fa/cases/reports/?date_from=2025-01-01&date_to=2025-12-31")
    page = page.content.decode()
    assert "۲۰۲۵" in page
    specs = _specs(page)
    assert all(s["rtl"] is True and s["locale"] == "fa-u-nu-arabext" for s in specs.values())
    assert any(label.startswith("۲۰۲۵") for label in specs["chart-over-time"]["labels"])


def test_the_vendored_chart_js_is_the_4_6_1_release_with_its_licence():
    vendor = Path(charts.__file__).parent / "static" / "cases" / "vendor"
    head = (vendor / "chart.umd.min.js").read_text()[:200]
    assert "Chart.js v4.6.1" in head and "MIT" in head
    assert "MIT License" in (vendor / "chart.js-LICENSE.md").read_text()
    assert "npm chart.js@4.6.1" in (vendor / "README.txt").read_text()


def test_a_csv_download_hides_small_counts_and_is_audited(client, make_user, six_cases):
    client.force_login(make_user("lina", "analyst"))
    response = client.get("/en/cases/reports/time-in-stage.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["stage", "stays", "median_days"]
    table = {row[0]: row for row in rows[1:]}
    assert table["First contact"][1:4] == ["6", "15", "12.5"]
    assert table["In transit"][1:3] == ["<5", ""]
    assert Entry.objects.filter(action="export", object_id="time-in-stage").exists()


@pytest.mark.parametrize("table", aggregates.CSV_TABLES)
def test_every_csv_table_downloads(client, make_user, six_cases, table):
    client.force_login(make_user("lina", "analyst"))
    response = client.get(f"/en/cases/reports/{table}.csv")
    assert response.status_code == 200 and len(response.content.splitlines()) > 1


def test_caseworkers_and_administrators_get_no_reports(client, sara, make_user, verified_client):
    client.force_login(sara)
    assert client.get("/en/cases/reports/").status_code == 403
    admin = verified_client(make_user("arben", "admin"))
    assert admin.get("/en/cases/reports/outcomes.csv").status_code == 403


def test_an_unknown_report_table_is_not_found(client, make_user):
    client.force_login(make_user("lina", "analyst"))
    assert client.get("/en/cases/reports/everything.csv").status_code == 404


def test_charts_carry_right_to_left_and_the_language_digits():
    ltr = charts.horizontal_bars("t", [("a", 10)], rtl=False, locale="en")
    rtl = charts.horizontal_bars("t", [("a", 10)], rtl=True, locale="ar")
    assert ltr["rtl"] is False and ltr["locale"] == "en"
    assert rtl["rtl"] is True and rtl["locale"] == "ar-u-nu-arab"
    assert json.loads(json.dumps(rtl)) == rtl  # plain JSON


def test_a_stage_with_no_stays_shown_gets_no_bar():
    spec = charts.spreads("t", [charts.Spread("a", 1, 2, 3, 4, 5), "b"])
    assert spec["labels"] == ["a", "b"]
    assert [d["data"][1] for d in spec["datasets"]] == [None, None, None]
    assert spec["datasets"][0]["data"][0] == [1, 5] and spec["datasets"][1]["data"][0] == [2, 4]


# Filters -----------------------------------------------------------------------------------


@pytest.fixture
def five_in_the_south(omid, stage):
    """Five cases of the South team, of Albanian persons, still in first contact."""
    cases = []
    for i in range(5):
        person = create_person(
            names=[{"given_name": f"South {i}"}], caseworker=omid, nationality="Albanian"
        )
        cases.append(services.open_case(user=omid, person=person, opened_on=date(2025, 2, 3)))
    return cases


def test_reports_follow_the_team_pathway_and_nationality(six_cases, five_in_the_south, omid):
    today = date(2025, 3, 15)
    everything = aggregates.overdue_tasks(today)
    south = aggregates.overdue_tasks(today, aggregates.Scope(team_id=omid.team_id))
    albanian = aggregates.overdue_tasks(today, aggregates.Scope(nationality="albanian"))
    north = aggregates.overdue_tasks(today, aggregates.Scope(team_id=six_cases[0].team_id))
    assert north.total.count == 15 and south.total.count == everything.total.count - 15
    assert albanian.total.count == south.total.count >= 5
    other = Pathway.objects.create(name="Other")
    assert aggregates.overdue_tasks(today, aggregates.Scope(pathway_id=other.pk)).by_stage == []


def test_the_period_selects_the_stays_that_ended_within_it(six_cases):
    february = aggregates.Scope(date_from=date(2025, 2, 1), date_to=date(2025, 2, 28))
    rows = _by_code(aggregates.time_in_stage(scope=february))
    assert rows["first_contact"].stays is None  # one stay ended in February: hidden
    january = aggregates.Scope(date_to=date(2025, 1, 31))
    assert _by_code(aggregates.time_in_stage(scope=january))["first_contact"].stays == 5


def test_the_period_sets_the_months_shown_over_time(six_cases):
    scope = aggregates.Scope(date_from=date(2025, 1, 10), date_to=date(2025, 2, 20))
    data = aggregates.stages_over_time(date(2025, 3, 15), scope=scope)
    assert data.periods == [date(2025, 1, 31), date(2025, 2, 20)]
    assert [c.count for c in _by_code(data.series)["transit"].cells] == [5, 6]


def test_a_stage_narrows_every_table_to_that_stage(six_cases, stage):
    scope = aggregates.Scope(stage_id=stage("transit").pk)
    data = aggregates.stages_over_time(date(2025, 3, 15), months=2, scope=scope)
    assert [s.stage.code for s in data.series] == ["transit"]
    overdue = aggregates.overdue_tasks(date(2025, 3, 15), scope)
    assert [c.key for c in overdue.by_stage] == ["In transit"] and overdue.total.count == 15


def test_the_csv_follows_the_filters_and_still_hides_small_counts(client, make_user, six_cases):
    client.force_login(make_user("lina", "analyst"))

    def table(query: str) -> dict[str, list[str]]:
        response = client.get(f"/en/cases/reports/time-in-stage.csv{query}")
        return {row[0]: row for row in csv.reader(io.StringIO(response.content.decode()))}

    assert table("")["First contact"][1] == "6"
    assert table("?date_from=2025-02-01")["First contact"][1:3] == ["<5", ""]
    export = Entry.objects.filter(action="export", object_id="time-in-stage").order_by("seq").last()
    assert export.detail == {"filters": {"date_from": "2025-02-01"}}


def test_the_report_page_shows_the_filters_and_links_the_csv_with_them(
    client, make_user, six_cases
):
    client.force_login(make_user("lina", "analyst"))
    page = client.get("/en/cases/reports/?date_from=2025-01-01&nationality=Iranian")
    html = page.content.decode()
    assert 'id="report-filters"' in html
    assert "time-in-stage.csv?date_from=2025-01-01&amp;nationality=Iranian" in html
    wrong = client.get("/en/cases/reports/?date_from=2025-03-01&date_to=2025-01-01")
    assert wrong.status_code == 200 and "comes before its start" in wrong.content.decode()


def test_the_reports_api_takes_the_same_filters(make_user, six_cases):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    token, _created = Token.objects.get_or_create(user=make_user("lina", "analyst"))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    tables = {t["name"]: t for t in api.get("/api/case-reports/?date_from=2025-02-01").json()}
    stays = {row[0]: row for row in tables["time-in-stage"]["rows"]}
    assert stays["First contact"][1] == "<5"
    bad = api.get("/api/case-reports/?date_from=2025-03-01&date_to=2025-01-01")
    assert bad.status_code == 400 and "date_to" in bad.json()


# Calendars ---------------------------------------------------------------------------------


def test_chart_months_follow_the_solar_hijri_calendar_and_persian_digits(
    client, make_user, six_cases
):
    lina = make_user("lina", "analyst")
    client.force_login(lina)
    today = timezone.localdate()
    gregorian = client.get("/fa/cases/reports/").content.decode()
    assert dates.format_month(today, "gregorian", "fa") in gregorian
    lina.calendar = "solar_hijri"
    lina.save()
    page = client.get("/fa/cases/reports/").content.decode()
    month = dates.format_month(today, "solar_hijri", "fa")  # e.g. ۱۴۰۵/۰۹
    assert month.startswith("۱۴") and month in page  # the table
    assert month in _specs(page)["chart-over-time"]["labels"]  # the chart
    assert dates.format_month(today, "gregorian", "fa") not in page
    english = client.get("/en/cases/reports/").content.decode()
    assert dates.format_month(today, "solar_hijri", "en") in english


def test_solar_hijri_month_ends_fall_on_the_last_day_of_each_solar_month():
    ends = dates.month_ends(date(2025, 3, 25), "solar_hijri", months=3)
    # Esfand 1403 ended on 20 March 2025; Bahman on 18 February.
    assert ends == [date(2025, 2, 18), date(2025, 3, 20), date(2025, 3, 25)]
    assert [dates.format_month(d, "solar_hijri", "en") for d in ends] == [
        "1403/11",
        "1403/12",
        "1404/01",
    ]
    assert dates.month_ends(date(2025, 3, 25), "gregorian", first=date(2025, 2, 2)) == [
        date(2025, 2, 28),
        date(2025, 3, 25),
    ]
