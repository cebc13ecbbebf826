"""A NUL character in a query parameter is refused with 400 naming the parameter, on pages
and in the API, before it reaches the database (PostgreSQL cannot hold it: it used to end in
a server error on the persons and enquiry searches)."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(make_user):
    return make_user("sara", "caseworker", team="North")


@pytest.mark.parametrize(
    "path, params",
    [
        ("/en/persons/", {"q": "Hos\x00sein"}),
        ("/en/tracing/", {"q": "\x00", "status": "open"}),
        ("/fa/persons/", {"page": "1\x00"}),
    ],
)
def test_a_page_refuses_it_naming_the_parameter(client, sara, path, params):
    client.force_login(sara)
    response = client.get(path, params)
    assert response.status_code == 400
    named = next(name for name, value in params.items() if "\x00" in value)
    assert named in response.content.decode()  # in the page's language (fa: «page»)


@pytest.mark.parametrize("path", ["/api/persons/", "/api/enquiries/", "/api/notifications/"])
def test_the_api_refuses_it_as_json(sara, path):
    api = APIClient()
    api.force_authenticate(sara)
    response = api.get(path, {"q": "a\x00"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "q" and "NUL" in response.json()["detail"]


def test_a_name_of_a_parameter_with_nul_is_refused_too(client, sara):
    client.force_login(sara)
    response = client.get("/en/persons/?a%00b=1")
    assert response.status_code == 400 and "a\\0b" in response.content.decode()


def test_ordinary_searches_pass(client, sara):
    client.force_login(sara)
    assert client.get("/en/persons/", {"q": "حسین"}).status_code == 200
