from datetime import UTC, date, datetime

import pytest

from kinlink.people.services import create_person
from kinlink.web.dates import format_date

pytestmark = pytest.mark.django_db


def test_a_date_shows_in_the_solar_hijri_calendar_with_persian_digits():
    assert format_date(date(2026, 11, 23), "solar_hijri", "fa") == "۱۴۰۵/۰۹/۰۲"
    assert format_date(date(2026, 11, 23), "gregorian", "en") == "2026-11-23"
    assert format_date(date(1965, 3, 21), "solar_hijri", "en") == "1344/01/01"


def test_a_datetime_shows_with_arabic_indic_digits_in_arabic():
    moment = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    assert format_date(moment, "gregorian", "ar", with_time=True) == "٢٠٢٦-١١-٢٣ ٠٩:٠٥"


def test_preferences_switch_the_calendar_of_every_date_on_the_pages(client, make_user):
    sara = make_user("sara", "caseworker")
    person = create_person(
        names=[{"given_name": "Maryam", "family_name": "Karimi"}], caseworker=sara
    )
    client.force_login(sara)
    gregorian = client.get(f"/en/persons/{person.pk}/").content.decode()
    assert str(person.updated_at.year) in gregorian
    response = client.post(
        "/en/accounts/preferences/", {"language": "en", "calendar": "solar_hijri"}
    )
    assert response.status_code == 302
    solar = client.get(f"/en/persons/{person.pk}/").content.decode()
    assert str(person.updated_at.year - 621) in solar


def test_persian_pages_are_right_to_left_and_english_left_to_right(client):
    assert 'dir="rtl"' in client.get("/fa/accounts/login/").content.decode()
    assert 'dir="rtl"' in client.get("/ar/accounts/login/").content.decode()
    assert 'dir="ltr"' in client.get("/sq/accounts/login/").content.decode()


def test_pages_need_a_login(client):
    response = client.get("/en/persons/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/persons/").status_code in (401, 403)


def test_reports_hide_counts_below_five(client, make_user):
    for i in range(6):
        create_person(names=[{"given_name": f"N{i}"}], status="alive", gender="F")
    create_person(names=[{"given_name": "Solo"}], status="deceased", gender="F")
    client.force_login(make_user("lina", "analyst"))
    page = client.get("/en/reports/").content.decode()
    assert "<td>6</td>" in page
    assert "<td>&lt;5</td>" in page
    assert "<td>1</td>" not in page


def test_the_openapi_schema_describes_the_api(client):
    schema = client.get("/api/openapi.json", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/persons/{id}/" in paths and "/api/token/" in paths


def test_the_health_check_answers_without_login(client):
    assert client.get("/healthz").content == b"ok"
