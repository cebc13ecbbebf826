import csv
import io
from datetime import date, timedelta

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


def test_the_report_page_draws_charts_without_scripts_and_hides_small_counts(
    client, make_user, six_cases
):
    client.force_login(make_user("lina", "analyst"))
    response = client.get("/en/cases/reports/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 4 and "<rect" in page and "<circle" in page
    assert "<script>" not in page and 'style="' not in page
    assert "&lt;5" in page


def test_the_report_page_in_persian_uses_persian_digits_and_mirrors_the_charts(
    client, make_user, six_cases
):
    client.force_login(make_user("lina", "analyst"))
    page = client.get("/fa/cases/reports/").content.decode()
    assert "۲۰۲۵" in page


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


def test_charts_mirror_for_right_to_left_pages():
    rows = [("a", 10), ("b", None)]
    ltr = charts.horizontal_bars("t", rows, rtl=False, width=600)
    rtl = charts.horizontal_bars("t", rows, rtl=True, width=600)
    left, right = ltr.rects[0], rtl.rects[0]
    assert float(left.x) + float(right.x) + float(left.width) == pytest.approx(600)
    assert [t.text for t in ltr.texts] == ["a", "10", "b", "<5"]
    assert ltr.texts[0].anchor == "end" and rtl.texts[0].anchor == "start"


def test_a_hidden_count_draws_no_segment_in_a_stacked_column():
    chart = charts.stacked_columns("t", ["2025-01"], [("x", [None]), ("y", [7])])
    assert [r.css for r in chart.rects] == ["s1"]


def test_axes_end_on_four_whole_numbered_steps():
    assert [charts.axis_top(v) for v in (0, 3, 7, 11, 23, 180)] == [4, 4, 8, 20, 40, 200]


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
    assert month.startswith("۱۴") and page.count(month) >= 2  # the chart and its table
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
