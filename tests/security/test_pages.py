"""A scan of the web app's own pages, for each role, over records whose Persian and Arabic names
carry markup: XSS (escaping), clickjacking headers, CSRF on every POST form, open redirects
and cookie flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import secscan
from django.test import Client, override_settings
from secworld import PASSWORD, RAW_MARKERS, XSS

ROLES = ["caseworker", "supervisor", "dpo", "admin", "analyst"]
# Where each role starts: its home page (with the navigation) and every section's first page.
SECTIONS = [
    "/en/",
    "/fa/",
    "/ar/persons/",
    "/en/tracing/",
    "/en/cases/",
    "/en/cases/deadlines/",
    "/en/cases/reports/",
    "/en/cases/settings/",
    "/en/testimony/",
    "/en/testimony/places/",
    "/en/testimony/event-types/",
    "/en/testimony/exports/",
    "/en/testimony/figures/",
    "/en/accounts/preferences/",
]
EVIL = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:evil.example",
]


def _crawl(world, role):
    client = secscan.logged_in_client(world.users[role])
    home = client.get("/en/")
    nav = [
        link
        for link in secscan.parse("/en/", home.content.decode()).links
        if link.startswith("/") and not link.startswith("//")
    ]
    return client, secscan.crawl(client, [*SECTIONS, *nav])


@pytest.mark.parametrize("role", ROLES)
def test_pages_escape_markup_forbid_framing_and_need_csrf_tokens(world, role):
    client, visits = _crawl(world, role)
    html_pages = [v for v in visits if v.html]
    assert len(html_pages) >= 8, [v.url for v in visits]
    problems = []
    for visit in visits:
        response = visit.response
        if response.status_code >= 500:
            problems.append(f"{visit.url}: {response.status_code}")
        if response.get("X-Frame-Options") != "DENY":
            problems.append(f"{visit.url}: X-Frame-Options {response.get('X-Frame-Options')}")
        if "frame-ancestors 'none'" not in response.get("Content-Security-Policy", ""):
            problems.append(f"{visit.url}: no CSP frame-ancestors 'none'")
        for marker in RAW_MARKERS:
            if marker in visit.html:
                problems.append(f"{visit.url}: unescaped {marker!r}")
        lowered = visit.html.lower()
        for attr in ('href="javascript:', "href='javascript:", 'src="javascript:'):
            if attr in lowered:
                problems.append(f"{visit.url}: {attr} in the page")
        for form in visit.parsed.forms if visit.parsed else []:
            if form.method == "post" and not form.has_csrf_token:
                problems.append(f"{visit.url}: POST form to {form.action} without a CSRF token")
    assert not problems, "\n".join(problems)
    if role in ("caseworker", "supervisor", "dpo"):
        # The hostile names were really rendered (escaped): the scan looked at them.
        escaped = "&lt;script&gt;alert(1)&lt;/script&gt;حسین"
        shown = [v.url for v in html_pages if escaped in v.html]
        assert len(shown) >= 3, f"hostile names rendered on {shown} only"
    _post_forms_refuse_requests_without_token(client, visits, role)


def _post_forms_refuse_requests_without_token(client, visits, role):
    """Every POST form found, sent without its token by the same session: 403."""
    forms = {}
    for visit in visits:
        for form in visit.parsed.forms if visit.parsed else []:
            if form.method == "post":
                forms.setdefault(form.action, form)
    assert len(forms) >= (4 if role in ("caseworker", "supervisor") else 2), list(forms)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    accepted = []
    for action, form in forms.items():
        data = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
        response = strict.post(action, data)
        if response.status_code != 403:
            accepted.append(f"{action} (from {form.page}): {response.status_code}")
    assert not accepted, "POST accepted without a CSRF token:\n" + "\n".join(accepted)
    # The same client with the page's token gets through: the 403s were the CSRF check.
    language = forms["/i18n/setlang/"]
    response = strict.post("/i18n/setlang/", {**language.fields, "language": "fa"})
    assert response.status_code == 302


def test_the_login_form_refuses_a_post_without_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/accounts/login/")
    form = next(f for f in secscan.parse("/en/accounts/login/", page.content.decode()).forms)
    assert form.method == "post" and form.has_csrf_token
    response = client.post("/en/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def _is_external(location: str) -> bool:
    parts = urlsplit(location.replace("\\", "/"))
    return bool(parts.scheme or parts.netloc) or location.startswith(("//", "/\\", "\\"))


@pytest.mark.parametrize("target", EVIL)
def test_login_refuses_to_redirect_off_site(world, target):
    client = Client()
    page = client.get("/en/accounts/login/", {"next": target})
    assert target.encode() not in page.content or b"evil" not in page.content.split(b"next")[0]
    response = client.post(
        f"/en/accounts/login/?next={target}",
        {"username": "cw", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert not _is_external(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_set_language_refuses_to_redirect_off_site(world, target):
    client = secscan.logged_in_client(world.users["caseworker"])
    for response in (
        client.post("/i18n/setlang/", {"language": "fa", "next": target}),
        client.post("/i18n/setlang/", {"language": "fa"}, headers={"referer": target}),
    ):
        assert response.status_code == 302
        assert not _is_external(response["Location"]), response["Location"]


def _settings_with(env: dict) -> dict:
    """The values kinlink.settings computes under these environment variables, read by a
    fresh interpreter (settings are computed at import)."""
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SAMESITE",
        "LANGUAGE_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "X_FRAME_OPTIONS",
    ]
    code = (
        "import json, django.conf as c, kinlink.settings as k; "
        "from django.conf import global_settings as g; "
        f"print(json.dumps({{n: getattr(k, n, getattr(g, n, None)) for n in {names!r}}}))"
    )
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cookies_are_httponly_samesite_and_secure_behind_https(world):
    values = _settings_with({"KINLINK_HTTPS": "1"})
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["LANGUAGE_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY"
    plain = _settings_with({"KINLINK_HTTPS": "0"})
    assert not plain["SESSION_COOKIE_SECURE"]  # plain HTTP (the demo) still works
    cookie_settings = {k: v for k, v in values.items() if "COOKIE" in k}
    with override_settings(**cookie_settings, SECURE_SSL_REDIRECT=False):
        client = Client()
        client.get("/en/accounts/login/")
        response = client.post(
            "/en/accounts/login/", {"username": "cw", "password": PASSWORD}, secure=True
        )
        assert response.status_code == 302
        cookies = {**client.cookies, **response.cookies}
        for name in ("sessionid", "csrftoken"):
            morsel = cookies[name]
            assert morsel["httponly"], name
            assert morsel["secure"], name
            assert morsel["samesite"].lower() in ("lax", "strict"), name


def test_hostile_strings_reach_the_pages_unchanged_but_escaped(world):
    """A guard on the scan's own data: the world's names carry the markup the scan looks for."""
    assert all(any(marker in text for marker in RAW_MARKERS) for text in XSS)
