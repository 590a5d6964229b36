"""The Zammad connection as configured in settings: one place that reads the ZAMMAD_* credentials."""

from __future__ import annotations

from django.conf import settings

from zammad_client import ZammadClient


def is_configured() -> bool:
    """Forwarding is on only with a URL and one credential; otherwise submissions wait, queued."""
    return bool(settings.ZAMMAD_URL) and any(
        (settings.ZAMMAD_TOKEN, settings.ZAMMAD_OAUTH_TOKEN, settings.ZAMMAD_HTTP_USER)
    )


def build_client() -> ZammadClient:
    """A client for the configured Zammad; the token wins over OAuth, OAuth over basic auth."""
    timeouts = {
        "connect_timeout": settings.ZAMMAD_CONNECT_TIMEOUT,
        "read_timeout": settings.ZAMMAD_READ_TIMEOUT,
    }
    if settings.ZAMMAD_TOKEN:
        return ZammadClient(settings.ZAMMAD_URL, token=settings.ZAMMAD_TOKEN, **timeouts)
    if settings.ZAMMAD_OAUTH_TOKEN:
        return ZammadClient(settings.ZAMMAD_URL, bearer=settings.ZAMMAD_OAUTH_TOKEN, **timeouts)
    return ZammadClient(
        settings.ZAMMAD_URL,
        basic_auth=(settings.ZAMMAD_HTTP_USER, settings.ZAMMAD_HTTP_PASSWORD),
        **timeouts,
    )


def ticket_url(ticket_id: int) -> str:
    """Where an agent opens the ticket in Zammad's web UI."""
    return f"{settings.ZAMMAD_URL}/#ticket/zoom/{ticket_id}"
