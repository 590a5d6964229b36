"""Fixed-window counters in Django's cache (Redis when configured, the database cache otherwise).

Used for the API's per-token limit and for public forms that must not be flooded.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

# The clock, replaceable in tests so a window boundary never falls inside one.
clock = time.time

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Turn "60/minute" into (60, 60): requests allowed per window of that many seconds."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower() or "minute"]


def hit(scope: str, rate: str) -> bool:
    """Count one request against `scope`; False once it is over the rate in the current window."""
    limit, window = parse_rate(rate)
    key = f"rate:{scope}:{window}:{int(clock() // window)}"
    # add() only sets a missing key, so concurrent first requests do not reset each other.
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def seconds_until_next_window(rate: str) -> int:
    _limit, window = parse_rate(rate)
    now = clock()
    return max(1, math.ceil((int(now // window) + 1) * window - now))
