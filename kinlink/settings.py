"""kinlink settings: one module, configured by environment variables.

KINLINK_DATA           data directory (default ./kinlink-data): database, keys, files
DATABASE_URL           postgresql://user:pass@host:5432/kinlink (default: SQLite in KINLINK_DATA)
KINLINK_SECRET_KEY     Django secret key (default: generated into KINLINK_DATA/secret_key)
KINLINK_FIELD_KEYS     comma-separated Fernet keys for sensitive fields, newest first
                       (default: KINLINK_DATA/field_keys, created on first use)
KINLINK_ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1,[::1])
KINLINK_DEBUG          1 to turn debug on (never in production)
KINLINK_PG_PARALLEL_WORKERS  PostgreSQL's max_parallel_workers_per_gather for this process
                       (0 for web processes on small servers; default: the server's setting)
KINLINK_HTTPS          1 when served over HTTPS behind a proxy: secure cookies, HSTS, redirects
KINLINK_TRUSTED_PROXY  1 when a reverse proxy sets X-Forwarded-For / X-Forwarded-Proto
KINLINK_EMAIL_URL      smtp://user:pass@host:port for reminders (default: no mail)
KINLINK_BASE_URL       https://kinlink.example.org: the address reminder emails link to
KINLINK_CASES_RENEWAL_LEAD_DAYS  days before a document expires that its renewal task falls
                       due, for document types without their own (default 60)
KINLINK_NOTIFY_MIN_SCORE  a caseworker is told of a person registered after their enquiry
                       when the match probability is at least this (0..1, default 0.2)
KINLINK_EXPORT_PASSPHRASE_ABOVE  caseload exports with more rows need a passphrase
                       (AES-256 ZIP; default 1000)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("KINLINK_DATA", "kinlink-data")).resolve()


def _secret_key() -> str:
    if os.environ.get("KINLINK_SECRET_KEY"):
        return os.environ["KINLINK_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("KINLINK_DEBUG")
HTTPS = _flag("KINLINK_HTTPS")
ALLOWED_HOSTS = _list("KINLINK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _list("KINLINK_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "csp",
    "kinlink.audit",
    "kinlink.accounts",
    "kinlink.people",
    "kinlink.tracing",
    "kinlink.cases",
    "kinlink.testimony",
    "kinlink.privacy",
    "kinlink.reports",
    "kinlink.web",
    "kinlink.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kinlink.web.middleware.RefuseNulInQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kinlink.audit.middleware.AuditContextMiddleware",
    "kinlink.accounts.middleware.RequireTwoFactorMiddleware",
    "kinlink.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kinlink.urls"
WSGI_APPLICATION = "kinlink.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "kinlink.web.context_processors.navigation",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "kinlink.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                # Writers take the lock at BEGIN, so audit entries are appended one at a time.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
_parallel = os.environ.get("KINLINK_PG_PARALLEL_WORKERS", "")
if _parallel.isdigit() and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Web processes send many small queries at once: a parallel plan starts extra server
    # processes per query and only adds CPU there (0 in `kinlink serve`; docs/OPERATIONS.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={int(_parallel)}"
    )
if os.environ.get("KINLINK_TEST_DB") == "postgres":
    # tests/conftest.py starts a throwaway PostgreSQL cluster and fills in HOST and PORT.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "kinlink_test",
            "USER": "postgres",
            "HOST": "",
            "PORT": "",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+address pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("KINLINK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = 1 if _flag("KINLINK_TRUSTED_PROXY") else 0
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "kinlink"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fa", _("Persian")),
    ("ar", _("Arabic")),
    ("sq", _("Albanian")),
]
LANGUAGES_BIDI = ["fa", "ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("KINLINK_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "files"

FIELD_KEYS = _list("KINLINK_FIELD_KEYS", "")
FIELD_KEY_FILE = DATA_DIR / "field_keys"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kinlink.api.permissions.IsActiveStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"user": "6000/hour"},
    "EXCEPTION_HANDLER": "kinlink.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kinlink API",
    "DESCRIPTION": "Tracing, cases and testimonies. Every response holds only what the caller "
    "may see and what the people concerned consented to.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kinlink.api.schema.add_error_responses",
    ],
}

# Security headers. The CSP is strict: no inline scripts, nothing from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Preloading HSTS is an operator's decision for the whole domain, not kinlink's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KINLINK_LOG_LEVEL", "WARNING")},
}

if os.environ.get("KINLINK_EMAIL_URL"):
    from urllib.parse import unquote, urlparse

    _mail = urlparse(os.environ["KINLINK_EMAIL_URL"])
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("KINLINK_FROM_EMAIL", "kinlink@localhost")
KINLINK_BASE_URL = os.environ.get("KINLINK_BASE_URL", "").rstrip("/")

# Cases: days before expiry that a document's renewal task falls due (a document type may set
# its own).
CASES_RENEWAL_LEAD_DAYS = int(os.environ.get("KINLINK_CASES_RENEWAL_LEAD_DAYS", "60"))
if CASES_RENEWAL_LEAD_DAYS < 0:
    raise ValueError("KINLINK_CASES_RENEWAL_LEAD_DAYS must be a number of days, 0 or more")

# A person registered after an enquiry joins its candidates whatever the score; the enquiry's
# caseworker is notified only from this match probability up (not of every long shot).
try:
    TRACING_NOTIFY_MIN_SCORE = float(os.environ.get("KINLINK_NOTIFY_MIN_SCORE", "0.2"))
except ValueError:
    TRACING_NOTIFY_MIN_SCORE = -1.0
if not 0.0 <= TRACING_NOTIFY_MIN_SCORE <= 1.0:
    raise ValueError("KINLINK_NOTIFY_MIN_SCORE must be a match probability from 0 to 1")

# Caseload exports with more rows than this must be sealed with a passphrase (AES-256 ZIP).
EXPORT_PASSPHRASE_ABOVE = int(os.environ.get("KINLINK_EXPORT_PASSPHRASE_ABOVE", "1000"))
