"""Crawling the web pages a role can reach, and reading their forms, for the page scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

MAX_PAGES = 70
# Never followed: leaving the session, or files that are not pages.
SKIP = ("/accounts/logout/", "/static/", "/i18n/")


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def has_csrf_token(self) -> bool:
        return bool(self.fields.get("csrfmiddlewaretoken"))


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                method=(a.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = a.get("name")
            if not name:
                return
            if a.get("type") == "file":
                self._form.files.append(name)
            elif a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self._form.fields.setdefault(name, "")
            else:
                self._form.fields.setdefault(name, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse(page: str, html: str) -> _Parser:
    parser = _Parser(page)
    parser.feed(html)
    return parser


def logged_in_client(user, **kwargs) -> Client:
    """A client logged in as `user`; two-factor roles confirm a real TOTP code."""
    client = Client(**kwargs)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
        response = client.post("/en/accounts/two-factor/", {"token": code})
        assert response.status_code == 302, response.content[:300]
    return client


@dataclass
class Visit:
    url: str
    response: object
    html: str
    parsed: _Parser | None


def crawl(client: Client, start: list[str], max_pages: int = MAX_PAGES) -> list[Visit]:
    """Breadth-first over same-site links, GET only."""
    queue, seen, visits = list(start), set(start), []
    while queue and len(visits) < max_pages:
        url = queue.pop(0)
        response = client.get(url)
        kind = response.get("Content-Type", "")
        html = response.content.decode("utf-8", "replace") if "html" in kind else ""
        parsed = parse(url, html) if html else None
        visits.append(Visit(url, response, html, parsed))
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
            targets = [response["Location"]]
        else:
            targets = parsed.links if parsed else []
        for href in targets:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if target.startswith(SKIP) or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    return visits
