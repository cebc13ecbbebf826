"""Refusing query parameters that no database can hold.

PostgreSQL refuses text with a NUL character (U+0000). Forms and the API's serializers
already refuse it in what they accept (Django's and DRF's CharField), but a search box or a
list filter passes its query parameter straight to the database, where it would end in a
server error. Such a request is answered 400, naming the parameter, before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RefuseNulInQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                shown = name.replace("\x00", "\\0")
                message = _("The parameter “%(name)s” holds a NUL character; remove it.") % {
                    "name": shown
                }
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message, "parameter": shown}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
