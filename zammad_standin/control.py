"""/_standin/* control endpoints (not part of Zammad): inspect, reset, inject faults."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .api import Response

if TYPE_CHECKING:
    from .standin import StandIn

HELP = {
    "GET /_standin/tickets": "created tickets with articles, attachments, tags and customer",
    "GET /_standin/faults": "current fault settings",
    "POST /_standin/faults": "replace fault settings, e.g. {\"fail_next\": 2, \"status\": 503}; "
                             "{\"down\": true, \"down_seconds\": 5} refuses connections for 5 s",
    "POST /_standin/reset": "fresh data and no faults",
    "POST /_standin/tickets/<id>/state": "{\"state\": \"open\"} or {\"state_id\": 4}",
}
STATE_PATH = re.compile(r"/_standin/tickets/(\d+)/state")


def _error(status: int, message: str) -> Response:
    return Response(status, {"error": message})


def handle(standin: StandIn, method: str, path: str, body: bytes) -> Response:
    """Answer one control request."""
    try:
        data: Any = json.loads(body) if body.strip() else {}
    except ValueError:
        return _error(400, "body must be JSON")
    if not isinstance(data, dict):
        return _error(400, "body must be a JSON object")
    if method == "GET" and path in ("/_standin", "/_standin/help"):
        return Response(200, HELP)
    if method == "GET" and path == "/_standin/tickets":
        return Response(200, {"tickets": standin.tickets})
    if method == "GET" and path == "/_standin/faults":
        return Response(200, standin.faults.snapshot())
    if method == "POST" and path == "/_standin/faults":
        settings = dict(data)
        go_down = bool(settings.pop("down", False))
        # Over HTTP the control endpoints go down too, so "down" always comes back by itself.
        down_seconds = float(settings.pop("down_seconds", 10))
        try:
            standin.faults.configure(**settings)
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        snapshot = {**standin.faults.snapshot(), "down": go_down}
        after = (lambda: standin.take_down(seconds=down_seconds)) if go_down else None
        return Response(200, snapshot, after=after)
    if method == "POST" and path == "/_standin/reset":
        standin.reset()
        return Response(200, {"reset": True})
    match = STATE_PATH.fullmatch(path)
    if method == "POST" and match:
        try:
            ticket = standin.set_ticket_state(int(match.group(1)), data.get("state_id") or data.get("state"))
        except LookupError as exc:
            return _error(404 if "ticket" in str(exc) else 422, str(exc))
        return Response(200, ticket)
    return _error(404, f"no control endpoint {method} {path}; see GET /_standin")
