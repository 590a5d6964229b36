"""Checks a serving process makes before it accepts its first request."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = "SECRET_KEY must be set when DEBUG is off (see .env.example)"


def require_serving_configuration() -> None:
    """Refuse to serve without a secret key: sessions, CSRF and password links depend on it."""
    try:
        settings.SECRET_KEY  # noqa: B018  (Django raises on an empty key when it is read)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(MISSING_SECRET_KEY) from None
