"""One shape for every error the API answers, so that clients (and the published schema) can
rely on it: a JSON object. Refusals carry `detail`; bad input names each field with its
messages, and what belongs to no field goes under `non_field_errors`."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # a service's ValidationError without a field: DRF would answer a bare list
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response
