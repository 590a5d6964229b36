"""Injectable failures, so the portal's retry/lookup logic can be exercised.

Counters (``*_next``) are consumed one per matching request. Set them in
process (``standin.faults.fail_next = 2``) or with POST /_standin/faults.
Precedence per request: reset > timeout > fail > lose_response.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

COUNTERS = ("fail_next", "timeout_next", "reset_next", "lose_response_next")
DEFAULTS: dict[str, Any] = {
    # Extra seconds before every /api/v1 call is handled (whatever the scope).
    "latency": 0.0,
    # Answer the next N matching requests with `status` (not processed).
    "fail_next": 0,
    "status": 503,
    # Retry-After header value (seconds) for failed responses, e.g. with 429.
    "retry_after": None,
    # Hang for `hang_seconds`, then close the connection without an answer (not processed).
    "timeout_next": 0,
    "hang_seconds": 35.0,
    # Read the request, then reset the TCP connection (RST) without processing.
    "reset_next": 0,
    # Process the request (the ticket IS created), then reset instead of answering.
    "lose_response_next": 0,
    # "create": only POST /api/v1/tickets; "all": every /api/v1 request.
    "scope": "create",
}


class Faults:
    """Thread-safe fault configuration of one stand-in."""

    def __init__(self, on_down_change: Callable[[bool], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._on_down_change = on_down_change
        self._down = False
        self.latency: float = 0.0
        self.fail_next: int = 0
        self.status: int = 503
        self.retry_after: float | None = None
        self.timeout_next: int = 0
        self.hang_seconds: float = 35.0
        self.reset_next: int = 0
        self.lose_response_next: int = 0
        self.scope: str = "create"

    @property
    def down(self) -> bool:
        """True while the listening socket is closed: clients get "connection refused"."""
        return self._down

    @down.setter
    def down(self, value: bool) -> None:
        value = bool(value)
        changed = value != self._down
        self._down = value
        if changed and self._on_down_change is not None:
            self._on_down_change(value)

    def configure(self, **settings: Any) -> None:
        """Replace the whole configuration: keys not given go back to their defaults."""
        unknown = set(settings) - set(DEFAULTS) - {"down"}
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        if settings.get("scope", "create") not in ("create", "all"):
            raise ValueError("scope must be 'create' or 'all'")
        with self._lock:
            for key, default in DEFAULTS.items():
                value = settings.get(key, default)
                if key in COUNTERS or key == "status":
                    value = int(value)
                elif key in ("latency", "hang_seconds") or (key == "retry_after" and value is not None):
                    value = float(value)
                setattr(self, key, value)
        self.down = bool(settings.get("down", False))

    def clear(self) -> None:
        """No faults at all (and back up if down)."""
        self.configure()

    def applies_to(self, method: str, path: str) -> bool:
        if self.scope == "all":
            return path.startswith("/api/v1/")
        return method == "POST" and path == "/api/v1/tickets"

    def take(self, counter: str) -> bool:
        """Consume one unit of a ``*_next`` counter; False when it is exhausted."""
        with self._lock:
            left = getattr(self, counter)
            if left <= 0:
                return False
            setattr(self, counter, left - 1)
            return True

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            data = {key: getattr(self, key) for key in DEFAULTS}
        data["down"] = self.down
        return data
