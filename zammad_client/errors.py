"""Typed errors raised by :class:`zammad_client.ZammadClient`.

Callers decide two things from an error, so both are explicit attributes:

* ``retryable``: is it worth trying the same call again later?
* ``ambiguous``: may Zammad have received and processed the request anyway?
  Zammad has no idempotency keys (zammad-api.md §8), so after an ambiguous
  failure of a create the portal must look the ticket up (by tag) before it
  creates it again.
"""

from __future__ import annotations


class ZammadError(Exception):
    """Base class for every failure talking to Zammad."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        ambiguous: bool = False,
        body_excerpt: str = "",
        where: str = "",
    ) -> None:
        super().__init__(message)
        # For HTTP errors: Zammad's own text (``error`` / ``error_human``) when it sent one.
        self.message = message
        self.status = status
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.body_excerpt = body_excerpt
        # The call that failed, e.g. "POST /api/v1/tickets" (never includes query or credentials).
        self.where = where

    def __str__(self) -> str:
        status = f"HTTP {self.status}: " if self.status is not None else ""
        prefix = f"Zammad {self.where}: " if self.where else ""
        return f"{prefix}{status}{self.message}"

    @property
    def permanent(self) -> bool:
        """True when retrying the same request cannot help."""
        return not self.retryable

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"retryable={self.retryable!r}, ambiguous={self.ambiguous!r})"
        )


class ZammadUnavailable(ZammadError):
    """Transient failure: timeouts, connection errors, 5xx, 429, garbled 2xx bodies."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        ambiguous: bool,
        body_excerpt: str = "",
        where: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, status=status, retryable=True, ambiguous=ambiguous, body_excerpt=body_excerpt, where=where
        )
        # Seconds from a 429's Retry-After header, when Zammad (or a proxy) sent one.
        self.retry_after = retry_after


class ZammadBadResponse(ZammadUnavailable):
    """A 2xx whose body is not the JSON we expected.

    Zammad answered, so the request was processed; it is therefore always
    ambiguous (a create may have succeeded) but still worth retrying after a
    lookup, because proxies sometimes mangle bodies.
    """

    def __init__(self, message: str, *, status: int | None, body_excerpt: str = "", where: str = "") -> None:
        super().__init__(message, status=status, ambiguous=True, body_excerpt=body_excerpt, where=where)


class ZammadRejected(ZammadError):
    """Permanent refusal (401, 403, 404, 422, other 4xx, unexpected redirects).

    ``message`` carries Zammad's own ``error``/``error_human`` text so an
    operator can act on it (e.g. "No lookup value found for 'group': ...").
    """

    def __init__(self, message: str, *, status: int | None, body_excerpt: str = "", where: str = "") -> None:
        super().__init__(
            message, status=status, retryable=False, ambiguous=False, body_excerpt=body_excerpt, where=where
        )
