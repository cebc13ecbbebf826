import csv
import io
from datetime import date, timedelta

import pytest

from kinlink.audit.models import Entry
from kinlink.cases import aggregates, charts, services
from kinlink.people.services import create_person

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
