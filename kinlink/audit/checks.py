"""`kinlink check --deploy` findings about the audit log and field keys."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def field_keys_outside_data_dir(app_configs, **kwargs):
    if settings.FIELD_KEYS:
        return []
    return [
        Warning(
            "Field encryption keys are read from a file in the data directory.",
            hint="Set KINLINK_FIELD_KEYS from a secret store so that a copy of the data "
            "directory does not carry the key that opens it.",
            id="kinlink.W001",
        )
    ]


@register(Tags.database, deploy=True)
def production_database(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return [
            Warning(
                "The database is SQLite, which suits the demo and a single user.",
                hint="Set DATABASE_URL to a PostgreSQL database for an office with several users.",
                id="kinlink.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def allowed_hosts_not_wildcard(app_configs, **kwargs):
    if "*" in settings.ALLOWED_HOSTS:
        return [
            Warning(
                "KINLINK_ALLOWED_HOSTS accepts any host name.",
                hint="List the host names kinlink is served under.",
                id="kinlink.W003",
            )
        ]
    return []


@register(Tags.security)
def field_keys_are_valid(app_configs, **kwargs):
    from .crypto import FieldKeyError, fernet

    try:
        fernet()
    except FieldKeyError as exc:
        return [Error(str(exc), id="kinlink.E001")]
    from .keys import canary_opens

    if canary_opens() is False:
        return [
            Error(
                "The configured field keys cannot read this database's encrypted fields.",
                hint="Set KINLINK_FIELD_KEYS (or the field_keys file) to the key this database "
                "was written with; see docs/OPERATIONS.md, 'Keys'.",
                id="kinlink.E002",
            )
        ]
    return []
