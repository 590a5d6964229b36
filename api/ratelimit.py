"""Per-token rate limit: a fixed-window counter in Django's cache (Redis or the database cache)."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

# The clock, replaceable in tests so a window boundary never falls inside one.
clock = time.time

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Turn "60/minute" into (60, 60): requests allowed per window of that many seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower() or "minute"]


class TokenRateThrottle(BaseThrottle):
    """Allow API_RATE_LIMIT requests per token and window; ninja answers 429 with Retry-After."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True
        limit, window = parse_rate(settings.API_RATE_LIMIT)
        now = clock()
        window_index = int(now // window)
        # The hash, not the id: ids can be reused after a delete, a token hash never is.
        key = f"api-rate:{token.token_hash[:24]}:{window}:{window_index}"
        # add() only sets a missing key, so concurrent first requests do not reset each other.
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add() and incr()
            cache.set(key, 1, timeout=window + 5)
            count = 1
        return count <= limit

    def wait(self) -> float | None:
        """Seconds until the current window ends (stateless: one instance serves every thread)."""
        _limit, window = parse_rate(settings.API_RATE_LIMIT)
        now = clock()
        return max(1, math.ceil((int(now // window) + 1) * window - now))
