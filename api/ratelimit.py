"""Per-token rate limit for the API, on the shared fixed-window counter."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from helpdesk_portal import ratelimit


class TokenRateThrottle(BaseThrottle):
    """Allow API_RATE_LIMIT requests per token and window; ninja answers 429 with Retry-After."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True
        # The hash, not the id: ids can be reused after a delete, a token hash never is.
        return ratelimit.hit(f"api:{token.token_hash[:24]}", settings.API_RATE_LIMIT)

    def wait(self) -> float | None:
        """Seconds until the current window ends (stateless: one instance serves every thread)."""
        return ratelimit.seconds_until_next_window(settings.API_RATE_LIMIT)
