from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        checks.register(check_api_settings)


def check_api_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed API_RATE_LIMIT would otherwise surface as an error on the first API request."""
    from django.conf import settings

    from helpdesk_portal.ratelimit import parse_rate

    try:
        limit, _window = parse_rate(settings.API_RATE_LIMIT)
        if limit < 1:
            raise ValueError
    except (ValueError, KeyError):
        return [checks.Error(
            f"API_RATE_LIMIT must look like 60/minute (a number, then second, minute, hour or day), "
            f"not {settings.API_RATE_LIMIT!r}.",
            id="api.E001",
        )]
    return []
