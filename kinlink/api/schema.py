"""Post-processing of the OpenAPI schema: every operation documents its error answers (the
shapes kinlink.api.errors guarantees), so that the fuzzing tests check those bodies too."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": "A refusal: not logged in, not allowed, or no such record in your reach.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Bad input: each field named with its messages (a list of strings, or an "
    "object for a nested field); `non_field_errors` for what concerns no single field.",
    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}]},
}
ANSWERS = {
    "400": ("ValidationError", "Bad input; the fields at fault are named."),
    "401": ("Error", "No valid token or session."),
    "403": ("Error", "Your role may not do this."),
    "404": ("Error", "No such record in your reach (records outside it answer the same)."),
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: add the error answers an operation does
    not already describe."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, (component, description) in ANSWERS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result
