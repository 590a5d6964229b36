"""Map transport exceptions and HTTP responses to typed Zammad errors.

Kept apart from the client so the classification rules can be read (and
tested) in one place. The rules follow zammad-api.md §3 (error bodies and
status codes) and §8 (no idempotency, so "may it have been processed?"
matters).
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
from collections.abc import Iterable

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .errors import ZammadError, ZammadRejected, ZammadUnavailable

EXCERPT_CHARS = 500

# Exceptions that can only happen before a single request byte left this
# process: DNS failure, connection refused, TCP connect timeout. Anything else
# (reset, EOF, read timeout) may have happened after Zammad got the request.
_NEVER_SENT = (NewConnectionError, ConnectTimeoutError, ConnectionRefusedError, socket.gaierror)


# Shorter "secrets" (test tokens like "t") would shred every message when
# replaced, and are not worth hiding anyway.
MIN_SECRET_CHARS = 6


def redact(text: str, secrets: Iterable[str]) -> str:
    """Remove credentials from text that may end up in logs or error messages."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_CHARS:
            text = text.replace(secret, "***")
    return text


def _exception_chain(exc: BaseException) -> Iterable[BaseException]:
    # requests wraps urllib3 errors in args (MaxRetryError(reason=...)), and
    # urllib3 wraps socket errors the same way, so walk args, reason and the
    # implicit/explicit cause chain.
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
        stack.extend(item for item in linked if isinstance(item, BaseException))


def surely_not_sent(exc: BaseException) -> bool:
    """True when the request certainly never reached the server."""
    return any(isinstance(e, _NEVER_SENT) for e in _exception_chain(exc))


def from_exception(exc: requests.RequestException, where: str, secrets: Iterable[str]) -> ZammadError:
    """Classify a requests exception raised before a response arrived."""
    detail = redact(f"{type(exc).__name__}: {exc}", secrets)
    if isinstance(exc, requests.ConnectTimeout):
        return ZammadUnavailable(f"connect timeout ({detail})", ambiguous=False, where=where)
    if isinstance(exc, requests.ReadTimeout):
        # The request was sent; Zammad may still be working on it.
        return ZammadUnavailable(f"read timeout ({detail})", ambiguous=True, where=where)
    if isinstance(exc, requests.exceptions.SSLError):
        # The TLS handshake happens before the request is written.
        return ZammadUnavailable(f"TLS error ({detail})", ambiguous=False, where=where)
    if isinstance(exc, requests.ConnectionError):
        never_sent = surely_not_sent(exc)
        kind = "connection failed" if never_sent else "connection lost"
        return ZammadUnavailable(f"{kind} ({detail})", ambiguous=not never_sent, where=where)
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return ZammadUnavailable(f"broken response ({detail})", ambiguous=True, where=where)
    # InvalidURL, MissingSchema, InvalidHeader...: configuration bugs, nothing was sent.
    return ZammadError(f"request not sent ({detail})", retryable=False, ambiguous=False, where=where)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def zammad_error_text(body: str) -> str | None:
    """Zammad's own message from an error body: ``error`` plus ``error_human`` if different."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    human = data.get("error_human")
    parts = [str(p) for p in (error, human) if isinstance(p, str) and p]
    if len(parts) == 2 and parts[0] == parts[1]:
        # §3.1: when error_human is set, error is overwritten with the same text.
        parts = parts[:1]
    return " / ".join(parts) or None


def from_response(response: requests.Response, where: str, secrets: Iterable[str]) -> ZammadError:
    """Classify a non-2xx response."""
    status = response.status_code
    excerpt = redact(response.text[:EXCERPT_CHARS], secrets)
    # Zammad's own text when the body is its JSON error, else the HTTP reason phrase.
    message = redact(zammad_error_text(response.text) or response.reason or "no details", secrets)
    if 300 <= status < 400:
        # allow_redirects=False: a redirect means ZAMMAD_URL is wrong (http vs
        # https, missing path). Following it could resend the token elsewhere.
        location = redact(response.headers.get("Location", "?"), secrets)
        return ZammadRejected(
            f"unexpected redirect to {location}; check the base URL",
            status=status,
            body_excerpt=excerpt,
            where=where,
        )
    if status == 429:
        # Rack::Attack throttling (text/plain "Retry later"): refused before processing.
        return ZammadUnavailable(
            message,
            status=status,
            ambiguous=False,
            body_excerpt=excerpt,
            where=where,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status == 408:
        return ZammadUnavailable(message, status=status, ambiguous=False, body_excerpt=excerpt, where=where)
    if status >= 500:
        # A 500 can come after the DB commit, and a proxy's 502/504 can hide a
        # request that Zammad did finish: the caller must check before recreating.
        return ZammadUnavailable(message, status=status, ambiguous=True, body_excerpt=excerpt, where=where)
    return ZammadRejected(message, status=status, body_excerpt=excerpt, where=where)
