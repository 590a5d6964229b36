"""Zammad's error bodies, as recorded (zammad-api.md §3)."""

from __future__ import annotations

import secrets
import string


class ApiError(Exception):
    """An error response: ``{"error": msg}`` plus ``error_human`` when Zammad sets it."""

    def __init__(self, status: int, message: str, *, human: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        # §3.1: error_human is set for validation errors, not-found, not-authorized,
        # forbidden, UnprocessableEntity...; it is absent on masked errors and on the
        # few bodies the controller renders directly (e.g. "Invalid email ... of customer").
        self.human = human

    def body(self) -> dict[str, str]:
        """The JSON body Zammad sends for this error."""
        if self.human:
            return {"error": self.message, "error_human": self.message}
        return {"error": self.message}


def masked(status: int, raw_message: str, *, is_admin: bool) -> ApiError:
    """An unexpected error: admins see the raw text, others an opaque Error ID (§3.1)."""
    if is_admin:
        return ApiError(status, raw_message, human=False)
    alphabet = string.ascii_letters + string.digits
    error_id = "".join(secrets.choice(alphabet) for _ in range(8))
    return ApiError(status, f"Error ID {error_id}: Please contact your administrator.", human=False)


def lookup_failed(key: str, value: object) -> ApiError:
    """422 for an unknown name in a name-or-id field (§4.3 step 2)."""
    # Zammad renders the value with Ruby's #inspect, i.e. in double quotes.
    return ApiError(422, f"No lookup value found for '{key}': \"{value}\"")


def invalid_param(key: str, value: object) -> ApiError:
    """422 for an unknown id in an ``*_id`` field (§4.3 step 5)."""
    return ApiError(422, f"Invalid value for param '{key}': {value}")
