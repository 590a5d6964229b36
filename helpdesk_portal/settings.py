"""Settings for the OX helpdesk portal.

Everything an operator may change comes from the environment (a `.env` file in the project
directory is read first when present); `.env.example` documents every variable. The defaults give
a development setup that needs no services: SQLite, console email, the database cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from helpdesk_portal.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_mapping,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env", override=False)

TESTING = "pytest" in sys.modules or env_bool("PORTAL_TESTING")
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-never-use-in-production"
# Without a key in production, commands that sign nothing (migrate, makemigrations,
# compilemessages) still run; serving refuses to start (helpdesk_portal.startup), and Django
# itself refuses to sign anything with an empty key.

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address of the portal, used in links inside emails sent from the worker or the
# mail channel, where no request tells us the host.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "tickets",
    "delivery",
    "mailin",
    # ninja's own static files give the API docs page its Swagger UI without any CDN.
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.middleware.JsonMethodNotAllowedMiddleware",
    # Last, as django-axes requires: it turns a lockout into a friendly page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk_portal.urls"
WSGI_APPLICATION = "helpdesk_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the embedded default so a fresh clone runs without services; production uses
# PostgreSQL through DATABASE_URL (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the worker write without "database is
    # locked" errors; IMMEDIATE transactions take the write lock up front.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].pop("CONN_HEALTH_CHECKS", None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tickets:list"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Login throttling: after AXES_FAILURE_LIMIT failures for one email from one address, that pair
# is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: clients connect directly).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "helpdesk_portal.client_ip.client_ip"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Uploads live outside the static tree and are only ever served through a view that checks who
# is asking (tickets.views.attachment_download); MEDIA_URL is deliberately not routed.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OX Helpdesk Portal <helpdesk-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: Django's tasks API (django-tasks backport) with the database backend, so the
# submission row and its delivery task are written in one transaction.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Security: production values are on whenever DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Upload limits; shown on the form and applied on every channel.
ATTACHMENT_MAX_FILE_BYTES = env_int("ATTACHMENT_MAX_FILE_MB", 10) * 1024 * 1024
ATTACHMENT_MAX_TOTAL_BYTES = env_int("ATTACHMENT_MAX_TOTAL_MB", 25) * 1024 * 1024
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_TOTAL_BYTES + 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SUBMISSION_REFERENCE_PREFIX = env_str("SUBMISSION_REFERENCE_PREFIX", "OXP")
ACCOUNT_REQUEST_NOTIFY = env_list("ACCOUNT_REQUEST_NOTIFY")
# Account requests accepted per client address and window, against floods of the public form.
ACCOUNT_REQUEST_RATE_LIMIT = env_str("ACCOUNT_REQUEST_RATE_LIMIT", "5/hour")

# REST API: requests per token and window ("60/minute", "1000/hour"), counted in the cache; and
# the largest request body, by default room for the attachment limit in base64 plus the fields.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "60/minute")
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", ATTACHMENT_MAX_TOTAL_BYTES * 4 // 3 + 1024 * 1024)
# Django refuses bodies over this before the API can answer; it must leave the API its room.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(DATA_UPLOAD_MAX_MEMORY_SIZE, API_MAX_BODY_BYTES)

# Zammad. Without ZAMMAD_URL nothing is forwarded: submissions wait, queued, until it is set.
ZAMMAD_URL = env_str("ZAMMAD_URL").rstrip("/")
ZAMMAD_TOKEN = env_secret("ZAMMAD_TOKEN")
ZAMMAD_HTTP_USER = env_str("ZAMMAD_HTTP_USER")
ZAMMAD_HTTP_PASSWORD = env_secret("ZAMMAD_HTTP_PASSWORD")
ZAMMAD_OAUTH_TOKEN = env_secret("ZAMMAD_OAUTH_TOKEN")
ZAMMAD_ACT_AS_CUSTOMER = env_bool("ZAMMAD_ACT_AS_CUSTOMER", False)
ZAMMAD_CONNECT_TIMEOUT = env_float("ZAMMAD_CONNECT_TIMEOUT", 5)
ZAMMAD_READ_TIMEOUT = env_float("ZAMMAD_READ_TIMEOUT", 30)
ZAMMAD_DEFAULT_GROUP = env_str("ZAMMAD_DEFAULT_GROUP", "Users")
ZAMMAD_GROUPS = env_mapping("ZAMMAD_GROUPS")
ZAMMAD_PRIORITIES = env_mapping("ZAMMAD_PRIORITIES", "1=3 high,2=3 high,3=2 normal,4=1 low")
ZAMMAD_DEFAULT_PRIORITY = env_str("ZAMMAD_DEFAULT_PRIORITY", "2 normal")
ZAMMAD_CUSTOM_FIELDS = env_mapping("ZAMMAD_CUSTOM_FIELDS")
ZAMMAD_WEBHOOK_SECRET = env_secret("ZAMMAD_WEBHOOK_SECRET")
ZAMMAD_RETRY_HORIZON_HOURS = env_float("ZAMMAD_RETRY_HORIZON_HOURS", 24)
ZAMMAD_POLL_MINUTES = env_float("ZAMMAD_POLL_MINUTES", 5)
# A delivery claimed by a worker that has not finished after this long is taken over (crashed worker).
ZAMMAD_LEASE_SECONDS = env_float("ZAMMAD_LEASE_SECONDS", 300)
# Retry waits: base * 2**(attempt-1) with jitter, capped at the maximum.
ZAMMAD_BACKOFF_BASE_SECONDS = env_float("ZAMMAD_BACKOFF_BASE_SECONDS", 30)
ZAMMAD_BACKOFF_MAX_SECONDS = env_float("ZAMMAD_BACKOFF_MAX_SECONDS", 3600)

# Mail channel (manage.py ingest_email): the IMAP mailbox polled by `ingest_email --imap`, the
# largest message accepted, the cap on automatic replies per sender, and the addresses customers
# write to (support@, helpdesk@); mail from those addresses is never taken as a customer's.
MAILIN_IMAP_HOST = env_str("MAILIN_IMAP_HOST")
MAILIN_IMAP_PORT = env_int("MAILIN_IMAP_PORT", 993)
MAILIN_IMAP_USER = env_str("MAILIN_IMAP_USER")
MAILIN_IMAP_PASSWORD = env_secret("MAILIN_IMAP_PASSWORD")
MAILIN_IMAP_FOLDER = env_str("MAILIN_IMAP_FOLDER", "INBOX")
MAILIN_IMAP_PROCESSED_FOLDER = env_str("MAILIN_IMAP_PROCESSED_FOLDER", "Processed")
MAILIN_MAX_MESSAGE_BYTES = env_int("MAILIN_MAX_MESSAGE_MB", 40) * 1024 * 1024
MAILIN_REPLY_LIMIT_PER_HOUR = env_int("MAILIN_REPLY_LIMIT_PER_HOUR", 5)
MAILIN_SUPPORT_ADDRESSES = env_list("MAILIN_SUPPORT_ADDRESSES")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Request logs would repeat the webhook's signature header at DEBUG level.
        "urllib3": {"level": "WARNING"},
    },
}
