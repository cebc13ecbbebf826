from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .roles import needs_two_factor

# Paths a user who still owes a one-time password may open.
_OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/")


class RequireTwoFactorMiddleware:
    """Administrators and data-protection officers see nothing until they confirm a TOTP code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and needs_two_factor(user.role)
            and not user.is_verified()
            and not self._is_open(request.path)
        ):
            return redirect(reverse("accounts:two_factor"))
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        if path.startswith(_OPEN_PREFIXES):
            return True
        # language-prefixed account pages: /fa/accounts/two-factor/ and the like
        parts = path.strip("/").split("/")
        return "accounts" in parts[:2] and parts[-1] in {"two-factor", "logout", "login"}


class UserPreferencesMiddleware:
    """Keeps the user's chosen calendar on the request for date formatting."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        calendar = request.session.get("calendar") if hasattr(request, "session") else None
        if not calendar and user is not None and user.is_authenticated:
            calendar = user.calendar
        request.calendar = calendar or (
            "solar_hijri" if translation.get_language() == "fa" else "gregorian"
        )
        return self.get_response(request)
